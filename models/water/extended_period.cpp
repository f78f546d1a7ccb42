#include "models/water/extended_period.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::water {
namespace {

constexpr double kFt = kMetresPerFoot;
constexpr double kCf = kCubicMetresPerCubicFoot;
constexpr double kQZero = 1.0e-6 * kCf;
constexpr long kDay = 86400;

// EPANET's ROUND(), clamped so that absurd volumes cannot overflow the conversion.
long round_to_long(double x) {
  x = std::clamp(x, -1e15, 1e15);
  return x >= 0 ? static_cast<long>(x + 0.5) : static_cast<long>(x - 0.5);
}

}  // namespace

HydraulicRun::HydraulicRun(const Network& net) : net_(net), solver_(net), duration_(net.times.duration) {
  // Node -> link adjacency for the connectivity check.
  const int nn = net.num_nodes(), nl = net.num_links();
  adj_begin_.assign(nn + 1, 0);
  for (int k = 0; k < nl; ++k) ++adj_begin_[net.from[k] + 1], ++adj_begin_[net.to[k] + 1];
  for (int n = 0; n < nn; ++n) adj_begin_[n + 1] += adj_begin_[n];
  adj_link_.resize(adj_begin_[nn]);
  std::vector<int> fill(adj_begin_.begin(), adj_begin_.end() - 1);
  for (int k = 0; k < nl; ++k) adj_link_[fill[net.from[k]]++] = k, adj_link_[fill[net.to[k]]++] = k;
  init();
}

void HydraulicRun::init() {
  solver_.init_state(s_);
  htime_ = 0;
  rtime_ = net_.times.report_step;
  halt_ = false;
  solves_ = 0;
  pump_energy_kwh_.assign(net_.pumps.size(), 0.0);
  leak_volume_m3_ = unmet_demand_m3_ = 0;
  warnings_.clear();
  closed_.clear();
  required_.assign(net_.num_nodes(), 0.0);
  if (extra_demand_m3s.size() != static_cast<size_t>(net_.num_nodes()))
    extra_demand_m3s.assign(net_.num_nodes(), 0.0);
}

bool HydraulicRun::is_report_time() const {
  const auto& t = net_.times;
  return htime_ >= t.report_start && (htime_ - t.report_start) % t.report_step == 0 && htime_ <= duration_;
}

long HydraulicRun::run() {
  set_demands();
  apply_controls();
  stats_ = solver_.solve(s_);
  ++solves_;
  if (!stats_.converged && net_.options.extra_trials == -1) halt_ = true;
  if (stats_.ill_conditioned) halt_ = true;
  record_warnings();
  return htime_;
}

long HydraulicRun::next() {
  const long dur = duration_;
  if (halt_) htime_ = dur;
  long hydstep = 0;
  if (htime_ < dur) hydstep = time_step();
  accumulate(hydstep);
  if (htime_ < dur) {
    htime_ += hydstep;
    if (htime_ >= rtime_) rtime_ += net_.times.report_step;
  } else {
    ++htime_;
  }
  return hydstep;
}

// ---- demands and controls ----------------------------------------------------------------------------

void HydraulicRun::scale_zone_demands() {
  if (zone_target_m3s.empty()) return;
  const size_t zones = zone_target_m3s.size();
  std::vector<double> modelled(zones, 0.0);
  std::vector<int> junctions(zones, 0);
  for (int i = 0; i < net_.num_junctions; ++i) {
    const int z = zone_of_node[i];
    if (z < 0) continue;
    modelled[z] += s_.demand_m3s[i];
    ++junctions[z];
  }
  for (int i = 0; i < net_.num_junctions; ++i) {
    const int z = zone_of_node[i];
    if (z < 0) continue;
    if (!std::isfinite(zone_target_m3s[z])) {
      const double d = s_.demand_m3s[i] * (zone_scale.empty() ? 1.0 : zone_scale[z]);
      s_.demand_m3s[i] = s_.demand_flow_m3s[i] = required_[i] = d;
      continue;
    }
    const double d = modelled[z] > 0.0 ? s_.demand_m3s[i] * zone_target_m3s[z] / modelled[z] : zone_target_m3s[z] / junctions[z];
    s_.demand_m3s[i] = s_.demand_flow_m3s[i] = required_[i] = d;
  }
}

void HydraulicRun::set_demands() {
  const long p = (htime_ + net_.times.pattern_start) / net_.times.pattern_step;
  const double dmult = net_.options.demand_multiplier;
  system_demand_m3s_ = 0;
  for (int i = 0; i < net_.num_junctions; ++i) {
    double sum = 0;
    for (int d = net_.demand_begin[i]; d < net_.demand_begin[i + 1]; ++d) {
      const double dj = net_.demand_base_m3s[d] * net_.pattern_factor(net_.demand_pattern[d], p) * dmult;
      if (dj > 0.0) system_demand_m3s_ += dj;
      sum += dj;
    }
    sum = sum * demand_scale + extra_demand_m3s[i];
    s_.demand_m3s[i] = sum;
    s_.demand_flow_m3s[i] = sum;
    required_[i] = sum;
  }
  scale_zone_demands();
  for (const Tank& t : net_.tanks) {
    if (t.area_m2 == 0.0 && t.head_pattern >= 0)
      s_.head_m[t.node] = net_.elevation_m[t.node] * net_.pattern_factor(t.head_pattern, p);
  }
  for (const Pump& pump : net_.pumps) {
    if (pump.speed_pattern >= 0) set_link_setting(pump.link, net_.pattern_factor(pump.speed_pattern, p));
  }
}

int HydraulicRun::apply_controls() {
  int changes = 0;
  for (const Control& c : net_.controls) {
    const int k = c.link;
    bool reset = false;
    if (c.node >= net_.num_junctions) {
      const int t = c.node - net_.num_junctions;
      const double vplus = std::abs(s_.demand_m3s[c.node]);
      const double v1 = net_.tank_volume(t, s_.head_m[c.node]);
      const double v2 = net_.tank_volume(t, c.grade_m);
      if (c.type == ControlType::LowLevel && v1 <= v2 + vplus) reset = true;
      if (c.type == ControlType::HiLevel && v1 >= v2 - vplus) reset = true;
    }
    if (c.type == ControlType::Timer && c.time_s == htime_) reset = true;
    if (c.type == ControlType::TimeOfDay && (htime_ + net_.times.start_clocktime) % kDay == c.time_s) reset = true;
    if (!reset) continue;
    const LinkType type = net_.link_type[k];
    const LinkStatus s1 = is_closed(s_.status[k]) ? LinkStatus::Closed : LinkStatus::Open;
    const LinkStatus s2 = c.status;
    const double k1 = s_.setting[k];
    const double k2 = type != LinkType::Pipe && type != LinkType::CVPipe ? c.setting : k1;
    if (type == LinkType::Pump && s1 == LinkStatus::Closed && s2 == LinkStatus::Open) reset_pump_flow(k);
    if (s1 != s2 || k1 != k2) {
      s_.status[k] = s2;
      s_.setting[k] = k2;
      ++changes;
    }
  }
  return changes;
}

// ---- time step -------------------------------------------------------------------------------------------

long HydraulicRun::time_step() {
  const auto& t = net_.times;
  long tstep = t.hydraulic_step;
  // Next pattern period (EPANET 2.2 timestep(), including its use of the pattern start).
  const long n = (htime_ + t.pattern_start) / t.pattern_step + 1;
  long dt = n * t.pattern_step - htime_;
  if (dt > 0 && dt < tstep) tstep = dt;
  dt = rtime_ - htime_;
  if (dt > 0 && dt < tstep) tstep = dt;
  dt = step_limit_ - htime_;
  if (step_limit_ >= 0 && dt > 0 && dt < tstep) tstep = dt;
  tank_step(tstep);
  control_step(tstep);
  if (!net_.rules.empty()) rule_step(tstep);
  else update_tanks(tstep);
  return tstep;
}

void HydraulicRun::tank_step(long& tstep) const {
  for (int i = 0; i < net_.num_tanks(); ++i) {
    const Tank& tank = net_.tanks[i];
    if (tank.area_m2 == 0.0) continue;
    const double h = s_.head_m[tank.node];
    const double q = s_.demand_m3s[tank.node];
    if (std::abs(q) <= kQZero) continue;
    double v = 0;
    if (q > 0.0 && h < tank.max_head_m) v = tank.max_volume_m3 - s_.tank_volume_m3[i];
    else if (q < 0.0 && h > tank.min_head_m) v = tank.min_volume_m3 - s_.tank_volume_m3[i];
    else continue;
    const long t = round_to_long(v / q);
    if (t > 0 && t < tstep) tstep = t;
  }
}

void HydraulicRun::control_step(long& tstep) const {
  for (const Control& c : net_.controls) {
    long t = 0;
    if (c.node >= 0) {
      if (c.node < net_.num_junctions) continue;
      const double h = s_.head_m[c.node];
      const double q = s_.demand_m3s[c.node];
      if (std::abs(q) <= kQZero) continue;
      if ((h < c.grade_m && c.type == ControlType::HiLevel && q > 0.0) ||
          (h > c.grade_m && c.type == ControlType::LowLevel && q < 0.0)) {
        const int ti = c.node - net_.num_junctions;
        const double v = net_.tank_volume(ti, c.grade_m) - s_.tank_volume_m3[ti];
        t = round_to_long(v / q);
      }
    }
    if (c.type == ControlType::Timer && c.time_s > htime_) t = c.time_s - htime_;
    if (c.type == ControlType::TimeOfDay) {
      const long t1 = (htime_ + net_.times.start_clocktime) % kDay;
      const long t2 = c.time_s;
      t = t2 >= t1 ? t2 - t1 : kDay - t1 + t2;
    }
    if (t > 0 && t < tstep) {
      const int k = c.link;
      const LinkType type = net_.link_type[k];
      if ((type != LinkType::Pipe && type != LinkType::CVPipe && s_.setting[k] != c.setting) ||
          s_.status[k] != c.status)
        tstep = t;
    }
  }
}

void HydraulicRun::update_tanks(long dt) {
  for (int i = 0; i < net_.num_tanks(); ++i) {
    const Tank& tank = net_.tanks[i];
    if (tank.area_m2 == 0.0) continue;
    const int n = tank.node;
    double& v = s_.tank_volume_m3[i];
    v += s_.demand_m3s[n] * static_cast<double>(dt);
    // Full or empty within the next second: snap to the limit.
    if (v + s_.demand_m3s[n] >= tank.max_volume_m3 && !tank.can_overflow) v = tank.max_volume_m3;
    else if (v - s_.demand_m3s[n] <= tank.min_volume_m3) v = tank.min_volume_m3;
    s_.head_m[n] = net_.tank_head(i, v);
  }
}

// ---- rule-based controls (EPANET 2.2 rules.c) ----------------------------------------------------------------

void HydraulicRun::rule_step(long& tstep) {
  const long tnow = htime_;
  const long tmax = tnow + tstep;
  long dt = std::min(net_.times.rule_step, tstep);
  long dt1 = std::min(net_.times.rule_step - (tnow % net_.times.rule_step), tstep);
  if (dt1 == 0) dt1 = dt;
  // Step the clock through the interval, updating tanks, until a rule fires (htime_ is the time rules see).
  do {
    htime_ += dt1;
    update_tanks(dt1);
    if (check_rules(dt1)) break;
    dt = std::min(dt, tmax - htime_);
    dt1 = dt;
  } while (dt > 0);
  tstep = htime_ - tnow;
  htime_ = tnow;
}

bool HydraulicRun::premise_holds(const RulePremise& p, long dt) const {
  const UnitSystem& u = net_.units;
  if (p.variable == RuleVariable::Time || p.variable == RuleVariable::ClockTime) {
    const long t1 = p.variable == RuleVariable::Time ? htime_ : (htime_ + net_.times.start_clocktime) % kDay;
    const long t2 = t1 - dt;
    const long x = static_cast<long>(p.value);
    switch (p.relop) {
      case RuleRelop::Lt: return t1 < x;
      case RuleRelop::Le: return t1 <= x;
      case RuleRelop::Gt: return t1 > x;
      case RuleRelop::Ge: return t1 >= x;
      case RuleRelop::Eq:
      case RuleRelop::Ne: {
        bool within = t2 < 0 ? (x >= t2 + kDay || x <= t1) : (x >= t2 && x <= t1);
        return p.relop == RuleRelop::Eq ? within : !within;
      }
    }
    return false;
  }
  if (p.variable == RuleVariable::Status) {
    const LinkStatus st = s_.status[p.index];
    const RuleStatus now = is_closed(st) ? RuleStatus::Closed
                           : st == LinkStatus::Active ? RuleStatus::Active
                                                      : RuleStatus::Open;
    return p.relop == RuleRelop::Eq ? now == p.status : now != p.status;
  }
  const int i = p.index;
  double x = 0;
  switch (p.variable) {
    case RuleVariable::Demand:
      x = (p.object == RuleObject::System ? system_demand_m3s_ : s_.demand_m3s[i]) / u.flow();
      break;
    case RuleVariable::Head: x = s_.head_m[i] / u.length(); break;
    case RuleVariable::Pressure: x = (s_.head_m[i] - net_.elevation_m[i]) / u.pressure_head(); break;
    case RuleVariable::Level: x = (s_.head_m[i] - net_.elevation_m[i]) / u.length(); break;
    case RuleVariable::Flow: x = std::abs(s_.flow_m3s[i]) / u.flow(); break;
    case RuleVariable::Power:
      if (net_.link_pump[i] < 0) return false;
      x = pump_power_kw(net_.link_pump[i]);
      break;
    case RuleVariable::Setting: {
      if (s_.setting[i] == kMissing) return false;
      x = s_.setting[i];
      const LinkType t = net_.link_type[i];
      if (t == LinkType::PRV || t == LinkType::PSV || t == LinkType::PBV) x /= u.pressure_head();
      else if (t == LinkType::FCV) x /= u.flow();
      break;
    }
    case RuleVariable::FillTime:
    case RuleVariable::DrainTime: {
      if (i < net_.num_junctions) return false;
      const int ti = i - net_.num_junctions;
      const Tank& tank = net_.tanks[ti];
      if (tank.area_m2 == 0.0) return false;
      const double q = s_.demand_m3s[i];
      if (p.variable == RuleVariable::FillTime) {
        if (q <= 1.0e-6 * kCf) return false;
        x = (tank.max_volume_m3 - s_.tank_volume_m3[ti]) / q / 3600.0;
      } else {
        if (q >= -1.0e-6 * kCf) return false;
        x = (tank.min_volume_m3 - s_.tank_volume_m3[ti]) / q / 3600.0;
      }
      break;
    }
    default: return false;
  }
  constexpr double tol = 1.0e-3;
  switch (p.relop) {
    case RuleRelop::Eq: return std::abs(x - p.value) <= tol;
    case RuleRelop::Ne: return std::abs(x - p.value) >= tol;
    case RuleRelop::Lt: return x <= p.value + tol;
    case RuleRelop::Le: return x <= p.value - tol;
    case RuleRelop::Gt: return x >= p.value - tol;
    case RuleRelop::Ge: return x >= p.value + tol;
  }
  return false;
}

bool HydraulicRun::check_rules(long dt) {
  // Action list: per link, the action of the highest-priority rule whose premises decide it.
  struct Item {
    int rule;
    const RuleAction* action;
  };
  std::vector<Item> items;
  for (int r = 0; r < static_cast<int>(net_.rules.size()); ++r) {
    const Rule& rule = net_.rules[r];
    bool result = true;
    for (size_t j = 0; j < rule.premises.size(); ++j) {
      const RulePremise& p = rule.premises[j];
      if (p.is_or) {
        if (!result) result = premise_holds(p, dt);
      } else {
        if (!result) break;
        result = premise_holds(p, dt);
      }
    }
    const auto& actions = result ? rule.then_actions : rule.else_actions;
    for (const RuleAction& a : actions) {
      bool found = false;
      for (auto& it : items) {
        if (it.action->link == a.link) {
          if (rule.priority > net_.rules[it.rule].priority) it = Item{r, &a};
          found = true;
          break;
        }
      }
      // EPANET keeps its action list newest first.
      if (!found) items.insert(items.begin(), Item{r, &a});
    }
  }
  int changes = 0;
  for (const Item& it : items) {
    const RuleAction& a = *it.action;
    const int k = a.link;
    const LinkStatus st = s_.status[k];
    bool flag = false;
    if (a.status == RuleStatus::Open && is_closed(st)) {
      set_link_status(k, true);
      flag = true;
    } else if (a.status == RuleStatus::Closed && !is_closed(st)) {
      set_link_status(k, false);
      flag = true;
    } else if (a.setting != kMissing) {
      double x = a.setting;
      const LinkType t = net_.link_type[k];
      if (t == LinkType::PRV || t == LinkType::PSV || t == LinkType::PBV) x *= net_.units.pressure_head();
      else if (t == LinkType::FCV) x *= net_.units.flow();
      if (std::abs(x - s_.setting[k]) > 1.0e-3 * (t == LinkType::FCV ? net_.units.flow() : 1.0)) {
        set_link_setting(k, x);
        flag = true;
      }
    }
    if (flag) ++changes;
  }
  return changes > 0;
}

void HydraulicRun::set_link_status(int k, bool open) {
  const LinkType t = net_.link_type[k];
  if (open) {
    if (t == LinkType::Pump) {
      s_.setting[k] = 1.0;
      reset_pump_flow(k);
    }
    if (is_valve(t) && t != LinkType::GPV) s_.setting[k] = kMissing;
    s_.status[k] = LinkStatus::Open;
  } else {
    if (t == LinkType::Pump) s_.setting[k] = 0.0;
    if (is_valve(t) && t != LinkType::GPV) s_.setting[k] = kMissing;
    s_.status[k] = LinkStatus::Closed;
  }
}

void HydraulicRun::set_link_setting(int k, double value) {
  const LinkType t = net_.link_type[k];
  if (t == LinkType::Pump) {
    s_.setting[k] = value;
    if (value > 0 && is_closed(s_.status[k])) {
      reset_pump_flow(k);
      s_.status[k] = LinkStatus::Open;
    }
    if (value == 0 && !is_closed(s_.status[k])) s_.status[k] = LinkStatus::Closed;
  } else if (t == LinkType::FCV) {
    s_.setting[k] = value;
    s_.status[k] = LinkStatus::Active;
  } else {
    if (s_.setting[k] == kMissing && is_closed(s_.status[k])) s_.status[k] = LinkStatus::Open;
    s_.setting[k] = value;
  }
}

void HydraulicRun::reset_pump_flow(int k) {
  // A constant-power pump restarted from (almost) zero flow would see an infinite head gain.
  const Pump& pump = net_.pumps[net_.link_pump[k]];
  if (pump.type == PumpCurveType::ConstantPower) s_.flow_m3s[k] = pump.q0_m3s;
}

// ---- energy, leaks, warnings -------------------------------------------------------------------------------

double HydraulicRun::pump_power_kw(int p) const {
  const Pump& pump = net_.pumps[p];
  const int k = pump.link;
  if (is_closed(s_.status[k])) return 0.0;
  const double q = std::max(kQZero, std::abs(s_.flow_m3s[k]));
  const double dh = std::abs(s_.head_m[net_.from[k]] - s_.head_m[net_.to[k]]);
  double eff = net_.energy.efficiency_pct;
  if (pump.efficiency_curve >= 0) {
    const Curve& c = net_.curves[pump.efficiency_curve];
    eff = interpolate(c.x, c.y, q / net_.units.flow());
  }
  eff = std::clamp(eff, 1.0, 100.0) / 100.0;
  // EPANET: kW = q[cfs] h[ft] SG / 8.814 / e * 0.7457.
  return (q / kCf) * (dh / kFt) * net_.units.specific_gravity / kCfsFtPerHp / eff * kKwPerHp;
}

void HydraulicRun::accumulate(long dt) {
  if (dt <= 0) return;
  const double hours = static_cast<double>(dt) / 3600.0;
  for (size_t p = 0; p < net_.pumps.size(); ++p) pump_energy_kwh_[p] += pump_power_kw(static_cast<int>(p)) * hours;
  for (int i = 0; i < net_.num_junctions; ++i) {
    leak_volume_m3_ += s_.leak_flow_m3s[i] * static_cast<double>(dt);
    if (required_[i] > 0.0)
      unmet_demand_m3_ += std::max(0.0, required_[i] - s_.demand_flow_m3s[i]) * static_cast<double>(dt);
  }
}

void HydraulicRun::record_warnings() {
  const int nj = net_.num_junctions;
  if (stats_.ill_conditioned) {
    warnings_.push_back({htime_, HydraulicWarning::Kind::IllConditioned, 1, net_.node_ids[stats_.bad_node]});
    return;
  }
  if (!stats_.converged) warnings_.push_back({htime_, HydraulicWarning::Kind::Unbalanced, 0, ""});
  for (const Pump& pump : net_.pumps) {
    if (s_.status[pump.link] == LinkStatus::XHead)
      warnings_.push_back({htime_, HydraulicWarning::Kind::PumpHead, 1, net_.link_ids[pump.link]});
  }
  for (int k : net_.valves) {
    if (s_.status[k] == LinkStatus::XFcv || s_.status[k] == LinkStatus::XPressure)
      warnings_.push_back({htime_, HydraulicWarning::Kind::Valve, 1, net_.link_ids[k]});
  }
  if (net_.options.demand_model == DemandModel::DDA) {
    int negative = 0;
    std::string first;
    for (int i = 0; i < nj; ++i) {
      if (s_.head_m[i] < net_.elevation_m[i] && s_.demand_m3s[i] > 0.0) {
        if (negative++ == 0) first = net_.node_ids[i];
      }
    }
    if (negative > 0) warnings_.push_back({htime_, HydraulicWarning::Kind::NegativePressure, negative, first});
  }
  // Disconnected: junctions with demand that no open path links to a tank or reservoir. The search is
  // redone only when the set of closed links changed.
  bool changed = closed_.size() != s_.status.size();
  closed_.resize(s_.status.size());
  for (size_t k = 0; k < s_.status.size(); ++k) {
    const char c = is_closed(s_.status[k]) ? 1 : 0;
    if (closed_[k] != c) closed_[k] = c, changed = true;
  }
  if (changed) {
    reached_.assign(net_.num_nodes(), 0);
    queue_.clear();
    for (const Tank& t : net_.tanks) {
      reached_[t.node] = 1;
      queue_.push_back(t.node);
    }
    for (size_t qi = 0; qi < queue_.size(); ++qi) {
      const int n = queue_[qi];
      for (int j = adj_begin_[n]; j < adj_begin_[n + 1]; ++j) {
        const int k = adj_link_[j];
        if (closed_[k]) continue;
        const int m = net_.from[k] == n ? net_.to[k] : net_.from[k];
        if (!reached_[m]) {
          reached_[m] = 1;
          queue_.push_back(m);
        }
      }
    }
  }
  int disconnected = 0;
  std::string first;
  for (int i = 0; i < nj; ++i) {
    if (!reached_[i] && s_.demand_m3s[i] > 0.0) {
      if (disconnected++ == 0) first = net_.node_ids[i];
    }
  }
  if (disconnected > 0) warnings_.push_back({htime_, HydraulicWarning::Kind::Disconnected, disconnected, first});
}

}  // namespace citytwin::water
