#include "models/water/water_model.hpp"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <numbers>

#include "engine/geo/crs.hpp"
#include "engine/geo/spatial_index.hpp"
#include "engine/sim/hourly_factors.hpp"
#include "engine/sim/signals.hpp"
#include "models/water/city_network.hpp"
#include "models/water/district_metering.hpp"
#include "models/water/extended_period.hpp"
#include "models/water/io/inp_reader.hpp"

namespace citytwin::water {
namespace {

struct WaterParams {
  std::string network = "generated";  ///< path or "generated"
  std::string crs;
  double service_pressure_m = 20.0;
  std::string demand_model = "file";
  CityNetworkOptions generator;
  int districts = 0;  ///< district metered areas of the generated network (0: none)
  HourlyFactors district_multipliers;  ///< calibrated demand multipliers by district and local hour
};

/// An intervention that ends at until_s and must then be undone.
struct TimedChange {
  double until_s = 0;
  enum class Kind { Leak, PumpOutage, FireFlow, Demand } kind = Kind::Leak;
  int index = -1;
  double value = 0;
};

/// The network of the parameters: generated on the city's streets, or read from an .inp file and moved
/// from its CRS into the City's local metres.
Network load_network(const City& city, const WaterParams& params) {
  if (params.network == "generated") return generate_city_network(city, params.generator);
  Network net = read_inp(params.network);
  if (params.demand_model == "dda") net.options.demand_model = DemandModel::DDA;
  if (params.demand_model == "pda") net.options.demand_model = DemandModel::PDA;
  if (params.crs.empty()) return net;
  Transform tr(params.crs, city.crs);
  for (int n = 0; n < net.num_nodes(); ++n) {
    if (!std::isfinite(net.x[n])) continue;
    const Point2 p = tr.forward(Point2{net.x[n], net.y[n]});
    net.x[n] = p.x - city.origin.x;
    net.y[n] = p.y - city.origin.y;
  }
  for (auto& v : net.link_vertices) {
    for (size_t i = 0; i + 1 < v.size(); i += 2) {
      const Point2 p = tr.forward(Point2{v[i], v[i + 1]});
      v[i] = p.x - city.origin.x;
      v[i + 1] = p.y - city.origin.y;
    }
  }
  return net;
}

Point2 node_point(const Network& net, int n) {
  return Point2{std::isfinite(net.x[n]) ? net.x[n] : 0.0, std::isfinite(net.y[n]) ? net.y[n] : 0.0};
}

ElementSet node_set(const Network& net) {
  ElementSet nodes;
  nodes.name = "water.nodes";
  nodes.kind = GeometryKind::point;
  Attribute elev{"elevation_m", {}, {}}, type{"type", {}, {}};
  for (int n = 0; n < net.num_nodes(); ++n) {
    nodes.ids.push_back(net.node_ids[n]);
    nodes.points.push_back(node_point(net, n));
    elev.numbers.push_back(net.elevation_m[n]);
    type.texts.push_back(net.node_type[n] == NodeType::Junction    ? "junction"
                         : net.node_type[n] == NodeType::Reservoir ? "reservoir"
                                                                   : "tank");
  }
  nodes.attributes = {elev, type};
  return nodes;
}

ElementSet pipe_set(const Network& net) {
  ElementSet pipes;
  pipes.name = "water.pipes";
  pipes.kind = GeometryKind::line;
  Attribute diam{"diameter_m", {}, {}}, ltype{"type", {}, {}};
  static const char* kTypes[] = {"cv_pipe", "pipe", "pump", "prv", "psv", "pbv", "fcv", "tcv", "gpv"};
  for (int k = 0; k < net.num_links(); ++k) {
    pipes.ids.push_back(net.link_ids[k]);
    Polyline line{node_point(net, net.from[k])};
    const auto& v = net.link_vertices[k];
    for (size_t i = 0; i + 1 < v.size(); i += 2) line.push_back(Point2{v[i], v[i + 1]});
    line.push_back(node_point(net, net.to[k]));
    pipes.lines.push_back(std::move(line));
    diam.numbers.push_back(net.diameter_m[k]);
    ltype.texts.push_back(kTypes[static_cast<int>(net.link_type[k])]);
  }
  pipes.attributes = {diam, ltype};
  return pipes;
}

/// Each building's nearest junction with coordinates (-1 when the network has none).
std::vector<int> nearest_junctions(const City& city, const Network& net) {
  std::vector<Point2> junctions;
  for (int n = 0; n < net.num_junctions; ++n) junctions.push_back({net.x[n], net.y[n]});
  const PointIndex index(junctions);  // junctions without coordinates are left out
  std::vector<int> out(city.buildings.size(), -1);
  for (size_t b = 0; b < city.buildings.size(); ++b) out[b] = index.nearest(city.buildings[b].centroid);
  return out;
}

/// What every run on the same network shares: the network, its element sets and the building snapping.
struct WaterPrepared final : PreparedData {
  WaterPrepared(const City& city, const WaterParams& params)
      : net(load_network(city, params)), nodes(node_set(net)), pipes(pipe_set(net)),
        junction_of_building(nearest_junctions(city, net)),
        districts(params.districts > 0 ? partition_districts(net, params.districts) : Districts{}) {}
  Network net;
  ElementSet nodes, pipes;
  std::vector<int> junction_of_building;
  Districts districts;  ///< of the generated network; a utility's come from the run's registries
};

class WaterModel final : public Model {
 public:
  explicit WaterModel(WaterParams p) : params_(std::move(p)) {}

  std::string name() const override { return "water"; }
  SignalAccess signals() const override {
    return SignalAccess{{}, {}, {signals::kBuildingPeople, signals::kFeedZoneInflowLps}};
  }

  // The network depends on the parameters that shape it; service pressure and interventions are per run.
  std::string prepare_key() const override {
    const auto& g = params_.generator;
    return params_.network + "|" + params_.crs + "|" + params_.demand_model + "|" + prepare_key_number(g.litres_per_m2_day) + "|" +
           prepare_key_number(g.supply_head_m) + "|" + std::to_string(params_.districts);
  }
  std::shared_ptr<const PreparedData> prepare(const City& city) const override {
    return std::make_shared<const WaterPrepared>(city, params_);
  }

  void setup(RunContext& ctx) override {
    ctx_ = &ctx;
    prepared_ = &ctx.prepared_as<WaterPrepared>();
    net_ = &prepared_->net;
    run_ = std::make_unique<HydraulicRun>(*net_);
    run_->set_duration(std::numeric_limits<long>::max() / 4);
    run_->init();
    auto& r = ctx.recorder;
    r.add_set(prepared_->nodes);
    r.add_set(prepared_->pipes);
    pressure_layer_ = r.add_layer("water.pressure", "water.nodes", "m", "pressure head at the node");
    flow_layer_ = r.add_layer("water.flow", "water.pipes", "L/s", "flow, positive from start to end node");
    velocity_layer_ = r.add_layer("water.velocity", "water.pipes", "m/s", "mean flow velocity");
    min_series_ = r.add_series("water.min_pressure", "m");
    demand_series_ = r.add_series("water.demand", "L/s");
    setup_districts(ctx);
  }

  void check_intervention(const Intervention& iv, Params& p) override {
    target_of(iv, p);
    p.finish();
  }

  // People in buildings (when some model writes them) add to the demand KPIs of their nearest junction.
  void connect(RunContext& ctx) override {
    counts_people_ = ctx.exchange.has(signals::kBuildingPeople) && !ctx.city.buildings.empty() && net_->num_junctions > 0;
    if (counts_people_) people_signal_ = ctx.exchange.id(signals::kBuildingPeople);
    drives_zones_ = ctx.exchange.has(signals::kFeedZoneInflowLps) && !districts_->empty();
    if (drives_zones_) zone_signal_ = ctx.exchange.id(signals::kFeedZoneInflowLps);
  }

  void apply(const Intervention& iv, double t_s) override {
    ErrorList none;  // checked before the run
    Params p = Params::of(iv, none);
    const Target tg = target_of(iv, p);
    HydraulicState& s = run_->state();
    const Network& net = *net_;
    if (iv.action == "close_pipe" || iv.action == "open_pipe") {
      const bool open = iv.action == "open_pipe";
      s.status[tg.index] = open ? LinkStatus::Open : LinkStatus::Closed;
      if (net.link_type[tg.index] == LinkType::Pump) s.setting[tg.index] = open ? 1.0 : 0.0;
      else if (is_valve(net.link_type[tg.index])) s.setting[tg.index] = kMissing;
    } else if (iv.action == "burst") {
      s.leak_coeff[tg.index] += tg.value;
      timed_.push_back({iv.until_s, TimedChange::Kind::Leak, tg.index, tg.value});
    } else if (iv.action == "pump_outage") {
      s.status[tg.index] = LinkStatus::Closed;
      s.setting[tg.index] = 0.0;
      timed_.push_back({iv.until_s, TimedChange::Kind::PumpOutage, tg.index, 0});
    } else if (iv.action == "fire_flow") {
      run_->extra_demand_m3s[tg.index] += tg.value;
      timed_.push_back({iv.until_s, TimedChange::Kind::FireFlow, tg.index, tg.value});
    } else if (iv.action == "demand_multiplier") {
      const double before = run_->demand_scale;
      run_->demand_scale *= tg.value;
      timed_.push_back({iv.until_s, TimedChange::Kind::Demand, -1, before});
    }
    (void)t_s;
    dirty_ = true;
  }

  void advance(double t0_s, double t1_s) override {
    end_expired(t0_s);
    if (drives_zones_) read_zone_inflows();
    if (!multipliers_.empty()) apply_district_multipliers(t0_s);
    const long target = std::lround(t1_s);
    if (dirty_ || !solved_) solve();
    while (run_->time_s() < target) {
      run_->set_step_limit(target);
      const long step = run_->next();
      if (step <= 0) break;
      solve();
    }
  }

  void record(double t_s) override {
    if (dirty_ || !solved_) solve();  // the first record comes before any advance
    const Network& net = *net_;
    const HydraulicState& s = run_->state();
    const int nn = net.num_nodes(), nl = net.num_links();
    values_.resize(nn);
    int below = 0;
    double min_p = std::numeric_limits<double>::infinity();
    double demand = 0;
    for (int n = 0; n < nn; ++n) {
      values_[n] = s.head_m[n] - net.elevation_m[n];
      if (n < net.num_junctions) {
        if (s.demand_m3s[n] > 0.0) {
          min_p = std::min(min_p, values_[n]);
          if (values_[n] < params_.service_pressure_m) ++below;
        }
        demand += s.demand_m3s[n];
      }
    }
    ctx_->recorder.record_layer(pressure_layer_, t_s, values_);
    ctx_->recorder.record_series(min_series_, t_s, std::isfinite(min_p) ? min_p : 0.0);
    ctx_->recorder.record_series(demand_series_, t_s, demand * 1000.0);
    max_below_ = std::max(max_below_, below);
    if (counts_people_) {
      const auto people = ctx_->exchange.read(people_signal_);
      double affected = 0;
      const auto& junction_of_building = prepared_->junction_of_building;
      for (size_t b = 0; b < junction_of_building.size(); ++b) {
        const int n = junction_of_building[b];
        if (n >= 0 && values_[n] < params_.service_pressure_m) affected += people[b];
      }
      max_people_below_ = std::max(max_people_below_, affected);
    }
    values_.resize(nl);
    for (int k = 0; k < nl; ++k) values_[k] = is_closed(s.status[k]) ? 0.0 : s.flow_m3s[k] * 1000.0;
    ctx_->recorder.record_layer(flow_layer_, t_s, values_);
    if (!districts_->empty()) record_zone_inflows(t_s, values_);
    for (int k = 0; k < nl; ++k) {
      const double d = net.diameter_m[k];
      values_[k] = (is_closed(s.status[k]) || net.link_type[k] == LinkType::Pump || d <= 0)
                       ? 0.0
                       : std::abs(s.flow_m3s[k]) / (std::numbers::pi * d * d / 4.0);
    }
    ctx_->recorder.record_layer(velocity_layer_, t_s, values_);
  }

  void finish() override {
    auto& r = ctx_->recorder;
    r.kpi("water.min_pressure_m", std::isfinite(min_pressure_) ? min_pressure_ : 0.0, "m",
          "lowest pressure at a junction with demand over every hydraulic solution");
    r.kpi("water.nodes_below_service_pressure", max_below_, "nodes",
          "most junctions with demand below the service pressure at one recorded time");
    if (counts_people_)
      r.kpi("water.people_below_service_pressure", max_people_below_, "people",
            "most people at one recorded time in buildings whose nearest junction is below the service pressure");
    r.kpi("water.unmet_demand_m3", run_->unmet_demand_m3(), "m3",
          "required demand not delivered (pressure-driven analysis)");
    r.kpi("water.leak_volume_m3", run_->leak_volume_m3(), "m3", "volume lost through bursts");
    double energy = 0;
    for (double e : run_->pump_energy_kwh()) energy += e;
    r.kpi("water.pump_energy_kwh", energy, "kWh", "energy used by pumps");
    r.kpi("water.unbalanced_solutions", unbalanced_, "solutions", "hydraulic solutions that did not converge");
  }

 private:
  struct Target {
    int index = -1;
    double value = 0;
  };

  /// The districts of the generated network, or those behind the registry's meters on a utility's network.
  void setup_districts(RunContext& ctx) {
    districts_ = &prepared_->districts;
    const Sensor* zone_sensor = first_zone_inflow_sensor(ctx.scenario);
    if (params_.network == "generated") {
      if (zone_sensor && districts_->empty())
        throw InputError(zone_sensor->where, "sensor \"" + zone_sensor->id + "\" measures a district's inflow, and the generated "
                                             "network has no districts: set districts = N in [models.water]");
    } else if (zone_sensor) {
      own_districts_ = districts_behind_meters(*net_, zone_meters_from_feeds(ctx.scenario));
      districts_ = &own_districts_;
    }
    if (districts_->empty()) {
      if (!params_.district_multipliers.empty())
        throw InputError(params_.district_multipliers.where, "district_demand_multipliers: this network has no districts");
      return;
    }
    ctx.recorder.add_set(district_set(*net_, *districts_));
    zone_layer_ = ctx.recorder.add_layer("water.zone_inflow", "water.zones", "L/s",
                                         "net inflow of the district through its boundary meters");
    run_->zone_of_node = districts_->of_node;
    run_->zone_target_m3s.assign(districts_->list.size(), std::numeric_limits<double>::quiet_NaN());
    run_->zone_scale.assign(districts_->list.size(), 1.0);
    std::vector<std::string> ids;
    for (const auto& d : districts_->list) ids.push_back(d.id);
    multipliers_ = params_.district_multipliers.by_index(ids, "district", "this network");
  }

  /// The calibrated multipliers of the local hour the step starts in.
  void apply_district_multipliers(double t0_s) {
    const int hour = HourlyFactors::step_hour(ctx_->scenario, t0_s);
    for (const auto& [z, factors] : multipliers_) {
      if (run_->zone_scale[z] == factors[hour]) continue;
      run_->zone_scale[z] = factors[hour];
      dirty_ = true;
    }
  }

  /// Measured district inflows (L/s; NaN: none, the modelled demand stays) become the districts' demands.
  void read_zone_inflows() {
    const auto lps = ctx_->exchange.read(zone_signal_);
    for (size_t z = 0; z < lps.size(); ++z) {
      const double target = lps[z] / 1000.0;
      double& now = run_->zone_target_m3s[z];
      if (std::isnan(target) && std::isnan(now)) continue;
      if (target == now) continue;
      now = target;
      dirty_ = true;
    }
  }

  /// Each district's net inflow (L/s) from the recorded link flows (L/s, closed links at 0).
  void record_zone_inflows(double t_s, std::span<const double> flows_lps) {
    zone_values_.resize(districts_->list.size());
    for (size_t z = 0; z < zone_values_.size(); ++z) zone_values_[z] = districts_->net_inflow(z, flows_lps);
    ctx_->recorder.record_layer(zone_layer_, t_s, zone_values_);
  }

  void solve() {
    run_->run();
    solved_ = true;
    dirty_ = false;
    const auto& st = run_->last_solve();
    if (!st.converged) ++unbalanced_;
    const Network& net = *net_;
    const HydraulicState& s = run_->state();
    for (int n = 0; n < net.num_junctions; ++n)
      if (s.demand_m3s[n] > 0.0) min_pressure_ = std::min(min_pressure_, s.head_m[n] - net.elevation_m[n]);
  }

  void end_expired(double t_s) {
    HydraulicState& s = run_->state();
    for (auto it = timed_.begin(); it != timed_.end();) {
      if (t_s < it->until_s) {
        ++it;
        continue;
      }
      switch (it->kind) {
        case TimedChange::Kind::Leak: s.leak_coeff[it->index] = std::max(0.0, s.leak_coeff[it->index] - it->value); break;
        case TimedChange::Kind::PumpOutage:
          s.status[it->index] = LinkStatus::Open;
          s.setting[it->index] = 1.0;
          break;
        case TimedChange::Kind::FireFlow: run_->extra_demand_m3s[it->index] -= it->value; break;
        case TimedChange::Kind::Demand: run_->demand_scale = it->value; break;
      }
      it = timed_.erase(it);
      dirty_ = true;
    }
  }

  /// The element and value of an intervention; problems go to p.
  Target target_of(const Intervention& iv, Params& p) const {
    const Network& net = *net_;
    auto link = [&]() {
      auto it = net.link_index.find(iv.target);
      if (it != net.link_index.end()) return it->second;
      p.error("target", "unknown link \"" + iv.target + "\"");
      return -1;
    };
    auto junction = [&]() {
      auto it = net.node_index.find(iv.target);
      if (it != net.node_index.end() && it->second < net.num_junctions) return it->second;
      p.error("target", "unknown junction \"" + iv.target + "\"");
      return -1;
    };
    auto required = [&](const char* key, double min, double max) {
      if (!p.has(key)) p.error(key, "missing");
      return p.number(key, 0, min, max);
    };
    Target t;
    if (iv.action == "close_pipe" || iv.action == "open_pipe") {
      t.index = link();
    } else if (iv.action == "pump_outage") {
      t.index = link();
      if (t.index >= 0 && net.link_type[t.index] != LinkType::Pump) p.error("target", "link \"" + iv.target + "\" is not a pump");
    } else if (iv.action == "burst") {
      t.index = junction();
      auto area = p.optional_number("leak_area_m2", 0.0, 10.0);
      auto dmm = p.optional_number("leak_diameter_mm", 0.0, 5000.0);
      if (!area && dmm) area = std::numbers::pi * (*dmm / 1000.0) * (*dmm / 1000.0) / 4.0;
      if (!area && !p.has("leak_area_m2") && !p.has("leak_diameter_mm"))
        p.error("leak_area_m2", "give leak_area_m2 or leak_diameter_mm");
      const double cd = p.number("discharge_coefficient", 0.75, 0.0, 1.0);
      // Orifice leak (WNTR's model): q = Cd A sqrt(2 g p).
      t.value = cd * area.value_or(0) * std::sqrt(2.0 * 9.80665);
    } else if (iv.action == "fire_flow") {
      t.index = junction();
      t.value = required("flow_lps", 0.0, 1e5) / 1000.0;
    } else if (iv.action == "demand_multiplier") {
      t.value = required("factor", 0.0, 100.0);
    } else {
      p.error("action", "unknown action \"" + iv.action +
                            "\" (water: close_pipe, open_pipe, burst, pump_outage, demand_multiplier, fire_flow)");
    }
    return t;
  }

  WaterParams params_;
  RunContext* ctx_ = nullptr;
  const WaterPrepared* prepared_ = nullptr;
  const Network* net_ = nullptr;
  std::unique_ptr<HydraulicRun> run_;
  std::vector<TimedChange> timed_;
  std::vector<double> values_;
  bool dirty_ = true, solved_ = false;
  double min_pressure_ = std::numeric_limits<double>::infinity();
  int max_below_ = 0;
  // Population below the service pressure: each building is served by its nearest junction; people come
  // from the occupancy model through the Exchange, so the KPI exists only when that model runs.
  bool counts_people_ = false;
  Exchange::SignalId people_signal_ = 0;
  double max_people_below_ = 0;
  long unbalanced_ = 0;
  const Districts* districts_ = nullptr;
  Districts own_districts_;
  bool drives_zones_ = false;
  HourlyFactors::ByIndex multipliers_;  ///< by district index
  Exchange::SignalId zone_signal_ = 0;
  std::vector<double> zone_values_;
  Recorder::LayerId pressure_layer_ = 0, flow_layer_ = 0, velocity_layer_ = 0, zone_layer_ = 0;
  Recorder::SeriesId min_series_ = 0, demand_series_ = 0;
};

}  // namespace

void register_water_model(ModelRegistry& registry) {
  registry.add("water", "EPANET-exact water distribution hydraulics", [](Params& p) {
    WaterParams w;
    w.network = p.string("network", "generated");
    if (w.network != "generated") w.network = p.path("network", "an EPANET .inp file, or \"generated\"");
    w.crs = p.string("crs", "");
    w.service_pressure_m = p.number("service_pressure_m", 20.0, 0.0, 1000.0);
    w.demand_model = p.string("demand_model", "file", {"file", "dda", "pda"});
    w.generator.litres_per_m2_day = p.number("litres_per_m2_day", w.generator.litres_per_m2_day, 0.0, 1000.0);
    w.generator.supply_head_m = p.number("supply_head_m", w.generator.supply_head_m, 1.0, 500.0);
    w.districts = static_cast<int>(p.integer("districts", 0, 0, 1000));
    w.district_multipliers = HourlyFactors::read(p, "district_demand_multipliers");
    if (w.districts > 0 && w.network != "generated")
      p.error("districts", "only for the generated network: a network file's districts are what lies behind the meters its "
                           "sensor registry tags with a zone");
    return std::make_unique<WaterModel>(std::move(w));
  });
}

}  // namespace citytwin::water
