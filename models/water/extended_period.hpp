#pragma once
/// Extended-period hydraulic simulation with EPANET 2.2's time-step rules: the hydraulic step is cut at
/// pattern and report boundaries, when a tank fills or drains, when a simple control would act and, with
/// rules, at the first rule step where a rule fires. Demands follow their patterns; tanks follow their
/// mass balance (dV/dt = net inflow).
#include <string>
#include <vector>

#include "models/water/hydraulics.hpp"

namespace citytwin::water {

/// A warning of one hydraulic solution, as EPANET reports them.
struct HydraulicWarning {
  long time_s = 0;
  enum class Kind { Unbalanced, IllConditioned, NegativePressure, Disconnected, PumpHead, Valve } kind;
  int count = 0;          ///< nodes concerned (negative pressure, disconnected)
  std::string element;    ///< pump or valve ID, first disconnected node
};

/// One run over a shared Network: its own state, solver and clock. Use as EPANET's EN_initH, then a loop
/// of run() and next() until next() returns 0. Not thread-safe; one per thread.
class HydraulicRun {
 public:
  explicit HydraulicRun(const Network& net);

  /// Initial conditions at time 0.
  void init();
  /// Sets demands and applies simple controls for the current time, then solves. Returns the time (s).
  long run();
  /// Advances the clock by the next time step (updating tank levels and applying rules); returns the
  /// step taken, 0 once the duration is reached.
  long next();

  long time_s() const { return htime_; }
  /// Overrides the network's duration (a coupled run follows the scenario's clock).
  void set_duration(long duration_s) { duration_ = duration_s; }
  long duration() const { return duration_; }
  /// Never step past this absolute time (a sync point of a coupled run); negative: no limit.
  void set_step_limit(long until_s) { step_limit_ = until_s; }
  /// Whether the current time is a reporting period (time >= REPORT START, a multiple of REPORT STEP).
  bool is_report_time() const;

  const Network& network() const { return net_; }
  HydraulicState& state() { return s_; }
  const HydraulicState& state() const { return s_; }
  const SolveStats& last_solve() const { return stats_; }
  const std::vector<HydraulicWarning>& warnings() const { return warnings_; }
  /// Number of hydraulic solutions so far.
  long solves() const { return solves_; }

  /// Per-run changes (interventions): a multiplier on every consumer demand, and extra demands (m3/s).
  double demand_scale = 1.0;
  std::vector<double> extra_demand_m3s;
  /// Demand-driven replay of district inflows: zone_of_node[n] is junction n's district (-1: none); where
  /// zone_target_m3s[z] is finite, the district's junction demands are scaled to sum to it, each keeping
  /// its share of the district's modelled demand (equal shares when that is zero). Empty: no districts.
  std::vector<int> zone_of_node;
  std::vector<double> zone_target_m3s;
  /// A multiplier on each district's modelled demand (a calibration); a measured target overrides it.
  std::vector<double> zone_scale;

  /// Pump energy used so far, kWh per pump, and the current power (kW).
  const std::vector<double>& pump_energy_kwh() const { return pump_energy_kwh_; }
  double pump_power_kw(int pump) const;
  /// Volume delivered to leaks so far (m3).
  double leak_volume_m3() const { return leak_volume_m3_; }
  /// Demand required but not delivered so far (m3, pressure-driven analysis).
  double unmet_demand_m3() const { return unmet_demand_m3_; }

 private:
  void set_demands();
  void scale_zone_demands();
  int apply_controls();
  long time_step();
  void tank_step(long& tstep) const;
  void control_step(long& tstep) const;
  void rule_step(long& tstep);
  void update_tanks(long dt);
  bool check_rules(long dt);
  bool premise_holds(const RulePremise& p, long dt) const;
  void set_link_status(int k, bool open);
  void set_link_setting(int k, double value);
  void reset_pump_flow(int k);
  void accumulate(long dt);
  void record_warnings();

  const Network& net_;
  HydraulicSolver solver_;
  HydraulicState s_;
  SolveStats stats_;
  long htime_ = 0, rtime_ = 0;
  long duration_ = 0, step_limit_ = -1;
  bool halt_ = false;
  double system_demand_m3s_ = 0;
  long solves_ = 0;
  std::vector<double> pump_energy_kwh_;
  double leak_volume_m3_ = 0, unmet_demand_m3_ = 0;
  std::vector<HydraulicWarning> warnings_;
  std::vector<double> required_;  ///< required demand of the current period (m3/s)
  std::vector<int> adj_begin_, adj_link_;
  std::vector<char> reached_, closed_;
  std::vector<int> queue_;
};

}  // namespace citytwin::water
