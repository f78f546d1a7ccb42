#pragma once
/// A water distribution network as EPANET 2.2 defines it, in SI units, immutable once built.
/// Nodes are numbered junctions first, then reservoirs and tanks (EPANET's order); links in the order
/// the file gives them. String IDs live in the name tables only.
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/water/units.hpp"

namespace citytwin::water {

/// EPANET's marker for "no setting" (a valve with a fixed open or closed status).
inline constexpr double kMissing = -1.0e10;

enum class NodeType : std::uint8_t { Junction, Reservoir, Tank };
enum class LinkType : std::uint8_t { CVPipe, Pipe, Pump, PRV, PSV, PBV, FCV, TCV, GPV };
enum class HeadlossFormula : std::uint8_t { HazenWilliams, DarcyWeisbach, ChezyManning };
enum class DemandModel : std::uint8_t { DDA, PDA };

/// Link status, in EPANET's order: every value <= Closed means "closed" (XHead: pump cannot deliver its
/// head, TempClosed: closed by a tank or a status check).
enum class LinkStatus : std::uint8_t { XHead, TempClosed, Closed, Open, Active, XFlow, XFcv, XPressure };

inline bool is_closed(LinkStatus s) { return s <= LinkStatus::Closed; }
inline bool is_valve(LinkType t) { return t >= LinkType::PRV; }

/// A time pattern of multipliers (one per pattern step, repeated).
struct Pattern {
  std::string id;
  std::vector<double> factors;
};

/// A curve as written in the file (user units): pump, efficiency, volume or headloss curve.
struct Curve {
  std::string id;
  std::vector<double> x, y;
};

/// A reservoir (area 0) or a tank, for the fixed-grade node `node`.
struct Tank {
  int node = -1;
  double area_m2 = 0;     ///< 0 for a reservoir
  double init_head_m = 0;  ///< water surface elevation
  double min_head_m = 0, max_head_m = 0;
  double min_volume_m3 = 0, init_volume_m3 = 0, max_volume_m3 = 0;
  int head_pattern = -1;  ///< reservoir head pattern (multiplies the elevation)
  int volume_curve = -1;  ///< tank volume curve (height -> volume, user units)
  bool can_overflow = false;
};

enum class PumpCurveType : std::uint8_t { ConstantPower, PowerFunction, Custom };

/// A pump. Head gain is written as a head loss h = h0 + r q^n (h0 < 0, EPANET's form), in SI.
struct Pump {
  int link = -1;
  PumpCurveType type = PumpCurveType::PowerFunction;
  double h0 = 0, r = 0, n = 1;  ///< power function or constant power (r = -power constant, n = -1)
  double q0_m3s = 0;            ///< initial flow
  double qmax_m3s = 0, hmax_m = 0;
  std::vector<double> curve_q_m3s, curve_h_m;  ///< custom curve (SI)
  int head_curve = -1;
  int speed_pattern = -1;
  int efficiency_curve = -1;
  double price = 0;  ///< energy price per kWh (0: global)
  int price_pattern = -1;
};

enum class ControlType : std::uint8_t { LowLevel, HiLevel, Timer, TimeOfDay };

/// A simple control ([CONTROLS]).
struct Control {
  int link = -1;
  int node = -1;  ///< for LowLevel / HiLevel
  ControlType type = ControlType::Timer;
  LinkStatus status = LinkStatus::Open;
  double setting = kMissing;  ///< SI (m head, m3/s, speed); kMissing for a plain open/close of a valve
  double grade_m = 0;         ///< head that triggers a level control
  long time_s = 0;            ///< Timer: seconds from the start; TimeOfDay: seconds after midnight
};

enum class RuleObject : std::uint8_t { Node, Link, System };
enum class RuleVariable : std::uint8_t {
  Demand, Head, Level, Pressure, Flow, Status, Setting, Power, Time, ClockTime, FillTime, DrainTime
};
enum class RuleRelop : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge };
enum class RuleStatus : std::uint8_t { None, Open, Closed, Active };

/// One premise of a rule: values are kept in the file's units (EPANET compares in user units).
struct RulePremise {
  bool is_or = false;
  RuleObject object = RuleObject::Node;
  int index = -1;
  RuleVariable variable = RuleVariable::Head;
  RuleRelop relop = RuleRelop::Eq;
  RuleStatus status = RuleStatus::None;
  double value = 0;  ///< user units; seconds for Time/ClockTime; hours for FillTime/DrainTime
};

struct RuleAction {
  int link = -1;
  RuleStatus status = RuleStatus::None;
  double setting = kMissing;  ///< user units
};

struct Rule {
  std::string id;
  std::vector<RulePremise> premises;
  std::vector<RuleAction> then_actions, else_actions;
  double priority = 0;
};

/// [OPTIONS] that matter to hydraulics, in SI.
struct HydraulicOptions {
  HeadlossFormula headloss = HeadlossFormula::HazenWilliams;
  double viscosity_m2s = 1.1e-5 * kMetresPerFoot * kMetresPerFoot;
  int trials = 200;
  double accuracy = 0.001;
  int extra_trials = -1;  ///< UNBALANCED: -1 STOP, else CONTINUE n
  int check_freq = 2, max_check = 10;
  double damp_limit = 0;
  int default_pattern = -1;
  double demand_multiplier = 1.0;
  double emitter_exponent = 0.5;
  DemandModel demand_model = DemandModel::DDA;
  double min_pressure_m = 0, required_pressure_m = 0.1, pressure_exponent = 0.5;
  double head_error_m = 0, flow_change_m3s = 0;
};

/// [TIMES], in seconds.
struct TimeOptions {
  long duration = 0, hydraulic_step = 3600, quality_step = 0, pattern_step = 3600, pattern_start = 0;
  long report_step = 3600, report_start = 0, rule_step = 0, start_clocktime = 0;
};

/// [ENERGY] global values.
struct EnergyOptions {
  double efficiency_pct = 75, price = 0, demand_charge = 0;
  int price_pattern = -1;
};

/// A section kept as written (no effect on hydraulics): QUALITY, REACTIONS, SOURCES, MIXING, LABELS...
struct RawSection {
  std::string name;
  std::vector<std::string> lines;
};

struct Network {
  std::string title;
  UnitSystem units;
  HydraulicOptions options;
  TimeOptions times;
  EnergyOptions energy;

  // Nodes (structure of arrays).
  int num_junctions = 0;
  std::vector<std::string> node_ids;
  std::vector<NodeType> node_type;
  std::vector<double> elevation_m;
  std::vector<double> emitter_coeff;  ///< EPANET's form: h[m] = k q[m3/s]^(1/exponent); 0 = none
  std::vector<double> x, y;           ///< [COORDINATES], NaN when absent
  /// Demands of junction i: entries demand_begin[i] .. demand_begin[i+1]-1.
  std::vector<int> demand_begin;
  std::vector<double> demand_base_m3s;
  std::vector<int> demand_pattern;  ///< -1: constant 1
  std::vector<std::string> demand_category;
  std::vector<Tank> tanks;  ///< node num_junctions + t is tanks[t]

  // Links (structure of arrays).
  std::vector<std::string> link_ids;
  std::vector<LinkType> link_type;
  std::vector<int> from, to;
  std::vector<double> length_m, diameter_m, roughness, minor_loss;  ///< minor_loss: dimensionless K
  std::vector<LinkStatus> init_status;
  std::vector<double> init_setting;  ///< SI; kMissing for a fixed-status valve; pump speed; GPV curve index
  std::vector<double> resistance;    ///< friction coefficient r of h = r q^n (SI)
  std::vector<double> minor_coeff;   ///< m of h = m q^2 (SI)
  std::vector<int> link_pump;        ///< index into pumps, -1 otherwise
  std::vector<std::vector<double>> link_vertices;  ///< x0,y0,x1,y1,... from [VERTICES]

  std::vector<Pump> pumps;
  std::vector<int> valves;  ///< link indices of valves
  std::vector<Pattern> patterns;
  std::vector<Curve> curves;
  std::vector<Control> controls;
  std::vector<Rule> rules;
  std::vector<RawSection> raw_sections;

  std::unordered_map<std::string, int> node_index, link_index, pattern_index, curve_index;

  int num_nodes() const { return static_cast<int>(node_ids.size()); }
  int num_links() const { return static_cast<int>(link_ids.size()); }
  int num_tanks() const { return static_cast<int>(tanks.size()); }
  const Tank& tank_of(int node) const { return tanks[node - num_junctions]; }
  /// Exponent of the friction head loss (1.852 for Hazen-Williams, 2 otherwise).
  double headloss_exponent() const { return options.headloss == HeadlossFormula::HazenWilliams ? 1.852 : 2.0; }

  /// Tank volume at a head, and head at a volume (cylinder or volume curve).
  double tank_volume(int tank, double head_m) const;
  double tank_head(int tank, double volume_m3) const;
  /// Pattern multiplier at pattern period p (repeats); 1 for pattern -1.
  double pattern_factor(int pattern, long period) const;

  /// Computes resistance / minor-loss coefficients and pump parameters from the raw link data.
  /// Called by the reader and by code that builds a network; throws InputError on a bad pump curve.
  void finalize();
};

/// Linear interpolation in a table (clamped at the ends), as EPANET's interp().
double interpolate(const std::vector<double>& x, const std::vector<double>& y, double at);

}  // namespace citytwin::water
