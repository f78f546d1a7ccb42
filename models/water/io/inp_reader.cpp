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
constexpr size_t kMaxTokens = 40;  // EPANET's MAXTOKS: tokens of a line beyond it are ignored

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

/// EPANET's hour(): "h", "h:mm" or "h:mm:ss" (empty fields between colons skipped) or a decimal, with an
/// optional unit for a decimal (words starting SEC, MIN, HOU, DAY) or AM/PM for clock times.
TimeParse parse_hours(std::string_view value, std::string_view unit) {
  TimeParse r;
  double parts[3] = {0, 0, 0};
  int n = 0;
  size_t start = 0;
  while (start <= value.size()) {
    size_t colon = value.find(':', start);
    if (colon == std::string_view::npos) colon = value.size();
    const std::string_view piece = value.substr(start, colon - start);
    start = colon + 1;
    if (piece.empty()) continue;
    if (n == 3 || !parse_number(piece, parts[n])) return r;
    ++n;
  }
  if (n == 0 || parts[0] < 0) return r;
  double y = parts[0];
  if (n == 1 && !unit.empty()) {
    bool done = true;
    if (match(unit, "SEC")) y /= 3600.0;
    else if (match(unit, "MIN")) y /= 60.0;
    else if (match(unit, "HOU")) {
    } else if (match(unit, "DAY")) y *= 24.0;
    else done = false;
    if (done) {
      r.ok = true;
      r.hours = y;
      return r;
    }
  }
  if (n > 1) y += parts[1] / 60.0 + parts[2] / 3600.0;
  if (!unit.empty()) {
    if (match(unit, "AM")) {
      if (y >= 13.0) return r;
      if (y >= 12.0) y -= 12.0;
    } else if (match(unit, "PM")) {
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
    bool have_section = false, skipping = false;
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
      tokenize(data, e.tokens);
      if (e.tokens.empty()) {
        // Comments right after [CURVES] carry the curve type ("PUMP: ..."); nothing else needs them.
        continue;
      }
      if (e.tokens[0][0] == '[') {
        // EPANET 2.2's findmatch(): the header token starts with the whole "[NAME]" (any case), so
        // "[junctions]" and "[JUNCTIONS]xyz" open [JUNCTIONS]; "[JUNC]" is unknown.
        const std::string token = upper(e.tokens[0]);
        bool found = false;
        for (const auto& s : kSections) {
          const std::string header = std::string("[") + s.name + "]";
          if (token.compare(0, header.size(), header) == 0) {
            current = s.section;
            found = true;
            break;
          }
        }
        if (!found) {
          error(line_no, "unknown section " + e.tokens[0]);
          skipping = true;  // its lines are not read, as EPANET does not read them
          continue;
        }
        have_section = true;
        skipping = false;
        if (current == Section::End) break;
        section_order_.push_back(current);
        continue;
      }
      if (skipping) continue;
      if (!have_section) {
        error(line_no, "data before the first [SECTION] header");
        continue;
      }
      entries_.push_back({current, std::move(e)});
    }
  }

  static bool is_separator(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

  /// EPANET's gettokens(): tokens split at blanks, tabs and line ends; text in double quotes is one token
  /// (an unclosed quote runs to the end of the line); at most kMaxTokens tokens, the rest dropped.
  static void tokenize(std::string_view s, std::vector<std::string>& out) {
    size_t i = 0;
    while (i < s.size() && out.size() < kMaxTokens) {
      while (i < s.size() && is_separator(s[i])) ++i;
      if (i >= s.size()) break;
      if (s[i] == '"') {
        size_t close = s.find('"', i + 1);
        if (close == std::string_view::npos) close = s.size();
        out.emplace_back(s.substr(i + 1, close - i - 1));
        i = close + 1;
      } else {
        const size_t start = i;
        while (i < s.size() && !is_separator(s[i])) ++i;
        out.emplace_back(s.substr(start, i - start));
      }
    }
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
  /// EPANET's getunitsoption(): the first flow-unit name the word starts with (SI stands for LPS).
  static bool flow_units_word(const std::string& w, FlowUnits& out) {
    static const std::array<std::pair<const char*, FlowUnits>, 12> kWords{{
        {"CFS", FlowUnits::CFS}, {"GPM", FlowUnits::GPM}, {"AFD", FlowUnits::AFD}, {"MGD", FlowUnits::MGD},
        {"IMGD", FlowUnits::IMGD}, {"LPS", FlowUnits::LPS}, {"LPM", FlowUnits::LPM}, {"CMH", FlowUnits::CMH},
        {"CMD", FlowUnits::CMD}, {"MLD", FlowUnits::MLD}, {"CMS", FlowUnits::CMS}, {"SI", FlowUnits::LPS}}};
    for (const auto& [name, units] : kWords) {
      if (match(w, name)) {
        out = units;
        return true;
      }
    }
    return false;
  }

  /// EPANET 2.2 optiondata(): a named choice (optionchoice) or a number (optionvalue). A keyword without
  /// its value is ignored, as EPANET ignores it.
  void parse_options() {
    auto& o = net_.options;
    auto& u = net_.units;
    bool pressure_given = false;
    std::string default_pattern = "1";
    double min_p = 0, req_p = 0.1, viscosity = -1, head_error = 0, flow_change = 0;
    for (const auto& e : by_section(Section::Options)) {
      const auto& t = e.tokens;
      const std::string& k = t[0];
      const size_t n = t.size() - 1;  // index of the last token, as EPANET counts
      if (match(k, "UNIT")) {
        if (n >= 1 && !flow_units_word(t[1], u.flow_units)) error(e.line, "unknown flow units " + t[1]);
        continue;
      }
      if (match(k, "PRESSURE") && !(n >= 1 && match(t[1], "EXP"))) {
        if (n < 1) continue;
        if (match(t[1], "PSI")) u.pressure_units = PressureUnits::PSI;
        else if (match(t[1], "KPA")) u.pressure_units = PressureUnits::KPA;
        else if (match(t[1], "METERS")) u.pressure_units = PressureUnits::METERS;
        else error(e.line, "unknown pressure units " + t[1]);
        pressure_given = true;
        continue;
      }
      if (match(k, "HEADL")) {
        if (n < 1) continue;
        if (match(t[1], "H-W")) o.headloss = HeadlossFormula::HazenWilliams;
        else if (match(t[1], "D-W")) o.headloss = HeadlossFormula::DarcyWeisbach;
        else if (match(t[1], "C-M")) o.headloss = HeadlossFormula::ChezyManning;
        else error(e.line, "unknown headloss formula " + t[1]);
        continue;
      }
      if (match(k, "HYDR")) {
        if (n >= 2 && !(match(t[1], "USE") || match(t[1], "SAVE"))) error(e.line, "expected HYDRAULICS USE|SAVE file");
        continue;
      }
      // Water quality, map file and the deprecated VERIFY: no effect on hydraulics.
      if (match(k, "QUAL") || match(k, "MAP") || match(k, "VERI")) continue;
      if (match(k, "UNBA")) {
        if (n < 1) continue;
        if (match(t[1], "STOP")) o.extra_trials = -1;
        else if (match(t[1], "CONT")) o.extra_trials = n >= 2 ? clamp_int(std::atoi(t[2].c_str()), 0, 100000) : 0;
        else error(e.line, "expected UNBALANCED STOP or CONTINUE");
        continue;
      }
      if (match(k, "PATT")) {
        if (n >= 1) default_pattern = t[1];
        continue;
      }
      if (match(k, "DEMAND") && n >= 1 && match(t[1], "MODEL")) {
        if (n < 2) continue;
        if (match(t[2], "DDA")) o.demand_model = DemandModel::DDA;
        else if (match(t[2], "PDA")) o.demand_model = DemandModel::PDA;
        else error(e.line, "unknown demand model " + t[2]);
        continue;
      }
      // EPANET 2.3's BACKFLOW ALLOWED YES|NO: accepted, no effect here.
      if (match(k, "BACKFLOW")) continue;
      if (match(k, "SEGM")) continue;
      // Numerical options: the value is the second token, or the third after a two-word keyword.
      const bool two_words = match(k, "SPEC") || match(k, "EMIT") || match(k, "DEMAND") || match(k, "MINI") ||
                             match(k, "REQ") || match(k, "PRESSURE");
      const size_t at = two_words ? 2 : 1;
      if (n < at) continue;
      double v = 0;
      if (!parse_number(t[at], v)) {
        error(e.line, k + ": expected a number, got '" + t[at] + "'");
        continue;
      }
      auto non_negative = [&] {
        if (v < 0) error(e.line, k + " must not be negative");
        return v >= 0;
      };
      if (match(k, "TOLER") || match(k, "DIFF")) {
        non_negative();
      } else if (match(k, "DAMPLIMIT")) {
        o.damp_limit = v;
      } else if (match(k, "FLOWCHANGE")) {
        if (non_negative()) flow_change = v;
      } else if (match(k, "HEADERROR")) {
        if (non_negative()) head_error = v;
      } else if (match(k, "MINI")) {
        if (non_negative()) min_p = v;
      } else if (match(k, "REQ")) {
        if (non_negative()) req_p = v;
      } else if (match(k, "PRESSURE")) {
        if (v <= 0) error(e.line, "pressure exponent must be positive");
        else o.pressure_exponent = v;
      } else if (v <= 0) {
        // All other numerical options must be positive (EPANET error 213).
        error(e.line, k + " must be positive");
      } else if (match(k, "VISC")) {
        viscosity = v;
      } else if (match(k, "SPEC")) {
        u.specific_gravity = v;
      } else if (match(k, "TRIAL")) {
        if (v < 1) error(e.line, "trials must be at least 1");
        else o.trials = clamp_int(v, 1, 100000);
      } else if (match(k, "ACCU")) {
        o.accuracy = std::clamp(v, 1e-5, 1e-1);  // EPANET keeps ACCURACY within [1e-5, 0.1]
      } else if (match(k, "HTOL") || match(k, "QTOL") || match(k, "RQTOL")) {
        // Undocumented solver tolerances: accepted, the solver keeps EPANET's defaults.
        if (match(k, "RQTOL") && v >= 1) error(e.line, "RQTOL must be below 1");
      } else if (match(k, "CHECKFREQ")) {
        o.check_freq = clamp_int(v, 1, 100000);
      } else if (match(k, "MAXCHECK")) {
        o.max_check = clamp_int(v, 1, 100000);
      } else if (match(k, "EMIT")) {
        o.emitter_exponent = v;
      } else if (match(k, "DEMAND")) {
        o.demand_multiplier = v;
        dmult_line_ = e.line;
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
  /// EPANET 2.2 timedata(): the value is read from the right (the last token, or the last two as a value
  /// and its unit), the keyword from the left.
  void parse_times() {
    auto& tm = net_.times;
    for (const auto& e : by_section(Section::Times)) {
      const auto& t = e.tokens;
      const std::string& k = t[0];
      const size_t n = t.size() - 1;
      if (n < 1) {
        error(e.line, "missing time value");
        continue;
      }
      if (match(k, "STAT")) {
        const std::string& w = t[n];
        if (!(match(w, "NONE") || match(w, "NO") || match(w, "AVERAGE") || match(w, "MINIMUM") || match(w, "MAXIMUM") ||
              match(w, "RANGE")))
          error(e.line, "unknown statistic " + w);
        continue;
      }
      TimeParse tp = parse_hours(t[n], "");
      if (!tp.ok) tp = parse_hours(t[n - 1], t[n]);
      if (!tp.ok) {
        error(e.line, "invalid time '" + t[n - 1] + " " + t[n] + "'");
        continue;
      }
      long* target = nullptr;
      bool clock = false;
      if (match(k, "DURA")) target = &tm.duration;
      else if (match(k, "HYDR")) target = &tm.hydraulic_step;
      else if (match(k, "QUAL")) target = &tm.quality_step;
      else if (match(k, "RULE")) target = &tm.rule_step;
      else if (match(k, "MINI")) continue;  // MINIMUM TRAVELTIME: no longer used
      else if (match(k, "PATT") || match(k, "REPO")) {
        const bool pattern = match(k, "PATT");
        if (match(t[1], "TIME")) target = pattern ? &tm.pattern_step : &tm.report_step;
        else if (match(t[1], "STAR")) target = pattern ? &tm.pattern_start : &tm.report_start;
        else {
          error(e.line, "expected " + k + " TIMESTEP or " + k + " START, got '" + t[1] + "'");
          continue;
        }
      } else if (match(k, "STAR")) target = &tm.start_clocktime, clock = true;
      else {
        error(e.line, "unknown time option " + k);
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
      if (e.tokens.size() < 2) {
        error(e.line, "pattern " + id + ": no multipliers on the line");
        continue;
      }
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
    for (const auto& e : by_section(Section::Curves)) {
      const std::string& id = e.tokens[0];
      if (!check_id(e, id)) continue;
      // EPANET's curvedata(): one X Y point per line; further tokens are ignored.
      if (e.tokens.size() < 3) {
        error(e.line, "curve " + id + ": expected X Y");
        continue;
      }
      double x = 0, y = 0;
      if (!number(e, 1, x, "curve X") || !number(e, 2, y, "curve Y")) continue;
      auto [it, added] = net_.curve_index.try_emplace(id, static_cast<int>(net_.curves.size()));
      if (added) net_.curves.push_back(Curve{id, {}, {}});
      Curve& c = net_.curves[it->second];
      if (!c.x.empty() && x <= c.x.back()) {
        error(e.line, "curve " + id + ": X values must increase");
        continue;
      }
      c.x.push_back(x);
      c.y.push_back(y);
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
      // EPANET's tankdata() reads both sections: up to 3 tokens make a reservoir, 6 or more a tank.
      else if (sec == Section::Reservoirs || sec == Section::Tanks) fixed.push_back({e, e.tokens.size() > 3});
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
        // KEYWORD value pairs; a last keyword without its value is ignored, as EPANET ignores it.
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
          } else if (match(key, "SPEE")) {
            if (!number(e, i + 1, v, "pump speed") || v < 0) {
              if (v < 0) error(e.line, "pump speed must not be negative");
              ok = false;
            }
            setting = v;
          } else if (match(key, "PATT")) {
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
        if (match(ty, "PRV")) type = LinkType::PRV;
        else if (match(ty, "PSV")) type = LinkType::PSV;
        else if (match(ty, "PBV")) type = LinkType::PBV;
        else if (match(ty, "FCV")) type = LinkType::FCV;
        else if (match(ty, "TCV")) type = LinkType::TCV;
        else if (match(ty, "GPV")) type = LinkType::GPV;
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
      if (match(e.tokens[0], "MULT")) {
        // EPANET: "MULTIPLY value" sets the demand multiplier; the later of it and [OPTIONS] wins.
        double m = 0;
        if (!number(e, 1, m, "demand multiplier")) continue;
        if (m <= 0) error(e.line, "demand multiplier must be positive");
        else if (e.line > dmult_line_) net_.options.demand_multiplier = m, dmult_line_ = e.line;
        continue;
      }
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

  /// EPANET 2.2 statusdata(): the status or setting is the last token; "link value" sets one link,
  /// "link1 link2 value" every link in the range (numerically when both ends are numbers, else by name).
  void parse_status() {
    for (const auto& e : by_section(Section::Status)) {
      if (!need(e, 2, "link status|setting")) continue;
      const size_t n = e.tokens.size() - 1;
      const std::string& s = e.tokens[n];
      LinkStatus status = LinkStatus::Active;
      double v = 0;
      if (match(s, "OPEN")) status = LinkStatus::Open;
      else if (match(s, "CLOSED")) status = LinkStatus::Closed;
      else if (!parse_number(s, v) || v < 0) {
        error(e.line, "status must be OPEN, CLOSED or a non-negative setting, got '" + s + "'");
        continue;
      }
      if (n == 1) {
        const int k = find_link(e, e.tokens[0]);
        if (k < 0) continue;
        if (net_.link_type[k] == LinkType::CVPipe) {
          error(e.line, "cannot set the status of check valve " + e.tokens[0]);
          continue;
        }
        if (net_.link_type[k] == LinkType::GPV && status == LinkStatus::Active) {
          error(e.line, "a GPV takes OPEN or CLOSED, not a setting");
          continue;
        }
        change_status(k, status, v);
        continue;
      }
      const long i1 = std::atol(e.tokens[0].c_str()), i2 = std::atol(e.tokens[1].c_str());
      for (int k = 0; k < net_.num_links(); ++k) {
        const std::string& id = net_.link_ids[k];
        const long i = std::atol(id.c_str());
        const bool in = i1 > 0 && i2 > 0 ? (i >= i1 && i <= i2) : (e.tokens[0] <= id && id <= e.tokens[1]);
        if (in) change_status(k, status, v);
      }
    }
  }

  /// EPANET 2.2 changestatus(): a setting does not change a pipe, a check valve is left alone.
  void change_status(int k, LinkStatus status, double v) {
    const LinkType t = net_.link_type[k];
    if (t == LinkType::Pipe || t == LinkType::GPV) {
      if (status != LinkStatus::Active) net_.init_status[k] = status;
    } else if (t == LinkType::Pump) {
      if (status == LinkStatus::Active) {
        net_.init_setting[k] = v;
        status = v == 0.0 ? LinkStatus::Closed : LinkStatus::Open;
      } else if (status == LinkStatus::Open) {
        net_.init_setting[k] = 1.0;
      }
      net_.init_status[k] = status;
    } else if (is_valve(t)) {
      net_.init_setting[k] = status == LinkStatus::Active ? convert_valve_setting(t, v) : kMissing;
      net_.init_status[k] = status;
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
  /// EPANET 2.2 controldata(): LINK id setting IF NODE id ABOVE|BELOW level, LINK id setting AT TIME t,
  /// LINK id setting AT CLOCKTIME t [AM|PM]. As in EPANET the words in the positions of LINK, IF|AT and NODE
  /// are not checked (WNTR writes "Pump PUMP-1 Open IF Tank T-3 below 90.75"), and tokens after the level
  /// or time are ignored.
  void parse_controls() {
    for (const auto& e : by_section(Section::Controls)) {
      const auto& t = e.tokens;
      const size_t n = t.size();
      if (n < 6) {
        error(e.line, "expected LINK id setting IF NODE id ABOVE|BELOW value, or LINK id setting AT TIME|CLOCKTIME t");
        continue;
      }
      Control c;
      c.link = find_link(e, t[1]);
      if (c.link < 0) continue;
      const int k = c.link;
      const LinkType lt = net_.link_type[k];
      if (lt == LinkType::CVPipe) {
        error(e.line, "check valve " + net_.link_ids[k] + " cannot be controlled");
        continue;
      }
      double v = kMissing;
      c.setting = kMissing;
      if (match(t[2], "OPEN")) {
        c.status = LinkStatus::Open;
        c.setting = lt == LinkType::Pump ? 1.0 : (lt == LinkType::GPV ? net_.init_setting[k] : kMissing);
      } else if (match(t[2], "CLOSED")) {
        c.status = LinkStatus::Closed;
        c.setting = lt == LinkType::Pump ? 0.0 : (lt == LinkType::GPV ? net_.init_setting[k] : kMissing);
      } else if (lt == LinkType::GPV) {
        error(e.line, "GPV " + net_.link_ids[k] + " takes OPEN or CLOSED, not a setting");
        continue;
      } else if (!parse_number(t[2], v)) {
        error(e.line, "expected OPEN, CLOSED or a setting, got '" + t[2] + "'");
        continue;
      } else if (lt == LinkType::Pump || lt == LinkType::Pipe) {
        // A number opens the link (closes it at 0); a pipe keeps no setting.
        if (v < 0) {
          error(e.line, "negative setting " + t[2]);
          continue;
        }
        c.status = v == 0.0 ? LinkStatus::Closed : LinkStatus::Open;
        c.setting = lt == LinkType::Pump ? v : kMissing;
      } else {
        c.status = LinkStatus::Active;
        c.setting = convert_valve_setting(lt, v);
      }
      const bool timer = match(t[4], "TIME");
      if (timer || match(t[4], "CLOCKTIME")) {
        const TimeParse tp = parse_hours(t[5], n >= 7 ? t[6] : "");
        if (!tp.ok) {
          error(e.line, "invalid time '" + t[5] + "'");
          continue;
        }
        c.type = timer ? ControlType::Timer : ControlType::TimeOfDay;
        c.time_s = hours_to_s(tp.hours);
        if (!timer) c.time_s %= 86400;
      } else {
        if (n < 8) {
          error(e.line, "expected IF NODE id ABOVE|BELOW value");
          continue;
        }
        c.node = find_node(e, t[5]);
        if (c.node < 0) continue;
        if (match(t[6], "BELOW")) c.type = ControlType::LowLevel;
        else if (match(t[6], "ABOVE")) c.type = ControlType::HiLevel;
        else {
          error(e.line, "expected ABOVE or BELOW, got '" + t[6] + "'");
          continue;
        }
        double level = 0;
        if (!number(e, 7, level, "control level")) continue;
        const double el = net_.elevation_m[c.node];
        if (c.node >= net_.num_junctions) c.grade_m = el + level * net_.units.length();
        else c.grade_m = el + level * net_.units.pressure_head();
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
  /// EPANET 2.2 energydata(): DEMAND CHARGE value, GLOBAL or PUMP id, then the keyword and its value as the
  /// last two tokens.
  void parse_energy() {
    auto& en = net_.energy;
    for (const auto& e : by_section(Section::Energy)) {
      const auto& t = e.tokens;
      const size_t n = t.size();
      if (!need(e, 3, "GLOBAL|PUMP id|DEMAND CHARGE keyword value")) continue;
      double v = 0;
      if (match(t[0], "DEMAN")) {
        if (number(e, 2, v, "demand charge")) {
          if (v < 0) error(e.line, "demand charge must not be negative");
          else en.demand_charge = v;
        }
        continue;
      }
      Pump* pump = nullptr;
      if (match(t[0], "PUMP")) {
        if (!need(e, 4, "PUMP id EFFIC|PRICE|PATTERN value")) continue;
        const int k = find_link(e, t[1]);
        if (k < 0) continue;
        if (net_.link_type[k] != LinkType::Pump) {
          error(e.line, "link " + t[1] + " is not a pump");
          continue;
        }
        for (auto& p : net_.pumps)
          if (p.link == k) pump = &p;
      } else if (!match(t[0], "GLOB")) {
        error(e.line, "unknown energy keyword " + t[0]);
        continue;
      }
      const std::string& key = t[n - 2];
      const std::string& val = t[n - 1];
      if (match(key, "PRICE")) {
        if (!number(e, n - 1, v, "price")) continue;
        if (v < 0) error(e.line, "price must not be negative");
        else (pump ? pump->price : en.price) = v;
      } else if (match(key, "PATT")) {
        const int p = find_pattern(e, val);
        if (p >= -1) (pump ? pump->price_pattern : en.price_pattern) = p;
      } else if (match(key, "EFFI")) {
        if (pump) {
          const int c = find_curve(e, val);
          if (c >= 0) pump->efficiency_curve = c;
        } else if (number(e, n - 1, v, "efficiency")) {
          if (v <= 0 || v > 100) error(e.line, "efficiency must be in (0, 100]");
          else en.efficiency_pct = v;
        }
      } else {
        error(e.line, "unknown energy keyword " + key);
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

  /// What EPANET 2.2 checks in the sections kept as written: the node of [QUALITY] (one node; a range is
  /// not checked), [SOURCES] and [MIXING]. [TAGS], [LABELS] and [BACKDROP] are not read by EPANET.
  void check_raw_references(Section s, const Entry& e) {
    const auto& t = e.tokens;
    switch (s) {
      case Section::Quality:
        if (t.size() == 2) find_node(e, t[0]);
        break;
      case Section::Sources:
        if (need(e, 2, "node [type] quality [pattern]")) find_node(e, t[0]);
        break;
      case Section::Mixing:
        if (t.size() >= 2) find_node(e, t[0]);
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
  int dmult_line_ = 0;  // line of the demand multiplier in [OPTIONS] ([DEMANDS] MULTIPLY may follow it)
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
