#include "models/water/io/inp_writer.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>

#include "engine/core/atomic_write.hpp"
#include "engine/core/error.hpp"

namespace citytwin::water {
namespace {

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return buf;
}

std::string hms(long s) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

std::string quoted(const std::string& id) {
  return id.find_first_of(" \t;") == std::string::npos ? id : "\"" + id + "\"";
}

const char* status_word(LinkStatus s) { return is_closed(s) ? "CLOSED" : "OPEN"; }

}  // namespace

void write_inp(std::ostream& out, const Network& net) {
  const UnitSystem& u = net.units;
  const auto pat = [&](int p) { return p >= 0 ? quoted(net.patterns[p].id) : std::string(); };
  out << "[TITLE]\n" << net.title << "\n\n";

  out << "[JUNCTIONS]\n;ID\tElev\tDemand\tPattern\n";
  for (int i = 0; i < net.num_junctions; ++i) {
    const int b = net.demand_begin[i], e = net.demand_begin[i + 1];
    out << ' ' << quoted(net.node_ids[i]) << '\t' << num(net.elevation_m[i] / u.length());
    if (e - b == 1) out << '\t' << num(net.demand_base_m3s[b] / u.flow()) << '\t' << pat(net.demand_pattern[b]);
    out << '\n';
  }
  out << "\n[RESERVOIRS]\n;ID\tHead\tPattern\n";
  for (const Tank& t : net.tanks) {
    if (net.node_type[t.node] != NodeType::Reservoir) continue;
    out << ' ' << quoted(net.node_ids[t.node]) << '\t' << num(net.elevation_m[t.node] / u.length()) << '\t'
        << pat(t.head_pattern) << '\n';
  }
  out << "\n[TANKS]\n;ID\tElev\tInitLvl\tMinLvl\tMaxLvl\tDiam\tMinVol\tVolCurve\tOverflow\n";
  for (const Tank& t : net.tanks) {
    if (net.node_type[t.node] != NodeType::Tank) continue;
    const double el = net.elevation_m[t.node];
    const double diam = std::sqrt(4.0 * t.area_m2 / std::numbers::pi) / u.length();
    out << ' ' << quoted(net.node_ids[t.node]) << '\t' << num(el / u.length()) << '\t'
        << num((t.init_head_m - el) / u.length()) << '\t' << num((t.min_head_m - el) / u.length()) << '\t'
        << num((t.max_head_m - el) / u.length()) << '\t' << num(diam) << '\t' << num(t.min_volume_m3 / u.volume())
        << '\t' << (t.volume_curve >= 0 ? quoted(net.curves[t.volume_curve].id) : "*") << '\t'
        << (t.can_overflow ? "YES" : "NO") << '\n';
  }

  const double rough_factor =
      net.options.headloss == HeadlossFormula::DarcyWeisbach ? (u.si ? 0.001 : 0.001 * kMetresPerFoot) : 1.0;
  out << "\n[PIPES]\n;ID\tNode1\tNode2\tLength\tDiameter\tRoughness\tMinorLoss\tStatus\n";
  for (int k = 0; k < net.num_links(); ++k) {
    const LinkType t = net.link_type[k];
    if (t != LinkType::Pipe && t != LinkType::CVPipe) continue;
    out << ' ' << quoted(net.link_ids[k]) << '\t' << quoted(net.node_ids[net.from[k]]) << '\t'
        << quoted(net.node_ids[net.to[k]]) << '\t' << num(net.length_m[k] / u.length()) << '\t'
        << num(net.diameter_m[k] / u.diameter()) << '\t' << num(net.roughness[k] / rough_factor) << '\t'
        << num(net.minor_loss[k]) << '\t'
        << (t == LinkType::CVPipe ? "CV" : status_word(net.init_status[k])) << '\n';
  }
  out << "\n[PUMPS]\n;ID\tNode1\tNode2\tParameters\n";
  for (const Pump& p : net.pumps) {
    const int k = p.link;
    out << ' ' << quoted(net.link_ids[k]) << '\t' << quoted(net.node_ids[net.from[k]]) << '\t'
        << quoted(net.node_ids[net.to[k]]);
    if (p.head_curve >= 0) {
      out << "\tHEAD " << quoted(net.curves[p.head_curve].id);
    } else {
      const double hp = -p.r / (kCfsFtPerHp * kMetresPerFoot * kCubicMetresPerCubicFoot);
      out << "\tPOWER " << num(hp * kKwPerHp * 1000.0 / u.power());
    }
    if (net.init_setting[k] != 1.0) out << "\tSPEED " << num(net.init_setting[k]);
    if (p.speed_pattern >= 0) out << "\tPATTERN " << pat(p.speed_pattern);
    out << '\n';
  }
  out << "\n[VALVES]\n;ID\tNode1\tNode2\tDiameter\tType\tSetting\tMinorLoss\n";
  static const char* kValveNames[] = {"", "", "", "PRV", "PSV", "PBV", "FCV", "TCV", "GPV"};
  for (int k : net.valves) {
    const LinkType t = net.link_type[k];
    double setting = net.init_setting[k];
    std::string s;
    if (t == LinkType::GPV) s = quoted(net.curves[static_cast<int>(std::lround(setting))].id);
    else if (setting == kMissing) s = "0";
    else if (t == LinkType::PRV || t == LinkType::PSV || t == LinkType::PBV) s = num(setting / u.pressure_head());
    else if (t == LinkType::FCV) s = num(setting / u.flow());
    else s = num(setting);
    out << ' ' << quoted(net.link_ids[k]) << '\t' << quoted(net.node_ids[net.from[k]]) << '\t'
        << quoted(net.node_ids[net.to[k]]) << '\t' << num(net.diameter_m[k] / u.diameter()) << '\t'
        << kValveNames[static_cast<int>(t)] << '\t' << s << '\t' << num(net.minor_loss[k]) << '\n';
  }

  out << "\n[DEMANDS]\n;Junction\tDemand\tPattern\tCategory\n";
  for (int i = 0; i < net.num_junctions; ++i) {
    const int b = net.demand_begin[i], e = net.demand_begin[i + 1];
    if (e - b == 1) continue;
    for (int d = b; d < e; ++d) {
      out << ' ' << quoted(net.node_ids[i]) << '\t' << num(net.demand_base_m3s[d] / u.flow()) << '\t'
          << pat(net.demand_pattern[d]);
      if (!net.demand_category[d].empty()) out << "\t;" << net.demand_category[d];
      out << '\n';
    }
  }
  out << "\n[STATUS]\n;ID\tStatus/Setting\n";
  for (int k = 0; k < net.num_links(); ++k) {
    const LinkType t = net.link_type[k];
    if (t == LinkType::Pump && is_closed(net.init_status[k]) && net.init_setting[k] != 0.0)
      out << ' ' << quoted(net.link_ids[k]) << "\tCLOSED\n";
    if (is_valve(t) && t != LinkType::GPV && net.init_setting[k] == kMissing)
      out << ' ' << quoted(net.link_ids[k]) << '\t' << status_word(net.init_status[k]) << '\n';
    if (t == LinkType::GPV && is_closed(net.init_status[k])) out << ' ' << quoted(net.link_ids[k]) << "\tCLOSED\n";
  }
  out << "\n[PATTERNS]\n;ID\tMultipliers\n";
  for (const Pattern& p : net.patterns) {
    for (size_t i = 0; i < p.factors.size(); i += 6) {
      out << ' ' << quoted(p.id);
      for (size_t j = i; j < std::min(i + 6, p.factors.size()); ++j) out << '\t' << num(p.factors[j]);
      out << '\n';
    }
  }
  out << "\n[CURVES]\n;ID\tX-Value\tY-Value\n";
  for (const Curve& c : net.curves)
    for (size_t i = 0; i < c.x.size(); ++i) out << ' ' << quoted(c.id) << '\t' << num(c.x[i]) << '\t' << num(c.y[i]) << '\n';

  out << "\n[CONTROLS]\n";
  for (const Control& c : net.controls) {
    const int k = c.link;
    const LinkType t = net.link_type[k];
    std::string action;
    if (t == LinkType::Pump) action = c.setting == 1.0 ? "OPEN" : c.setting == 0.0 ? "CLOSED" : num(c.setting);
    else if (!is_valve(t) || c.setting == kMissing || t == LinkType::GPV) action = status_word(c.status);
    else if (t == LinkType::FCV) action = num(c.setting / u.flow());
    else if (t == LinkType::TCV) action = num(c.setting);
    else action = num(c.setting / u.pressure_head());
    out << " LINK " << quoted(net.link_ids[k]) << ' ' << action;
    switch (c.type) {
      case ControlType::LowLevel:
      case ControlType::HiLevel: {
        const double el = net.elevation_m[c.node];
        const double v = c.node >= net.num_junctions ? (c.grade_m - el) / u.length() : (c.grade_m - el) / u.pressure_head();
        out << " IF NODE " << quoted(net.node_ids[c.node]) << (c.type == ControlType::LowLevel ? " BELOW " : " ABOVE ")
            << num(v) << '\n';
        break;
      }
      case ControlType::Timer: out << " AT TIME " << hms(c.time_s) << '\n'; break;
      case ControlType::TimeOfDay: out << " AT CLOCKTIME " << hms(c.time_s) << '\n'; break;
    }
  }

  out << "\n[RULES]\n";
  static const char* kVars[] = {"DEMAND", "HEAD", "LEVEL", "PRESSURE", "FLOW", "STATUS",
                                "SETTING", "POWER", "TIME", "CLOCKTIME", "FILLTIME", "DRAINTIME"};
  static const char* kOps[] = {"=", "<>", "<", "<=", ">", ">="};
  static const char* kStatus[] = {"", "OPEN", "CLOSED", "ACTIVE"};
  for (const Rule& r : net.rules) {
    out << "RULE " << r.id << '\n';
    for (size_t i = 0; i < r.premises.size(); ++i) {
      const RulePremise& p = r.premises[i];
      out << (i == 0 ? "IF " : p.is_or ? "OR " : "AND ");
      if (p.object == RuleObject::System) out << "SYSTEM";
      else if (p.object == RuleObject::Node) out << "NODE " << quoted(net.node_ids[p.index]);
      else out << "LINK " << quoted(net.link_ids[p.index]);
      out << ' ' << kVars[static_cast<int>(p.variable)] << ' ' << kOps[static_cast<int>(p.relop)] << ' ';
      if (p.variable == RuleVariable::Time || p.variable == RuleVariable::ClockTime) out << hms(static_cast<long>(p.value));
      else if (p.variable == RuleVariable::Status) out << kStatus[static_cast<int>(p.status)];
      else out << num(p.value);
      out << '\n';
    }
    auto actions = [&](const std::vector<RuleAction>& list, const char* first) {
      for (size_t i = 0; i < list.size(); ++i) {
        const RuleAction& a = list[i];
        out << (i == 0 ? first : "AND ") << "LINK " << quoted(net.link_ids[a.link]);
        if (a.status != RuleStatus::None) out << " STATUS IS " << kStatus[static_cast<int>(a.status)] << '\n';
        else out << " SETTING IS " << num(a.setting) << '\n';
      }
    };
    actions(r.then_actions, "THEN ");
    actions(r.else_actions, "ELSE ");
    if (r.priority != 0) out << "PRIORITY " << num(r.priority) << '\n';
    out << '\n';
  }

  out << "\n[EMITTERS]\n;Junction\tCoefficient\n";
  const double qexp = 1.0 / net.options.emitter_exponent;
  for (int i = 0; i < net.num_junctions; ++i) {
    if (net.emitter_coeff.empty() || net.emitter_coeff[i] <= 0) continue;
    const double c = std::pow(u.pressure_head() / net.emitter_coeff[i], 1.0 / qexp) / u.flow();
    out << ' ' << quoted(net.node_ids[i]) << '\t' << num(c) << '\n';
  }
  out << "\n[ENERGY]\n Global Efficiency\t" << num(net.energy.efficiency_pct) << "\n Global Price\t"
      << num(net.energy.price) << "\n Demand Charge\t" << num(net.energy.demand_charge) << '\n';
  if (net.energy.price_pattern >= 0) out << " Global Pattern\t" << pat(net.energy.price_pattern) << '\n';
  for (const Pump& p : net.pumps) {
    const std::string id = quoted(net.link_ids[p.link]);
    if (p.efficiency_curve >= 0) out << " Pump " << id << "\tEfficiency\t" << quoted(net.curves[p.efficiency_curve].id) << '\n';
    if (p.price != 0) out << " Pump " << id << "\tPrice\t" << num(p.price) << '\n';
    if (p.price_pattern >= 0) out << " Pump " << id << "\tPattern\t" << pat(p.price_pattern) << '\n';
  }

  const HydraulicOptions& o = net.options;
  static const char* kHeadloss[] = {"H-W", "D-W", "C-M"};
  out << "\n[OPTIONS]\n Units\t" << u.flow_name() << "\n Headloss\t" << kHeadloss[static_cast<int>(o.headloss)] << '\n';
  if (u.si) out << " Pressure\t" << (u.pressure_units == PressureUnits::KPA ? "KPA" : "METERS") << '\n';
  const double ft2 = kMetresPerFoot * kMetresPerFoot;
  out << " Specific Gravity\t" << num(u.specific_gravity) << "\n Viscosity\t" << num(o.viscosity_m2s / (1.1e-5 * ft2))
      << "\n Trials\t" << o.trials << "\n Accuracy\t" << num(o.accuracy) << "\n CHECKFREQ\t" << o.check_freq
      << "\n MAXCHECK\t" << o.max_check << "\n DAMPLIMIT\t" << num(o.damp_limit) << "\n Unbalanced\t"
      << (o.extra_trials < 0 ? std::string("Stop") : "Continue " + std::to_string(o.extra_trials)) << '\n';
  if (o.default_pattern >= 0) out << " Pattern\t" << pat(o.default_pattern) << '\n';
  else out << " Pattern\t" << "_none_" << '\n';
  out << " Demand Multiplier\t" << num(o.demand_multiplier) << "\n Emitter Exponent\t" << num(o.emitter_exponent)
      << "\n Demand Model\t" << (o.demand_model == DemandModel::PDA ? "PDA" : "DDA") << "\n Minimum Pressure\t"
      << num(o.min_pressure_m / u.pressure_head()) << "\n Required Pressure\t"
      << num(o.required_pressure_m / u.pressure_head()) << "\n Pressure Exponent\t" << num(o.pressure_exponent) << '\n';
  if (o.head_error_m > 0) out << " HEADERROR\t" << num(o.head_error_m / u.length()) << '\n';
  if (o.flow_change_m3s > 0) out << " FLOWCHANGE\t" << num(o.flow_change_m3s / u.flow()) << '\n';

  const TimeOptions& t = net.times;
  out << "\n[TIMES]\n Duration\t" << hms(t.duration) << "\n Hydraulic Timestep\t" << hms(t.hydraulic_step)
      << "\n Quality Timestep\t" << hms(t.quality_step) << "\n Rule Timestep\t" << hms(t.rule_step)
      << "\n Pattern Timestep\t" << hms(t.pattern_step) << "\n Pattern Start\t" << hms(t.pattern_start)
      << "\n Report Timestep\t" << hms(t.report_step) << "\n Report Start\t" << hms(t.report_start)
      << "\n Start ClockTime\t" << hms(t.start_clocktime) << '\n';

  for (const RawSection& s : net.raw_sections) {
    out << "\n[" << s.name << "]\n";
    for (const auto& line : s.lines) out << line << '\n';
  }
  out << "\n[COORDINATES]\n;Node\tX-Coord\tY-Coord\n";
  for (int n = 0; n < net.num_nodes(); ++n) {
    if (n < static_cast<int>(net.x.size()) && std::isfinite(net.x[n]))
      out << ' ' << quoted(net.node_ids[n]) << '\t' << num(net.x[n]) << '\t' << num(net.y[n]) << '\n';
  }
  out << "\n[VERTICES]\n;Link\tX-Coord\tY-Coord\n";
  for (int k = 0; k < net.num_links(); ++k) {
    const auto& v = net.link_vertices[k];
    for (size_t i = 0; i + 1 < v.size(); i += 2)
      out << ' ' << quoted(net.link_ids[k]) << '\t' << num(v[i]) << '\t' << num(v[i + 1]) << '\n';
  }
  out << "\n[END]\n";
}

void write_inp_file(const std::string& path, const Network& net) {
  write_file_atomically(path, [&](std::ostream& out) { write_inp(out, net); });
}

}  // namespace citytwin::water
