#include "models/water/io/inp_reader.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <numbers>
#include <set>
#include <sstream>

#include "engine/core/error.hpp"

namespace citytwin::water {
namespace {

constexpr size_t kMaxId = 31;      // EPANET's MAXID
constexpr size_t kMaxErrors = 50;  // stop collecting after this many

enum class Section {
  Title, Junctions, Reservoirs, Tanks, Pipes, Pumps, Valves, Controls, Rules, Demands, Sources, Emitters,
  Patterns, Curves, Quality, Status, Roughness, Energy, Reactions, Mixing, Report, Times, Options,
  Coordinates, Vertices, Labels, Backdrop, Tags, End
};

struct SectionName {
  Section section;
  const char* name;
};

constexpr std::array<SectionName, 29> kSections{{
    {Section::Title, "TITLE"},       {Section::Junctions, "JUNCTIONS"}, {Section::Reservoirs, "RESERVOIRS"},
    {Section::Tanks, "TANKS"},       {Section::Pipes, "PIPES"},         {Section::Pumps, "PUMPS"},
    {Section::Valves, "VALVES"},     {Section::Controls, "CONTROLS"},   {Section::Rules, "RULES"},
    {Section::Demands, "DEMANDS"},   {Section::Sources, "SOURCES"},     {Section::Emitters, "EMITTERS"},
    {Section::Patterns, "PATTERNS"}, {Section::Curves, "CURVES"},       {Section::Quality, "QUALITY"},
    {Section::Status, "STATUS"},     {Section::Roughness, "ROUGHNESS"}, {Section::Energy, "ENERGY"},
    {Section::Reactions, "REACTIONS"}, {Section::Mixing, "MIXING"},     {Section::Report, "REPORT"},
    {Section::Times, "TIMES"},       {Section::Options, "OPTIONS"},     {Section::Coordinates, "COORDINATES"},
    {Section::Vertices, "VERTICES"}, {Section::Labels, "LABELS"},       {Section::Backdrop, "BACKDROP"},
    {Section::Tags, "TAGS"},         {Section::End, "END"},
}};

std::string upper(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

/// EPANET's match(): the token starts with the keyword (case-insensitive), e.g. "HYDRAULIC" matches
/// "Hydraulics".
bool match(std::string_view token, std::string_view keyword) {
  if (token.size() < keyword.size()) return false;
  for (size_t i = 0; i < keyword.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(token[i])) != keyword[i]) return false;
  }
  return true;
}

bool equals(std::string_view token, std::string_view keyword) {
  return token.size() == keyword.size() && match(token, keyword);
}

bool parse_number(std::string_view token, double& out) {
  if (token.empty() || token.size() > 64) return false;
  std::string s(token);
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return false;
  return std::isfinite(out);
}

/// One data line: its tokens, its comment (after ';') and where it came from.
struct Entry {
  int line = 0;
  std::vector<std::string> tokens;
  std::string comment;
  std::string raw;
};

struct TimeParse {
  bool ok = false;
  double hours = 0;
};

/// EPANET's hour(): "h", "h:mm", "h:mm:ss" or a decimal, with an optional unit (SEC, MIN, HOUR, DAY) or
/// AM/PM for clock times.
TimeParse parse_hours(std::string_view value, std::string_view unit) {
  TimeParse r;
  double parts[3] = {0, 0, 0};
  int n = 0;
  size_t start = 0;
  std::string v(value);
  while (n < 3) {
    const size_t colon = v.find(':', start);
    const std::string piece = v.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!parse_number(piece, parts[n]) || parts[n] < 0) return r;
    ++n;
    if (colon == std::string::npos) break;
    start = colon + 1;
    if (n == 3) return r;
  }
  double y = parts[0] + parts[1] / 60.0 + parts[2] / 3600.0;
  if (!unit.empty()) {
    if (n > 1) {
      if (equals(unit, "AM") || equals(unit, "PM")) {
      } else {
        return r;
      }
    }
    if (match(unit, "SEC")) y /= 3600.0;
    else if (match(unit, "MIN")) y /= 60.0;
    else if (match(unit, "HOUR")) {
    } else if (match(unit, "DAY")) y *= 24.0;
    else if (equals(unit, "AM")) {
      if (y >= 13.0) return r;
      if (y >= 12.0) y -= 12.0;
    } else if (equals(unit, "PM")) {
      if (y >= 13.0) return r;
      if (y < 12.0) y += 12.0;
    } else {
      return r;
    }
  }
  r.ok = true;
  r.hours = y;
  return r;
}

long hours_to_s(double h) {
  // Up to about 30,000 years: larger values would overflow the conversion.
  return static_cast<long>(std::llround(std::min(h, 2.5e8) * 3600.0));
}

int clamp_int(double v, int lo, int hi) { return static_cast<int>(std::clamp(v, double(lo), double(hi))); }

class InpParser {
 public:
  InpParser(std::string_view text, std::string file) : file_(std::move(file)) { split(text); }

  Network parse() {
    if (!errors_.empty()) finish_errors();
    for (const auto& e : by_section(Section::Title)) net_.title += (net_.title.empty() ? "" : "\n") + e.raw;
    parse_options();
    parse_times();
    parse_patterns();
    parse_curves();
    parse_nodes();
    parse_links();
    finish_errors();  // later sections refer to nodes and links by ID
    parse_demands();
    parse_status();
    parse_emitters();
    parse_controls();
    parse_rules();
    parse_energy();
    parse_coordinates();
    parse_vertices();
    keep_raw_sections();
    check_network();
    finish_errors();
    try {
      net_.finalize();
    } catch (const InputError& e) {
      throw InputError(file_ + ": " + e.what());
    }
    return std::move(net_);
  }

 private:
  // ---- input splitting ----------------------------------------------------------------------------
  void split(std::string_view text) {
    Section current = Section::Title;
    bool have_section = false;
    int line_no = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
      const size_t nl = text.find('\n', pos);
      std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      pos = (nl == std::string_view::npos) ? text.size() + 1 : nl + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find('\0') != std::string_view::npos) {
        error(line_no, "line holds a NUL character");
        continue;
      }
      Entry e;
      e.line = line_no;
      e.raw = std::string(line);
      const size_t semi = line.find(';');
      std::string_view data = line.substr(0, semi);
      if (semi != std::string_view::npos) e.comment = std::string(line.substr(semi + 1));
      if (!tokenize(data, e.tokens)) {
        error(line_no, "unbalanced quotes");
        continue;
      }
      if (e.tokens.empty()) {
        // Comments right after [CURVES] carry the curve type ("PUMP: ..."); nothing else needs them.
        continue;
      }
      if (e.tokens[0][0] == '[') {
        std::string name = upper(e.tokens[0].substr(1));
        if (!name.empty() && name.back() == ']') name.pop_back();
        bool found = false;
        for (const auto& s : kSections) {
          const std::string full = s.name;
          if (name == full || (name.size() >= 4 && full.rfind(name, 0) == 0)) {
            current = s.section;
            found = true;
            break;
          }
        }
        if (!found) {
          error(line_no, "unknown section " + e.tokens[0]);
          continue;
        }
        have_section = true;
        if (current == Section::End) break;
        section_order_.push_back(current);
        continue;
      }
      if (!have_section) {
        error(line_no, "data before the first [SECTION] header");
        continue;
      }
      entries_.push_back({current, std::move(e)});
    }
  }

  static bool tokenize(std::string_view s, std::vector<std::string>& out) {
    size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      if (i >= s.size()) break;
      if (s[i] == '"') {
        const size_t close = s.find('"', i + 1);
        if (close == std::string_view::npos) return false;
        out.emplace_back(s.substr(i + 1, close - i - 1));
        i = close + 1;
      } else {
        const size_t start = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        out.emplace_back(s.substr(start, i - start));
      }
    }
    return true;
  }

  std::vector<Entry> by_section(Section s) const {
    std::vector<Entry> v;
    for (const auto& [sec, e] : entries_)
      if (sec == s) v.push_back(e);
    return v;
  }

  /// Remembers an element ID whose definition produced an error (on scope exit).
  struct BadIdGuard {
    BadIdGuard(const InpParser& p, std::set<std::string>& ids, std::string id)
        : parser(p), set(ids), id_(std::move(id)), before(p.errors_.messages().size()) {}
    ~BadIdGuard() {
      if (parser.errors_.messages().size() > before) set.insert(id_);
    }
    const InpParser& parser;
    std::set<std::string>& set;
    std::string id_;
    size_t before;
  };

  // ---- errors -------------------------------------------------------------------------------------
  void error(int line, const std::string& message) {
    if (errors_.messages().size() < kMaxErrors) errors_.add(SourceLocation{file_, line, ""}, message);
  }
  void finish_errors() { errors_.throw_if_any(); }

  bool number(const Entry& e, size_t i, double& out, const char* what) {
    if (i >= e.tokens.size()) {
      error(e.line, std::string("missing ") + what);
      return false;
    }
    if (!parse_number(e.tokens[i], out)) {
      error(e.line, std::string(what) + ": expected a number, got '" + e.tokens[i] + "'");
      return false;
    }
    return true;
  }

  bool need(const Entry& e, size_t n, const char* what) {
    if (e.tokens.size() < n) {
      error(e.line, std::string("too few values: expected ") + what);
      return false;
    }
    return true;
  }

  bool check_id(const Entry& e, const std::string& id) {
    if (id.size() > kMaxId) {
      error(e.line, "ID '" + id.substr(0, 40) + "' is longer than 31 characters");
      return false;
    }
    return true;
  }

  int find_pattern(const Entry& e, const std::string& id) {
    if (id.empty() || id == "*") return -1;
    auto it = net_.pattern_index.find(id);
    if (it == net_.pattern_index.end()) {
      error(e.line, "undefined pattern " + id);
      return -2;
    }
    return it->second;
  }

  int find_curve(const Entry& e, const std::string& id) {
    auto it = net_.curve_index.find(id);
    if (it == net_.curve_index.end()) {
      error(e.line, "undefined curve " + id);
      return -1;
    }
    return it->second;
  }

  int find_node(const Entry& e, const std::string& id) {
    auto it = net_.node_index.find(id);
    if (it == net_.node_index.end()) {
      if (!bad_nodes_.count(id)) error(e.line, "undefined node " + id);
      return -1;
    }
    return it->second;
  }

  int find_link(const Entry& e, const std::string& id) {
    auto it = net_.link_index.find(id);
    if (it == net_.link_index.end()) {
      if (!bad_links_.count(id)) error(e.line, "undefined link " + id);
      return -1;
    }
    return it->second;
  }

  // ---- [OPTIONS] ----------------------------------------------------------------------------------
  void parse_options() {
    auto& o = net_.options;
    auto& u = net_.units;
    bool pressure_given = false;
    std::string default_pattern = "1";
    double min_p = 0, req_p = 0.1, viscosity = -1, head_error = 0, flow_change = 0;
    for (const auto& e : by_section(Section::Options)) {
      const auto& t = e.tokens;
      const std::string& k = t[0];
      const std::string k2 = t.size() > 1 ? upper(t[1]) : "";
      auto value_at = [&](size_t i, double& v, const char* what) { return number(e, i, v, what); };
      double v = 0;
      if (match(k, "UNITS")) {
        if (!need(e, 2, "UNITS flow-units")) continue;
        if (!parse_flow_units(t[1], u.flow_units)) error(e.line, "unknown flow units " + t[1]);
      } else if (match(k, "PRESSURE") && t.size() > 1 && match(t[1], "EXPONENT")) {
        if (value_at(2, v, "pressure exponent")) {
          if (v <= 0) error(e.line, "pressure exponent must be positive");
          o.pressure_exponent = v;
        }
      } else if (match(k, "PRESSURE")) {
        if (!need(e, 2, "PRESSURE units")) continue;
        if (match(t[1], "PSI")) u.pressure_units = PressureUnits::PSI;
        else if (match(t[1], "KPA")) u.pressure_units = PressureUnits::KPA;
        else if (match(t[1], "METER")) u.pressure_units = PressureUnits::METERS;
        else error(e.line, "unknown pressure units " + t[1]);
        pressure_given = true;
      } else if (match(k, "HEADLOSS")) {
        if (!need(e, 2, "HEADLOSS H-W|D-W|C-M")) continue;
        if (match(t[1], "H-W")) o.headloss = HeadlossFormula::HazenWilliams;
        else if (match(t[1], "D-W")) o.headloss = HeadlossFormula::DarcyWeisbach;
        else if (match(t[1], "C-M")) o.headloss = HeadlossFormula::ChezyManning;
        else error(e.line, "unknown headloss formula " + t[1]);
      } else if (match(k, "HYDRAULIC")) {
        if (t.size() < 3 || !(match(t[1], "USE") || match(t[1], "SAVE")))
          error(e.line, "expected HYDRAULICS USE|SAVE file");
      } else if (match(k, "QUALITY") || match(k, "MAP") || match(k, "TOLERANCE") || match(k, "DIFFUSIVITY") ||
                 match(k, "SEGMENTS") || match(k, "VERIFY")) {
        if (!need(e, 2, "a value")) continue;
        // Water-quality and map options: no effect on hydraulics.
      } else if (match(k, "VISCOSITY")) {
        if (value_at(1, v, "viscosity")) {
          if (v <= 0) error(e.line, "viscosity must be positive");
          viscosity = v;
        }
      } else if (match(k, "SPECIFIC")) {
        if (value_at(t.size() > 2 ? 2 : 1, v, "specific gravity")) {
          if (v <= 0) error(e.line, "specific gravity must be positive");
          else u.specific_gravity = v;
        }
      } else if (match(k, "TRIALS")) {
        if (value_at(1, v, "trials")) {
          if (v < 1) error(e.line, "trials must be at least 1");
          else o.trials = clamp_int(v, 1, 100000);
        }
      } else if (match(k, "ACCURACY")) {
        if (value_at(1, v, "accuracy")) {
          if (v < 1e-8 || v > 1e-1) error(e.line, "accuracy must be between 1e-8 and 0.1");
          else o.accuracy = v;
        }
      } else if (match(k, "HEADERROR")) {
        if (value_at(1, v, "head error")) head_error = v;
      } else if (match(k, "FLOWCHANGE")) {
        if (value_at(1, v, "flow change")) flow_change = v;
      } else if (match(k, "UNBALANCED")) {
        if (!need(e, 2, "UNBALANCED STOP|CONTINUE [n]")) continue;
        if (match(t[1], "STOP")) o.extra_trials = -1;
        else if (match(t[1], "CONTINUE")) {
          o.extra_trials = 0;
          if (t.size() > 2 && value_at(2, v, "extra trials")) o.extra_trials = clamp_int(v, 0, 100000);
        } else {
          error(e.line, "expected UNBALANCED STOP or CONTINUE");
        }
      } else if (match(k, "PATTERN")) {
        if (!need(e, 2, "PATTERN id")) continue;
        default_pattern = t[1];
      } else if (match(k, "DEMAND") && k2.rfind("MULTIPLIER", 0) == 0) {
        if (value_at(2, v, "demand multiplier")) {
          if (v <= 0) error(e.line, "demand multiplier must be positive");
          else o.demand_multiplier = v;
        }
      } else if (match(k, "DEMAND") && k2.rfind("MODEL", 0) == 0) {
        if (!need(e, 3, "DEMAND MODEL DDA|PDA")) continue;
        if (match(t[2], "DDA") || match(t[2], "DEMAND")) o.demand_model = DemandModel::DDA;
        else if (match(t[2], "PDA") || match(t[2], "PRESSURE")) o.demand_model = DemandModel::PDA;
        else error(e.line, "unknown demand model " + t[2]);
      } else if (match(k, "EMITTER")) {
        if (value_at(t.size() > 2 ? 2 : 1, v, "emitter exponent")) {
          if (v <= 0) error(e.line, "emitter exponent must be positive");
          else o.emitter_exponent = v;
        }
      } else if (match(k, "MINIMUM")) {
        if (value_at(2, v, "minimum pressure")) min_p = v;
      } else if (match(k, "REQUIRED")) {
        if (value_at(2, v, "required pressure")) req_p = v;
      } else if (match(k, "CHECKFREQ")) {
        if (value_at(1, v, "check frequency")) o.check_freq = clamp_int(v, 1, 100000);
      } else if (match(k, "MAXCHECK")) {
        if (value_at(1, v, "max check")) o.max_check = clamp_int(v, 0, 100000);
      } else if (match(k, "DAMPLIMIT")) {
        if (value_at(1, v, "damping limit")) o.damp_limit = v;
      } else if (match(k, "BACKFLOW") || match(k, "EMITTER")) {
        // EPANET 2.3 options; ignored.
      } else {
        error(e.line, "unknown option " + k);
      }
    }
    u.si = u.flow_units == FlowUnits::LPS || u.flow_units == FlowUnits::LPM || u.flow_units == FlowUnits::MLD ||
           u.flow_units == FlowUnits::CMH || u.flow_units == FlowUnits::CMD || u.flow_units == FlowUnits::CMS;
    // EPANET: US networks report psi; SI networks metres unless kPa was asked for.
    if (!u.si) u.pressure_units = PressureUnits::PSI;
    else if (!pressure_given || u.pressure_units == PressureUnits::PSI) u.pressure_units = PressureUnits::METERS;
    o.min_pressure_m = min_p * u.pressure_head();
    o.required_pressure_m = req_p * u.pressure_head();
    if (o.demand_model == DemandModel::PDA && o.required_pressure_m - o.min_pressure_m < 0.1 * u.pressure_head() * 1e-3)
      error(0, "required pressure must exceed the minimum pressure");
    const double ft2 = kMetresPerFoot * kMetresPerFoot;
    // EPANET: a viscosity above 1e-3 is relative to water at 20 C (1.1e-5 ft2/s), otherwise absolute.
    if (viscosity < 0) o.viscosity_m2s = 1.1e-5 * ft2;
    else if (viscosity > 1e-3) o.viscosity_m2s = viscosity * 1.1e-5 * ft2;
    else o.viscosity_m2s = viscosity * (u.si ? 1.0 : ft2);
    o.head_error_m = head_error * u.length();
    o.flow_change_m3s = flow_change * u.flow();
    default_pattern_id_ = default_pattern;
  }

  // ---- [TIMES] ------------------------------------------------------------------------------------
  void parse_times() {
    auto& tm = net_.times;
    for (const auto& e : by_section(Section::Times)) {
      const auto& t = e.tokens;
      const std::string& k = t[0];
      if (match(k, "STATISTIC")) {
        if (!need(e, 2, "STATISTIC value")) continue;
        if (!(match(t[1], "AVERAGE") || match(t[1], "MIN") || match(t[1], "MAX") || match(t[1], "RANGE") ||
              match(t[1], "NONE")))
          error(e.line, "unknown statistic " + t[1]);
        continue;
      }
      // Keyword: one or two words, then a value and an optional unit.
      size_t value_at = 1;
      long* target = nullptr;
      bool clock = false;
      if (match(k, "DURATION")) target = &tm.duration;
      else if (match(k, "HYDRAULIC")) target = &tm.hydraulic_step, value_at = 2;
      else if (match(k, "QUALITY")) target = &tm.quality_step, value_at = 2;
      else if (match(k, "RULE")) target = &tm.rule_step, value_at = 2;
      else if (match(k, "PATTERN") && t.size() > 1 && match(t[1], "START")) target = &tm.pattern_start, value_at = 2;
      else if (match(k, "PATTERN")) target = &tm.pattern_step, value_at = 2;
      else if (match(k, "REPORT") && t.size() > 1 && match(t[1], "START")) target = &tm.report_start, value_at = 2;
      else if (match(k, "REPORT")) target = &tm.report_step, value_at = 2;
      else if (match(k, "START")) target = &tm.start_clocktime, value_at = 2, clock = true;
      else {
        error(e.line, "unknown time option " + k);
        continue;
      }
      if (t.size() <= value_at) {
        error(e.line, "missing time value");
        continue;
      }
      const std::string unit = t.size() > value_at + 1 ? t[value_at + 1] : "";
      const TimeParse tp = parse_hours(t[value_at], unit);
      if (!tp.ok) {
        error(e.line, "invalid time '" + t[value_at] + (unit.empty() ? "" : " " + unit) + "'");
        continue;
      }
      *target = hours_to_s(tp.hours);
      if (clock) *target %= 86400;
    }
    // EPANET 2.2 adjustdata() rules for the time steps.
    if (tm.pattern_step <= 0) tm.pattern_step = 3600;
    if (tm.report_step <= 0) tm.report_step = tm.pattern_step;
    if (tm.hydraulic_step <= 0) tm.hydraulic_step = 3600;
    tm.hydraulic_step = std::min({tm.hydraulic_step, tm.pattern_step, tm.report_step});
    if (tm.report_start > tm.duration) tm.report_start = 0;
    if (tm.quality_step <= 0) tm.quality_step = tm.hydraulic_step / 10;
    if (tm.rule_step <= 0) tm.rule_step = tm.hydraulic_step / 10;
    tm.rule_step = std::max(1L, std::min(tm.rule_step, tm.hydraulic_step));
    tm.quality_step = std::min(tm.quality_step, tm.hydraulic_step);
  }

  // ---- [PATTERNS], [CURVES] -----------------------------------------------------------------------
  void parse_patterns() {
    for (const auto& e : by_section(Section::Patterns)) {
      const std::string& id = e.tokens[0];
      if (!check_id(e, id)) continue;
      auto [it, added] = net_.pattern_index.try_emplace(id, static_cast<int>(net_.patterns.size()));
      if (added) net_.patterns.push_back(Pattern{id, {}});
      auto& f = net_.patterns[it->second].factors;
      for (size_t i = 1; i < e.tokens.size(); ++i) {
        double v = 0;
        if (number(e, i, v, "pattern multiplier")) f.push_back(v);
      }
    }
    auto it = net_.pattern_index.find(default_pattern_id_);
    net_.options.default_pattern = it == net_.pattern_index.end() ? -1 : it->second;
  }

  void parse_curves() {
    std::vector<int> first_line;
    for (const auto& e : by_section(Section::Curves)) {
      const std::string& id = e.tokens[0];
      if (!check_id(e, id)) continue;
      if (e.tokens.size() < 3 || (e.tokens.size() - 1) % 2 != 0) {
        error(e.line, "curve " + id + ": expected X Y pairs");
        continue;
      }
      auto [it, added] = net_.curve_index.try_emplace(id, static_cast<int>(net_.curves.size()));
      if (added) net_.curves.push_back(Curve{id, {}, {}});
      Curve& c = net_.curves[it->second];
      for (size_t i = 1; i + 1 < e.tokens.size(); i += 2) {
        double x = 0, y = 0;
        if (!number(e, i, x, "curve X") || !number(e, i + 1, y, "curve Y")) continue;
        if (!c.x.empty() && x <= c.x.back()) {
          error(e.line, "curve " + id + ": X values must increase");
          continue;
        }
        c.x.push_back(x);
        c.y.push_back(y);
      }
    }
  }

  // ---- nodes ----------------------------------------------------------------------------------------
  void parse_nodes() {
    // Junctions come first in EPANET's numbering, then reservoirs and tanks in file order.
    struct FixedNode {
      Entry entry;
      bool tank;
    };
    std::vector<Entry> junctions;
    std::vector<FixedNode> fixed;
    for (const auto& [sec, e] : entries_) {
      if (sec == Section::Junctions) junctions.push_back(e);
      else if (sec == Section::Reservoirs) fixed.push_back({e, false});
      else if (sec == Section::Tanks) fixed.push_back({e, true});
    }
    const UnitSystem& u = net_.units;
    std::vector<std::pair<double, int>> junction_demand;  // base (SI), pattern
    for (const auto& e : junctions) {
      const BadIdGuard guard(*this, bad_nodes_, e.tokens[0]);
      double el = 0, d = 0;
      if (!need(e, 2, "ID elevation [demand] [pattern]")) continue;
      if (!number(e, 1, el, "elevation")) continue;
      if (e.tokens.size() > 2 && !number(e, 2, d, "demand")) continue;
      int pat = net_.options.default_pattern;
      if (e.tokens.size() > 3) {
        pat = find_pattern(e, e.tokens[3]);
        if (pat == -2) continue;
        if (pat == -1) pat = net_.options.default_pattern;
      }
      if (!add_node(e, NodeType::Junction, el * u.length())) continue;
      junction_demand.emplace_back(d * u.flow(), pat);
    }
    net_.num_junctions = net_.num_nodes();
    for (const auto& f : fixed) {
      const Entry& e = f.entry;
      const BadIdGuard guard(*this, bad_nodes_, e.tokens[0]);
      Tank tank;
      double el = 0;
      if (!f.tank) {
        if (!need(e, 2, "ID head [pattern]")) continue;
        if (!number(e, 1, el, "head")) continue;
        if (e.tokens.size() > 2) {
          tank.head_pattern = find_pattern(e, e.tokens[2]);
          if (tank.head_pattern == -2) continue;
        }
        el *= u.length();
        tank.init_head_m = tank.min_head_m = tank.max_head_m = el;
      } else {
        if (!need(e, 6, "ID elevation init-level min-level max-level diameter [min-volume] [curve] [overflow]"))
          continue;
        double lv0 = 0, lvmin = 0, lvmax = 0, diam = 0, vmin = 0;
        if (!number(e, 1, el, "elevation") || !number(e, 2, lv0, "initial level") ||
            !number(e, 3, lvmin, "minimum level") || !number(e, 4, lvmax, "maximum level") ||
            !number(e, 5, diam, "diameter"))
          continue;
        if (e.tokens.size() > 6 && !number(e, 6, vmin, "minimum volume")) continue;
        if (e.tokens.size() > 7 && e.tokens[7] != "*") {
          tank.volume_curve = find_curve(e, e.tokens[7]);
          if (tank.volume_curve < 0) continue;
        }
        if (e.tokens.size() > 8) {
          if (match(e.tokens[8], "YES") || match(e.tokens[8], "TRUE")) tank.can_overflow = true;
          else if (!(match(e.tokens[8], "NO") || match(e.tokens[8], "FALSE")))
            error(e.line, "overflow must be YES or NO, got '" + e.tokens[8] + "'");
        }
        if (lvmin < 0 || lv0 < lvmin || lv0 > lvmax || lvmax < lvmin) {
          error(e.line, "tank " + e.tokens[0] + ": levels must satisfy 0 <= min <= initial <= max");
          continue;
        }
        if (diam < 0 || vmin < 0) {
          error(e.line, "tank " + e.tokens[0] + ": negative diameter or volume");
          continue;
        }
        el *= u.length();
        tank.init_head_m = el + lv0 * u.length();
        tank.min_head_m = el + lvmin * u.length();
        tank.max_head_m = el + lvmax * u.length();
        const double d = diam * u.length();
        tank.area_m2 = std::numbers::pi * d * d / 4.0;
        if (tank.volume_curve >= 0) {
          const Curve& c = net_.curves[tank.volume_curve];
          const double h0 = lvmin, h1 = lvmax;
          if (c.x.empty() || h0 < c.x.front() || h1 > c.x.back()) {
            error(e.line, "tank " + e.tokens[0] + ": volume curve " + c.id + " does not cover its levels");
            continue;
          }
          tank.min_volume_m3 = interpolate(c.x, c.y, h0) * u.volume();
          tank.max_volume_m3 = interpolate(c.x, c.y, h1) * u.volume();
          tank.init_volume_m3 = interpolate(c.x, c.y, lv0) * u.volume();
          // EPANET 2.2 keeps the area from the diameter even with a volume curve: a zero diameter makes
          // the tank behave as a fixed-grade node (its level never changes).
        } else {
          if (tank.area_m2 <= 0) {
            error(e.line, "tank " + e.tokens[0] + ": diameter must be positive without a volume curve");
            continue;
          }
          tank.min_volume_m3 = vmin > 0 ? vmin * u.volume() : tank.area_m2 * lvmin * u.length();
        }
      }
      if (!add_node(e, f.tank ? NodeType::Tank : NodeType::Reservoir, el)) continue;
      tank.node = net_.num_nodes() - 1;
      net_.tanks.push_back(tank);
      if (f.tank && tank.volume_curve < 0) {
        Tank& t = net_.tanks.back();
        t.init_volume_m3 = net_.tank_volume(net_.num_tanks() - 1, t.init_head_m);
        t.max_volume_m3 = net_.tank_volume(net_.num_tanks() - 1, t.max_head_m);
      }
    }
    // Junction demands; a junction listed in [DEMANDS] gets those instead (parse_demands).
    junction_demands_.assign(net_.num_junctions, {});
    for (int i = 0; i < net_.num_junctions; ++i)
      junction_demands_[i].push_back({junction_demand[i].first, junction_demand[i].second, ""});
    replaced_demands_.assign(net_.num_junctions, false);
  }

  bool add_node(const Entry& e, NodeType type, double elevation_m) {
    const std::string& id = e.tokens[0];
    if (!check_id(e, id)) return false;
    if (!net_.node_index.try_emplace(id, net_.num_nodes()).second) {
      error(e.line, "duplicate node ID " + id);
      return false;
    }
    net_.node_ids.push_back(id);
    net_.node_type.push_back(type);
    net_.elevation_m.push_back(elevation_m);
    return true;
  }

  // ---- links ----------------------------------------------------------------------------------------
  void parse_links() {
    const UnitSystem& u = net_.units;
    for (const auto& [sec, e] : entries_) {
      if (sec != Section::Pipes && sec != Section::Pumps && sec != Section::Valves) continue;
      const BadIdGuard guard(*this, bad_links_, e.tokens[0]);
      if (!need(e, 3, "ID start-node end-node ...")) continue;
      const int n1 = find_node(e, e.tokens[1]);
      const int n2 = find_node(e, e.tokens[2]);
      if (n1 < 0 || n2 < 0) continue;
      if (n1 == n2) {
        error(e.line, "link " + e.tokens[0] + " starts and ends at node " + e.tokens[1]);
        continue;
      }
      LinkType type = LinkType::Pipe;
      double length = 0, diam = 0, rough = 0, minor = 0, setting = kMissing;
      LinkStatus status = LinkStatus::Open;
      Pump pump;
      if (sec == Section::Pipes) {
        if (!need(e, 6, "ID node1 node2 length diameter roughness [minor-loss] [status]")) continue;
        if (!number(e, 3, length, "length") || !number(e, 4, diam, "diameter") || !number(e, 5, rough, "roughness"))
          continue;
        size_t status_at = 7;
        if (e.tokens.size() == 7 && !parse_number(e.tokens[6], minor)) status_at = 6;
        else if (e.tokens.size() > 6 && !number(e, 6, minor, "minor loss")) continue;
        if (e.tokens.size() > status_at) {
          const std::string& s = e.tokens[status_at];
          if (match(s, "CV")) type = LinkType::CVPipe;
          else if (match(s, "OPEN")) status = LinkStatus::Open;
          else if (match(s, "CLOSED")) status = LinkStatus::Closed;
          else {
            error(e.line, "pipe status must be OPEN, CLOSED or CV, got '" + s + "'");
            continue;
          }
        }
        if (length <= 0 || diam <= 0 || rough <= 0 || minor < 0) {
          error(e.line, "pipe " + e.tokens[0] + ": length, diameter and roughness must be positive");
          continue;
        }
        length *= u.length();
        diam *= u.diameter();
        // Darcy-Weisbach roughness is in millifeet or millimetres; Hazen-Williams C and Manning n as given.
        if (net_.options.headloss == HeadlossFormula::DarcyWeisbach) rough *= u.si ? 0.001 : 0.001 * kMetresPerFoot;
      } else if (sec == Section::Pumps) {
        type = LinkType::Pump;
        setting = 1.0;
        bool have_curve = false;
        bool ok = true;
        if ((e.tokens.size() - 3) % 2 != 0) {
          error(e.line, "pump " + e.tokens[0] + ": expected KEYWORD value pairs");
          continue;
        }
        for (size_t i = 3; i + 1 < e.tokens.size() && ok; i += 2) {
          const std::string& key = e.tokens[i];
          const std::string& val = e.tokens[i + 1];
          double v = 0;
          if (match(key, "POWER")) {
            if (!number(e, i + 1, v, "pump power") || v <= 0) {
              if (ok && parse_number(val, v)) error(e.line, "pump power must be positive");
              ok = false;
              break;
            }
            pump.type = PumpCurveType::ConstantPower;
            // EPANET: head gain h[ft] = 8.814 P[hp] / q[cfs]; here r of h = r q^-1 in SI.
            const double hp = v * u.power() / (kKwPerHp * 1000.0);
            pump.h0 = 0;
            pump.r = -kCfsFtPerHp * hp * kMetresPerFoot * kCubicMetresPerCubicFoot;
            pump.n = -1.0;
            pump.q0_m3s = kCubicMetresPerCubicFoot;
            pump.qmax_m3s = pump.hmax_m = 1e10;
            have_curve = true;
          } else if (match(key, "HEAD")) {
            pump.head_curve = find_curve(e, val);
            if (pump.head_curve < 0) ok = false;
            pump.type = PumpCurveType::PowerFunction;
            have_curve = true;
          } else if (match(key, "SPEED")) {
            if (!number(e, i + 1, v, "pump speed") || v < 0) {
              if (v < 0) error(e.line, "pump speed must not be negative");
              ok = false;
            }
            setting = v;
          } else if (match(key, "PATTERN")) {
            pump.speed_pattern = find_pattern(e, val);
            if (pump.speed_pattern == -2) ok = false;
          } else {
            error(e.line, "pump " + e.tokens[0] + ": unknown keyword " + key);
            ok = false;
          }
        }
        if (!ok) continue;
        if (!have_curve) {
          error(e.line, "pump " + e.tokens[0] + " has neither a head curve nor a power");
          continue;
        }
        if (setting == 0.0) status = LinkStatus::Closed;
      } else {  // valve
        if (!need(e, 6, "ID node1 node2 diameter type setting [minor-loss]")) continue;
        if (!number(e, 3, diam, "diameter")) continue;
        const std::string& ty = e.tokens[4];
        if (equals(ty, "PRV")) type = LinkType::PRV;
        else if (equals(ty, "PSV")) type = LinkType::PSV;
        else if (equals(ty, "PBV")) type = LinkType::PBV;
        else if (equals(ty, "FCV")) type = LinkType::FCV;
        else if (equals(ty, "TCV")) type = LinkType::TCV;
        else if (equals(ty, "GPV")) type = LinkType::GPV;
        else {
          error(e.line, "unknown valve type " + ty);
          continue;
        }
        if (type == LinkType::GPV) {
          const int c = find_curve(e, e.tokens[5]);
          if (c < 0) continue;
          setting = c;
        } else if (!number(e, 5, setting, "valve setting")) {
          continue;
        }
        if (e.tokens.size() > 6 && !number(e, 6, minor, "minor loss")) continue;
        if (diam <= 0 || minor < 0) {
          error(e.line, "valve " + e.tokens[0] + ": diameter must be positive");
          continue;
        }
        if ((type == LinkType::PRV || type == LinkType::PSV || type == LinkType::FCV) &&
            (n1 >= net_.num_junctions || n2 >= net_.num_junctions)) {
          error(e.line, "valve " + e.tokens[0] + ": a " + ty + " cannot be connected to a tank or reservoir");
          continue;
        }
        if (type == LinkType::FCV && setting < 0) {
          error(e.line, "valve " + e.tokens[0] + ": negative flow setting");
          continue;
        }
        diam *= u.diameter();
        setting = convert_valve_setting(type, setting);
        status = LinkStatus::Active;
      }
      const std::string& id = e.tokens[0];
      if (!check_id(e, id)) continue;
      const int k = net_.num_links();
      if (!net_.link_index.try_emplace(id, k).second) {
        error(e.line, "duplicate link ID " + id);
        continue;
      }
      if (is_valve(type) && !valve_placement_ok(e, type, n1, n2)) {
        net_.link_index.erase(id);
        continue;
      }
      net_.link_ids.push_back(id);
      net_.link_type.push_back(type);
      net_.from.push_back(n1);
      net_.to.push_back(n2);
      net_.length_m.push_back(length);
      net_.diameter_m.push_back(diam);
      net_.roughness.push_back(rough);
      net_.minor_loss.push_back(minor);
      net_.init_status.push_back(status);
      net_.init_setting.push_back(setting);
      net_.link_vertices.emplace_back();
      link_line_.push_back(e.line);
      if (type == LinkType::Pump) {
        pump.link = k;
        net_.pumps.push_back(pump);
      }
      if (is_valve(type)) net_.valves.push_back(k);
    }
  }

  double convert_valve_setting(LinkType type, double setting) const {
    switch (type) {
      case LinkType::PRV:
      case LinkType::PSV:
      case LinkType::PBV: return setting * net_.units.pressure_head();
      case LinkType::FCV: return setting * net_.units.flow();
      default: return setting;
    }
  }

  /// EPANET 2.2 valvecheck(): pressure and flow control valves that would fight each other.
  bool valve_placement_ok(const Entry& e, LinkType type, int j1, int j2) {
    for (int k : net_.valves) {
      const LinkType vt = net_.link_type[k];
      const int v1 = net_.from[k], v2 = net_.to[k];
      bool bad = false;
      if (vt == LinkType::PRV && type == LinkType::PRV) bad = v2 == j2 || v2 == j1 || v1 == j2;
      if (vt == LinkType::PSV && type == LinkType::PSV) bad = bad || v1 == j1 || v1 == j2 || v2 == j1;
      if (vt == LinkType::PSV && type == LinkType::PRV && v1 == j2) bad = true;
      if (vt == LinkType::PRV && type == LinkType::PSV && v2 == j1) bad = true;
      if (vt == LinkType::FCV && type == LinkType::PSV && v2 == j1) bad = true;
      if (vt == LinkType::FCV && type == LinkType::PRV && v1 == j2) bad = true;
      if (vt == LinkType::PSV && type == LinkType::FCV && v1 == j2) bad = true;
      if (vt == LinkType::PRV && type == LinkType::FCV && v2 == j1) bad = true;
      if (bad) {
        error(e.line, "valve " + e.tokens[0] + " shares a node with valve " + net_.link_ids[k] +
                          " in a way EPANET forbids");
        return false;
      }
    }
    return true;
  }

  // ---- [DEMANDS], [STATUS], [EMITTERS] --------------------------------------------------------------
  void parse_demands() {
    for (const auto& e : by_section(Section::Demands)) {
      if (!need(e, 2, "junction demand [pattern] [category]")) continue;
      const int n = find_node(e, e.tokens[0]);
      if (n < 0) continue;
      if (n >= net_.num_junctions) {
        error(e.line, "node " + e.tokens[0] + " is not a junction");
        continue;
      }
      double d = 0;
      if (!number(e, 1, d, "demand")) continue;
      int pat = net_.options.default_pattern;
      if (e.tokens.size() > 2) {
        pat = find_pattern(e, e.tokens[2]);
        if (pat == -2) continue;
        if (pat == -1) pat = net_.options.default_pattern;
      }
      std::string category = e.tokens.size() > 3 ? e.tokens[3] : e.comment;
      while (!category.empty() && std::isspace(static_cast<unsigned char>(category.back()))) category.pop_back();
      while (!category.empty() && std::isspace(static_cast<unsigned char>(category.front()))) category.erase(0, 1);
      if (!replaced_demands_[n]) {
        junction_demands_[n].clear();
        replaced_demands_[n] = true;
      }
      junction_demands_[n].push_back({d * net_.units.flow(), pat, category});
    }
    net_.demand_begin.assign(1, 0);
    for (int i = 0; i < net_.num_junctions; ++i) {
      for (const auto& d : junction_demands_[i]) {
        net_.demand_base_m3s.push_back(d.base);
        net_.demand_pattern.push_back(d.pattern);
        net_.demand_category.push_back(d.category);
      }
      net_.demand_begin.push_back(static_cast<int>(net_.demand_base_m3s.size()));
    }
  }

  void parse_status() {
    for (const auto& e : by_section(Section::Status)) {
      if (!need(e, 2, "link status|setting")) continue;
      const int k = find_link(e, e.tokens[0]);
      if (k < 0) continue;
      const std::string& s = e.tokens[1];
      const LinkType t = net_.link_type[k];
      if (t == LinkType::CVPipe) {
        error(e.line, "cannot set the status of check valve " + e.tokens[0]);
        continue;
      }
      LinkStatus status = LinkStatus::Active;
      double v = 0;
      if (match(s, "OPEN")) status = LinkStatus::Open;
      else if (match(s, "CLOSED")) status = LinkStatus::Closed;
      else if (match(s, "ACTIVE")) status = LinkStatus::Active;
      else if (!parse_number(s, v)) {
        error(e.line, "status must be OPEN, CLOSED or a setting, got '" + s + "'");
        continue;
      }
      // EPANET 2.2 changestatus().
      if (t == LinkType::Pipe || t == LinkType::GPV) {
        if (status == LinkStatus::Active && !match(s, "ACTIVE") && t == LinkType::Pipe) {
          error(e.line, "a pipe takes OPEN or CLOSED, not a setting");
          continue;
        }
        if (status != LinkStatus::Active) net_.init_status[k] = status;
      } else if (t == LinkType::Pump) {
        if (status == LinkStatus::Active) {
          if (v < 0) {
            error(e.line, "pump speed must not be negative");
            continue;
          }
          net_.init_setting[k] = v;
          status = v == 0.0 ? LinkStatus::Closed : LinkStatus::Open;
        } else if (status == LinkStatus::Open) {
          net_.init_setting[k] = 1.0;
        }
        net_.init_status[k] = status;
      } else {
        if (status == LinkStatus::Active && !match(s, "ACTIVE")) net_.init_setting[k] = convert_valve_setting(t, v);
        net_.init_status[k] = status;
        if (status != LinkStatus::Active) net_.init_setting[k] = kMissing;
      }
    }
  }

  void parse_emitters() {
    net_.emitter_coeff.assign(net_.num_nodes(), 0.0);
    const double qexp = 1.0 / net_.options.emitter_exponent;
    for (const auto& e : by_section(Section::Emitters)) {
      if (!need(e, 2, "junction coefficient")) continue;
      const int n = find_node(e, e.tokens[0]);
      double c = 0;
      if (n < 0 || !number(e, 1, c, "emitter coefficient")) continue;
      if (n >= net_.num_junctions) {
        error(e.line, "emitters belong on junctions, " + e.tokens[0] + " is not one");
        continue;
      }
      if (c < 0) {
        error(e.line, "emitter coefficient must not be negative");
        continue;
      }
      // q = C p^(1/qexp)  =>  h = (q / C)^qexp in consistent units.
      if (c > 0) net_.emitter_coeff[n] = net_.units.pressure_head() / std::pow(c * net_.units.flow(), qexp);
    }
  }

  // ---- [CONTROLS] -----------------------------------------------------------------------------------
  bool link_action(const Entry& e, int k, const std::string& word, LinkStatus& status, double& setting) {
    const LinkType t = net_.link_type[k];
    if (t == LinkType::CVPipe) {
      error(e.line, "check valve " + net_.link_ids[k] + " cannot be controlled");
      return false;
    }
    double v = 0;
    if (match(word, "OPEN")) {
      status = LinkStatus::Open;
      setting = t == LinkType::Pump ? 1.0 : (t == LinkType::GPV ? net_.init_setting[k] : kMissing);
    } else if (match(word, "CLOSED")) {
      status = LinkStatus::Closed;
      setting = t == LinkType::Pump ? 0.0 : (t == LinkType::GPV ? net_.init_setting[k] : kMissing);
    } else if (parse_number(word, v)) {
      if (t == LinkType::Pipe || t == LinkType::GPV) {
        error(e.line, "link " + net_.link_ids[k] + " takes OPEN or CLOSED, not a setting");
        return false;
      }
      if (v < 0) {
        error(e.line, "negative setting " + word);
        return false;
      }
      if (t == LinkType::Pump) {
        status = v == 0.0 ? LinkStatus::Closed : LinkStatus::Open;
        setting = v;
      } else {
        status = LinkStatus::Active;
        setting = convert_valve_setting(t, v);
      }
    } else {
      error(e.line, "expected OPEN, CLOSED or a setting, got '" + word + "'");
      return false;
    }
    return true;
  }

  void parse_controls() {
    for (const auto& e : by_section(Section::Controls)) {
      const auto& t = e.tokens;
      // LINK id status IF NODE id ABOVE|BELOW value | LINK id status AT TIME t | AT CLOCKTIME t [AM|PM]
      if (t.size() < 6 || !match(t[0], "LINK")) {
        error(e.line, "expected LINK id status IF NODE id ABOVE|BELOW value, or LINK id status AT TIME|CLOCKTIME t");
        continue;
      }
      Control c;
      c.link = find_link(e, t[1]);
      if (c.link < 0) continue;
      if (!link_action(e, c.link, t[2], c.status, c.setting)) continue;
      if (match(t[3], "IF")) {
        if (t.size() < 7 || !match(t[4], "NODE")) {
          error(e.line, "expected IF NODE id ABOVE|BELOW value");
          continue;
        }
        c.node = find_node(e, t[5]);
        if (c.node < 0) continue;
        if (match(t[6], "ABOVE")) c.type = ControlType::HiLevel;
        else if (match(t[6], "BELOW")) c.type = ControlType::LowLevel;
        else {
          error(e.line, "expected ABOVE or BELOW, got '" + t[6] + "'");
          continue;
        }
        double v = 0;
        if (!number(e, 7, v, "control level")) continue;
        const double el = net_.elevation_m[c.node];
        if (c.node >= net_.num_junctions) c.grade_m = el + v * net_.units.length();
        else c.grade_m = el + v * net_.units.pressure_head();
      } else if (match(t[3], "AT")) {
        const bool clock = match(t[4], "CLOCKTIME");
        if (!clock && !match(t[4], "TIME")) {
          error(e.line, "expected AT TIME or AT CLOCKTIME");
          continue;
        }
        const TimeParse tp = parse_hours(t[5], t.size() > 6 ? t[6] : "");
        if (!tp.ok) {
          error(e.line, "invalid time '" + t[5] + "'");
          continue;
        }
        c.type = clock ? ControlType::TimeOfDay : ControlType::Timer;
        c.time_s = hours_to_s(tp.hours);
        if (clock) c.time_s %= 86400;
      } else {
        error(e.line, "expected IF or AT, got '" + t[3] + "'");
        continue;
      }
      net_.controls.push_back(c);
    }
  }

  // ---- [RULES] --------------------------------------------------------------------------------------
  void parse_rules() {
    enum class Part { None, Premise, Then, Else, Priority } part = Part::None;
    bool rule_ok = true;
    auto close_rule = [&] {
      if (rule_ && (!rule_ok || rule_->then_actions.empty())) {
        if (rule_ok) error(rule_line_, "rule " + rule_->id + " has no THEN action");
        net_.rules.pop_back();
      }
      rule_ = nullptr;
    };
    for (const auto& e : by_section(Section::Rules)) {
      const auto& t = e.tokens;
      const std::string& k = t[0];
      if (match(k, "RULE")) {
        close_rule();
        if (!need(e, 2, "RULE id")) continue;
        net_.rules.push_back(Rule{t[1], {}, {}, {}, 0});
        rule_ = &net_.rules.back();
        rule_ok = true;
        rule_line_ = e.line;
        part = Part::None;
        continue;
      }
      if (!rule_) {
        error(e.line, "rule clause outside a RULE");
        continue;
      }
      if (!rule_ok) continue;
      bool ok = true;
      if (match(k, "IF")) {
        if (part != Part::None) ok = false, error(e.line, "IF must open the rule");
        else part = Part::Premise, ok = premise(e, false);
      } else if (match(k, "AND")) {
        if (part == Part::Premise) ok = premise(e, false);
        else if (part == Part::Then || part == Part::Else) ok = action(e, part == Part::Else);
        else ok = false, error(e.line, "AND out of place");
      } else if (match(k, "OR")) {
        if (part != Part::Premise) ok = false, error(e.line, "OR belongs to the premises");
        else ok = premise(e, true);
      } else if (match(k, "THEN")) {
        if (part != Part::Premise) ok = false, error(e.line, "THEN must follow the premises");
        else part = Part::Then, ok = action(e, false);
      } else if (match(k, "ELSE")) {
        if (part != Part::Then) ok = false, error(e.line, "ELSE must follow THEN");
        else part = Part::Else, ok = action(e, true);
      } else if (match(k, "PRIORITY")) {
        double v = 0;
        if (part != Part::Then && part != Part::Else) ok = false, error(e.line, "PRIORITY must follow the actions");
        else if (!number(e, 1, v, "priority")) ok = false;
        else rule_->priority = v, part = Part::Priority;
      } else {
        ok = false;
        error(e.line, "unknown rule clause " + k);
      }
      if (!ok) rule_ok = false;
    }
    close_rule();
  }

  RuleRelop parse_relop(const std::string& s, bool& ok) {
    ok = true;
    if (s == "=" || equals(s, "IS")) return RuleRelop::Eq;
    if (s == "<>" || equals(s, "NOT")) return RuleRelop::Ne;
    if (s == "<" || equals(s, "BELOW")) return RuleRelop::Lt;
    if (s == ">" || equals(s, "ABOVE")) return RuleRelop::Gt;
    if (s == "<=") return RuleRelop::Le;
    if (s == ">=") return RuleRelop::Ge;
    ok = false;
    return RuleRelop::Eq;
  }

  bool rule_status_word(const std::string& s, RuleStatus& st) {
    if (match(s, "OPEN")) st = RuleStatus::Open;
    else if (match(s, "CLOSED")) st = RuleStatus::Closed;
    else if (match(s, "ACTIVE")) st = RuleStatus::Active;
    else return false;
    return true;
  }

  bool premise(const Entry& e, bool is_or) {
    const auto& t = e.tokens;
    RulePremise p;
    p.is_or = is_or;
    size_t i = 1;
    if (t.size() < 4) {
      error(e.line, "premise: expected object id attribute relation value");
      return false;
    }
    const std::string& obj = t[i];
    if (match(obj, "SYSTEM")) {
      p.object = RuleObject::System;
      ++i;
    } else {
      const bool node = match(obj, "NODE") || match(obj, "JUNC") || match(obj, "RESERV") || match(obj, "TANK");
      const bool link = match(obj, "LINK") || match(obj, "PIPE") || match(obj, "PUMP") || match(obj, "VALVE");
      if (!node && !link) {
        error(e.line, "unknown rule object " + obj);
        return false;
      }
      if (t.size() < 6) {
        error(e.line, "premise: expected object id attribute relation value");
        return false;
      }
      p.object = node ? RuleObject::Node : RuleObject::Link;
      p.index = node ? find_node(e, t[i + 1]) : find_link(e, t[i + 1]);
      if (p.index < 0) return false;
      i += 2;
    }
    const std::string& var = t[i];
    if (match(var, "DEMAND")) p.variable = RuleVariable::Demand;
    else if (match(var, "HEAD") || match(var, "GRADE")) p.variable = RuleVariable::Head;
    else if (match(var, "LEVEL")) p.variable = RuleVariable::Level;
    else if (match(var, "PRESSURE")) p.variable = RuleVariable::Pressure;
    else if (match(var, "FLOW")) p.variable = RuleVariable::Flow;
    else if (match(var, "STATUS")) p.variable = RuleVariable::Status;
    else if (match(var, "SETTING")) p.variable = RuleVariable::Setting;
    else if (match(var, "POWER")) p.variable = RuleVariable::Power;
    else if (match(var, "CLOCKTIME")) p.variable = RuleVariable::ClockTime;
    else if (match(var, "TIME")) p.variable = RuleVariable::Time;
    else if (match(var, "FILLTIME")) p.variable = RuleVariable::FillTime;
    else if (match(var, "DRAINTIME")) p.variable = RuleVariable::DrainTime;
    else {
      error(e.line, "unknown rule attribute " + var);
      return false;
    }
    const bool node_var = p.variable == RuleVariable::Demand || p.variable == RuleVariable::Head ||
                          p.variable == RuleVariable::Level || p.variable == RuleVariable::Pressure ||
                          p.variable == RuleVariable::FillTime || p.variable == RuleVariable::DrainTime;
    const bool link_var = p.variable == RuleVariable::Flow || p.variable == RuleVariable::Status ||
                          p.variable == RuleVariable::Setting || p.variable == RuleVariable::Power;
    const bool sys_var = p.variable == RuleVariable::Demand || p.variable == RuleVariable::Time ||
                         p.variable == RuleVariable::ClockTime;
    if ((p.object == RuleObject::Node && !node_var) || (p.object == RuleObject::Link && !link_var) ||
        (p.object == RuleObject::System && !sys_var)) {
      error(e.line, "attribute " + var + " does not apply to that object");
      return false;
    }
    if (t.size() < i + 3) {
      error(e.line, "premise: missing relation or value");
      return false;
    }
    bool ok = false;
    p.relop = parse_relop(t[i + 1], ok);
    if (!ok) {
      error(e.line, "unknown relation " + t[i + 1]);
      return false;
    }
    const std::string& val = t[i + 2];
    if (p.variable == RuleVariable::Time || p.variable == RuleVariable::ClockTime) {
      const TimeParse tp = parse_hours(val, t.size() > i + 3 ? t[i + 3] : "");
      if (!tp.ok) {
        error(e.line, "invalid time '" + val + "'");
        return false;
      }
      p.value = static_cast<double>(hours_to_s(tp.hours));
    } else if (p.variable == RuleVariable::Status) {
      if (!rule_status_word(val, p.status)) {
        error(e.line, "expected OPEN, CLOSED or ACTIVE, got '" + val + "'");
        return false;
      }
      if (p.relop != RuleRelop::Eq && p.relop != RuleRelop::Ne) {
        error(e.line, "a status compares with IS or NOT only");
        return false;
      }
    } else if (!number(e, i + 2, p.value, "premise value")) {
      return false;
    }
    rule_->premises.push_back(p);
    return true;
  }

  bool action(const Entry& e, bool is_else) {
    const auto& t = e.tokens;
    // THEN LINK id STATUS|SETTING IS value
    if (t.size() < 6) {
      error(e.line, "action: expected LINK id STATUS|SETTING IS value");
      return false;
    }
    if (!(match(t[1], "LINK") || match(t[1], "PIPE") || match(t[1], "PUMP") || match(t[1], "VALVE"))) {
      error(e.line, "actions apply to links, not " + t[1]);
      return false;
    }
    RuleAction a;
    a.link = find_link(e, t[2]);
    if (a.link < 0) return false;
    if (!(equals(t[4], "IS") || t[4] == "=")) {
      error(e.line, "action: expected IS");
      return false;
    }
    const LinkType lt = net_.link_type[a.link];
    if (match(t[3], "STATUS")) {
      if (!rule_status_word(t[5], a.status) || a.status == RuleStatus::Active) {
        error(e.line, "a status action takes OPEN or CLOSED");
        return false;
      }
      if (lt == LinkType::CVPipe) {
        error(e.line, "check valve " + t[2] + " cannot be controlled");
        return false;
      }
    } else if (match(t[3], "SETTING")) {
      if (!number(e, 5, a.setting, "setting")) return false;
      if (lt == LinkType::Pipe || lt == LinkType::CVPipe || lt == LinkType::GPV || a.setting < 0) {
        error(e.line, "link " + t[2] + " takes no setting " + t[5]);
        return false;
      }
    } else {
      error(e.line, "action: expected STATUS or SETTING");
      return false;
    }
    (is_else ? rule_->else_actions : rule_->then_actions).push_back(a);
    return true;
  }

  // ---- [ENERGY] -------------------------------------------------------------------------------------
  void parse_energy() {
    auto& en = net_.energy;
    for (const auto& e : by_section(Section::Energy)) {
      const auto& t = e.tokens;
      double v = 0;
      if (match(t[0], "GLOBAL") || match(t[0], "DEMAND")) {
        if (match(t[0], "DEMAND")) {
          if (number(e, t.size() > 2 ? 2 : 1, v, "demand charge")) en.demand_charge = v;
          continue;
        }
        if (!need(e, 3, "GLOBAL EFFIC|PRICE|PATTERN value")) continue;
        if (match(t[1], "EFFIC")) {
          if (number(e, 2, v, "efficiency")) {
            if (v <= 0 || v > 100) error(e.line, "efficiency must be in (0, 100]");
            else en.efficiency_pct = v;
          }
        } else if (match(t[1], "PRICE")) {
          if (number(e, 2, v, "price")) en.price = v;
        } else if (match(t[1], "PATTERN")) {
          const int p = find_pattern(e, t[2]);
          if (p >= -1) en.price_pattern = p;
        } else {
          error(e.line, "unknown energy keyword " + t[1]);
        }
      } else if (match(t[0], "PUMP")) {
        if (!need(e, 4, "PUMP id EFFIC|PRICE|PATTERN value")) continue;
        const int k = find_link(e, t[1]);
        if (k < 0) continue;
        if (net_.link_type[k] != LinkType::Pump) {
          error(e.line, "link " + t[1] + " is not a pump");
          continue;
        }
        Pump* pump = nullptr;
        for (auto& p : net_.pumps)
          if (p.link == k) pump = &p;
        if (match(t[2], "EFFIC")) {
          const int c = find_curve(e, t[3]);
          if (c >= 0) pump->efficiency_curve = c;
        } else if (match(t[2], "PRICE")) {
          if (number(e, 3, v, "price")) pump->price = v;
        } else if (match(t[2], "PATTERN")) {
          const int p = find_pattern(e, t[3]);
          if (p >= -1) pump->price_pattern = p;
        } else {
          error(e.line, "unknown pump energy keyword " + t[2]);
        }
      } else {
        error(e.line, "unknown energy keyword " + t[0]);
      }
    }
  }

  // ---- [COORDINATES], [VERTICES] --------------------------------------------------------------------
  void parse_coordinates() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    net_.x.assign(net_.num_nodes(), nan);
    net_.y.assign(net_.num_nodes(), nan);
    for (const auto& e : by_section(Section::Coordinates)) {
      if (!need(e, 3, "node x y")) continue;
      const int n = find_node(e, e.tokens[0]);
      double x = 0, y = 0;
      if (n < 0 || !number(e, 1, x, "X") || !number(e, 2, y, "Y")) continue;
      net_.x[n] = x;
      net_.y[n] = y;
    }
  }

  void parse_vertices() {
    for (const auto& e : by_section(Section::Vertices)) {
      if (!need(e, 3, "link x y")) continue;
      const int k = find_link(e, e.tokens[0]);
      double x = 0, y = 0;
      if (k < 0 || !number(e, 1, x, "X") || !number(e, 2, y, "Y")) continue;
      net_.link_vertices[k].push_back(x);
      net_.link_vertices[k].push_back(y);
    }
  }

  // ---- the rest ---------------------------------------------------------------------------------------
  void keep_raw_sections() {
    for (Section s : {Section::Quality, Section::Sources, Section::Reactions, Section::Mixing, Section::Report,
                      Section::Labels, Section::Backdrop, Section::Tags, Section::Roughness}) {
      RawSection raw;
      for (const auto& sn : kSections)
        if (sn.section == s) raw.name = sn.name;
      for (const auto& e : by_section(s)) {
        check_raw_references(s, e);
        raw.lines.push_back(e.raw);
      }
      if (!raw.lines.empty()) net_.raw_sections.push_back(std::move(raw));
    }
  }

  void check_raw_references(Section s, const Entry& e) {
    const auto& t = e.tokens;
    switch (s) {
      case Section::Quality:
        if (need(e, 2, "node quality")) find_node(e, t[0]);
        break;
      case Section::Sources:
        if (need(e, 3, "node type strength [pattern]")) find_node(e, t[0]);
        break;
      case Section::Mixing:
        if (need(e, 2, "tank model [fraction]")) find_node(e, t[0]);
        break;
      case Section::Tags:
        if (need(e, 3, "NODE|LINK id tag")) {
          if (match(t[0], "NODE")) find_node(e, t[1]);
          else if (match(t[0], "LINK")) find_link(e, t[1]);
          else error(e.line, "tag object must be NODE or LINK");
        }
        break;
      default: break;
    }
  }

  void check_network() {
    if (net_.num_nodes() == 0 || net_.num_tanks() == 0) {
      errors_.add(SourceLocation{file_, 0, ""}, "the network needs at least one reservoir or tank");
      return;
    }
    if (net_.num_links() == 0) {
      errors_.add(SourceLocation{file_, 0, ""}, "the network has no links");
      return;
    }
    std::vector<int> degree(net_.num_nodes(), 0);
    for (int k = 0; k < net_.num_links(); ++k) ++degree[net_.from[k]], ++degree[net_.to[k]];
    for (int n = 0; n < net_.num_nodes(); ++n) {
      if (degree[n] == 0) errors_.add(SourceLocation{file_, 0, "node " + net_.node_ids[n]}, "not connected to any link");
    }
  }

  struct DemandTmp {
    double base;
    int pattern;
    std::string category;
  };

  std::string file_;
  ErrorList errors_;
  std::vector<std::pair<Section, Entry>> entries_;
  std::vector<Section> section_order_;
  std::string default_pattern_id_ = "1";
  std::vector<std::vector<DemandTmp>> junction_demands_;
  std::vector<bool> replaced_demands_;
  std::vector<int> link_line_;
  // IDs whose definition had an error: later references to them are not reported again.
  std::set<std::string> bad_nodes_, bad_links_;
  Network net_;
  Rule* rule_ = nullptr;
  int rule_line_ = 0;
};

}  // namespace

Network parse_inp(std::string_view text, const std::string& file) { return InpParser(text, file).parse(); }

Network read_inp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_inp(ss.str(), path);
}

}  // namespace citytwin::water
