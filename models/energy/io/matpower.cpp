#include "models/energy/io/matpower.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>

#include "engine/core/error.hpp"
#include "models/energy/io/text_file.hpp"

namespace citytwin::energy {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;

/// One row of a matrix as written in the file, with the line it started on.
struct Row {
  std::vector<double> values;
  int line = 0;
};

struct Matrix {
  std::vector<Row> rows;
  int line = 0;  // line of "mpc.NAME = ["
  bool present = false;
};

/// Like text_file.hpp's trim, but also drops leading carriage returns.
std::string_view trim_with_cr(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

/// The line without its comment ('%' outside a quoted string starts one).
std::string_view strip_comment(std::string_view s) {
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\'' || s[i] == '"') quoted = !quoted;
    else if (s[i] == '%' && !quoted) return s.substr(0, i);
  }
  return s;
}

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// Parses a MATLAB number: decimal, exponent, Inf, -Inf. NaN is refused.
bool parse_number(std::string_view tok, double& out) {
  if (tok == "Inf" || tok == "inf" || tok == "+Inf") {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (tok == "-Inf" || tok == "-inf") {
    out = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (!tok.empty() && tok.front() == '+') tok.remove_prefix(1);
  if (tok.empty()) return false;
  auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), out);
  return ec == std::errc() && ptr == tok.data() + tok.size() && !std::isnan(out);
}

class Parser {
 public:
  Parser(const std::string& file, ErrorList& errors) : file_(file), errors_(errors) {}

  void parse(const std::string& text) {
    std::istringstream in(text);
    std::string raw;
    int line_no = 0;
    bool block_comment = false;
    while (std::getline(in, raw)) {
      ++line_no;
      // MATLAB block comments: "%{" and "%}" alone on their lines.
      const std::string_view bare = trim_with_cr(raw);
      if (bare == "%{") block_comment = true;
      if (block_comment) {
        if (bare == "%}") block_comment = false;
        continue;
      }
      std::string_view line = trim_with_cr(strip_comment(raw));
      if (in_matrix_) {
        matrix_line(line, line_no);
        continue;
      }
      if (in_cell_) {
        if (line.find('}') != std::string_view::npos) in_cell_ = false;
        continue;
      }
      if (line.empty()) continue;
      statement(line, line_no);
    }
    if (in_matrix_) error(current_->line, "matrix opened here is never closed with ']'");
    if (in_cell_) error(line_no, "cell array is never closed with '}'");
  }

  Matrix bus, gen, branch;
  double base_mva = 0;
  int base_mva_line = 0;
  bool have_version = false;

  void error(int line, const std::string& message) { errors_.add(SourceLocation{file_, line, {}}, message); }

 private:
  void statement(std::string_view line, int line_no) {
    if (line.starts_with("function")) return;
    // The ends of a function body MATLAB allows after the case's fields.
    if (line == "end" || line == "end;" || line == "endfunction" || line == "return" || line == "return;") return;
    // NAME.FIELD = VALUE
    size_t i = 0;
    while (i < line.size() && is_ident_char(line[i])) ++i;
    if (i == 0 || i >= line.size() || line[i] != '.') {
      error(line_no, "expected 'mpc.FIELD = ...', got '" + std::string(line.substr(0, 40)) + "'");
      return;
    }
    size_t f0 = ++i;
    while (i < line.size() && is_ident_char(line[i])) ++i;
    std::string field(line.substr(f0, i - f0));
    std::string_view rest = trim_with_cr(line.substr(i));
    if (field.empty() || rest.empty() || rest.front() != '=') {
      error(line_no, "expected 'mpc.FIELD = ...'");
      return;
    }
    rest = trim_with_cr(rest.substr(1));
    if (!rest.empty() && rest.front() == '[') {
      Matrix* m = nullptr;
      if (field == "bus") m = &bus;
      else if (field == "gen") m = &gen;
      else if (field == "branch") m = &branch;
      else m = &ignored_;
      if (m != &ignored_ && m->present) error(line_no, "mpc." + field + " is defined twice");
      *m = Matrix{};
      m->present = true;
      m->line = line_no;
      current_ = m;
      in_matrix_ = true;
      row_open_ = false;
      matrix_line(rest.substr(1), line_no);
      return;
    }
    if (!rest.empty() && rest.front() == '{') {
      if (rest.find('}') == std::string_view::npos) in_cell_ = true;
      return;
    }
    if (!rest.empty() && rest.back() == ';') rest = trim_with_cr(rest.substr(0, rest.size() - 1));
    if (field == "baseMVA") {
      double v = 0;
      if (!parse_number(rest, v) || !(v > 0) || !std::isfinite(v))
        error(line_no, "baseMVA: expected a positive number, got '" + std::string(rest.substr(0, 40)) + "'");
      else {
        base_mva = v;
        base_mva_line = line_no;
      }
    } else if (field == "version") {
      have_version = true;
      if (rest != "'2'" && rest != "\"2\"" && rest != "2")
        error(line_no, "only MATPOWER case format version 2 is supported, got " + std::string(rest.substr(0, 40)));
    }
  }

  void matrix_line(std::string_view line, int line_no) {
    size_t i = 0;
    while (i < line.size()) {
      char c = line[i];
      if (c == ' ' || c == '\t' || c == ',' || c == '\r') {
        ++i;
      } else if (c == ';') {
        end_row();
        ++i;
      } else if (c == ']') {
        end_row();
        in_matrix_ = false;
        std::string_view after = trim_with_cr(line.substr(i + 1));
        if (!after.empty() && after != ";") error(line_no, "unexpected text after ']': '" + std::string(after.substr(0, 40)) + "'");
        return;
      } else if (c == '.' && line.substr(i).starts_with("...")) {
        return;  // MATLAB line continuation: the row goes on on the next line
      } else {
        size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != ',' && line[j] != ';' &&
               line[j] != ']' && line[j] != '\r')
          ++j;
        std::string_view tok = line.substr(i, j - i);
        double v = 0;
        if (!parse_number(tok, v)) {
          error(line_no, "expected a number, got '" + std::string(tok.substr(0, 40)) + "'");
          v = 0;
        }
        if (!row_open_) {
          current_->rows.push_back(Row{{}, line_no});
          row_open_ = true;
        }
        current_->rows.back().values.push_back(v);
        i = j;
      }
    }
    // In MATLAB a newline inside brackets also ends a row, unless continued with "...".
    end_row();
  }

  void end_row() { row_open_ = false; }

  std::string file_;
  ErrorList& errors_;
  Matrix ignored_;
  Matrix* current_ = nullptr;
  bool in_matrix_ = false, in_cell_ = false, row_open_ = false;
};

bool is_integer(double v) { return std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 1e15; }

}  // namespace

GridCase parse_matpower(const std::string& text, const std::string& file) {
  ErrorList errors;
  Parser p(file, errors);
  p.parse(text);
  auto where = [&](int line) { return SourceLocation{file, line, {}}; };

  if (!p.bus.present) errors.add(where(0), "no mpc.bus table");
  if (!p.gen.present) errors.add(where(0), "no mpc.gen table");
  if (!p.branch.present) errors.add(where(0), "no mpc.branch table");
  if (p.base_mva_line == 0 && errors.empty()) errors.add(where(0), "no mpc.baseMVA");
  errors.throw_if_any();

  auto enough_columns = [&](const Row& r, size_t n, const char* table) {
    if (r.values.size() >= n) return true;
    errors.add(where(r.line), std::string(table) + " row has " + std::to_string(r.values.size()) +
                                  " columns, expected at least " + std::to_string(n));
    return false;
  };

  GridCase c;
  c.file = file;
  c.base_va = p.base_mva * 1e6;

  for (const Row& r : p.bus.rows) {
    if (!enough_columns(r, 13, "bus")) continue;
    const auto& v = r.values;
    GridBus b;
    b.line = r.line;
    if (!is_integer(v[0]) || v[0] < 1) {
      errors.add(where(r.line), "bus number must be a positive integer");
      continue;
    }
    b.id = static_cast<long>(v[0]);
    if (!is_integer(v[1]) || v[1] < 1 || v[1] > 4) {
      errors.add(where(r.line), "bus " + std::to_string(b.id) + ": type must be 1 (PQ), 2 (PV), 3 (ref) or 4 (isolated)");
      continue;
    }
    b.type = static_cast<BusType>(static_cast<int>(v[1]));
    bool finite = true;
    for (int k : {2, 3, 4, 5, 7, 8, 9}) finite = finite && std::isfinite(v[k]);
    if (!finite) {
      errors.add(where(r.line), "bus " + std::to_string(b.id) + ": Pd, Qd, Gs, Bs, Vm, Va and baseKV must be finite");
      continue;
    }
    b.pd_w = v[2] * 1e6;
    b.qd_var = v[3] * 1e6;
    b.gs_w = v[4] * 1e6;
    b.bs_var = v[5] * 1e6;
    b.vm_pu = v[7];
    b.va_rad = v[8] * kDegToRad;
    b.base_kv = v[9];
    b.vmax_pu = v[11];
    b.vmin_pu = v[12];
    if (!(b.vm_pu > 0)) {
      errors.add(where(r.line), "bus " + std::to_string(b.id) + ": Vm must be positive");
      continue;
    }
    if (!c.bus_index.emplace(b.id, static_cast<int>(c.buses.size())).second) {
      errors.add(where(r.line), "bus " + std::to_string(b.id) + " is defined twice");
      continue;
    }
    c.buses.push_back(b);
  }

  auto bus_of = [&](double number, int line, const char* what) -> int {
    if (!is_integer(number)) {
      errors.add(where(line), std::string(what) + " must be a bus number");
      return -1;
    }
    auto it = c.bus_index.find(static_cast<long>(number));
    if (it == c.bus_index.end()) {
      errors.add(where(line), std::string(what) + " " + std::to_string(static_cast<long long>(number)) + " is not in the bus table");
      return -1;
    }
    return it->second;
  };

  for (const Row& r : p.gen.rows) {
    if (!enough_columns(r, 10, "gen")) continue;
    const auto& v = r.values;
    GridGenerator g;
    g.line = r.line;
    g.bus = bus_of(v[0], r.line, "generator bus");
    if (g.bus < 0) continue;
    if (!std::isfinite(v[1]) || !std::isfinite(v[2]) || !std::isfinite(v[5])) {
      errors.add(where(r.line), "generator: Pg, Qg and Vg must be finite");
      continue;
    }
    if (std::isnan(v[3]) || std::isnan(v[4]) || v[4] > v[3]) {
      errors.add(where(r.line), "generator: Qmin must not exceed Qmax");
      continue;
    }
    if (!(v[5] > 0)) {
      errors.add(where(r.line), "generator: voltage set point Vg must be positive");
      continue;
    }
    g.pg_w = v[1] * 1e6;
    g.qg_var = v[2] * 1e6;
    g.qmax_var = v[3] * 1e6;
    g.qmin_var = v[4] * 1e6;
    g.vg_pu = v[5];
    g.in_service = v[7] > 0;
    g.pmax_w = v[8] * 1e6;
    g.pmin_w = v[9] * 1e6;
    c.generators.push_back(g);
  }

  for (const Row& r : p.branch.rows) {
    if (!enough_columns(r, 11, "branch")) continue;
    const auto& v = r.values;
    GridBranch br;
    br.line = r.line;
    br.from = bus_of(v[0], r.line, "branch from bus");
    br.to = bus_of(v[1], r.line, "branch to bus");
    if (br.from < 0 || br.to < 0) continue;
    bool finite = true;
    for (int k : {2, 3, 4, 5, 8, 9}) finite = finite && std::isfinite(v[k]);
    if (!finite) {
      errors.add(where(r.line), "branch: r, x, b, rateA, ratio and angle must be finite");
      continue;
    }
    br.r_pu = v[2];
    br.x_pu = v[3];
    br.b_pu = v[4];
    br.rate_a_va = v[5] * 1e6;
    br.tap = v[8];
    br.shift_rad = v[9] * kDegToRad;
    br.in_service = v[10] > 0;
    if (br.in_service && br.r_pu == 0 && br.x_pu == 0) {
      errors.add(where(r.line), "branch: zero impedance (r = x = 0)");
      continue;
    }
    if (br.tap < 0) {
      errors.add(where(r.line), "branch: negative tap ratio");
      continue;
    }
    if (br.from == br.to) {
      errors.add(where(r.line), "branch connects bus " + std::to_string(c.buses[br.from].id) + " to itself");
      continue;
    }
    c.branches.push_back(br);
  }
  if (c.buses.empty() && errors.empty()) errors.add(where(p.bus.line), "the bus table is empty");
  errors.throw_if_any();
  return c;
}

GridCase read_matpower(const std::string& path) { return parse_matpower(read_text_file(path), path); }

}  // namespace citytwin::energy
