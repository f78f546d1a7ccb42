#include "models/traffic/traffic_model.hpp"

#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <span>

#include "engine/core/time.hpp"
#include "engine/geo/spatial_index.hpp"
#include "engine/sim/signals.hpp"

#include "models/traffic/demand_generator.hpp"
#include "models/traffic/io/demand.hpp"
#include "models/traffic/kpis.hpp"
#include "models/traffic/outputs.hpp"
#include "models/traffic/recording.hpp"
#include "models/traffic/hourly_demand.hpp"
#include "models/traffic/simulation.hpp"

namespace citytwin::traffic {
namespace {

struct TrafficParams {
  std::string trips_file;
  double trips_per_day = 20000;
  double step_s = 1;
  double teleport_after_s = 300;
  bool collision_teleport = true;
  double reroute_period_s = 300;
  double gravity_length_m = 1500;
  double positions_every_s = 10;  ///< sampling period of "traffic.vehicles"; 0 = off
  std::optional<std::array<double, 24>> demand_multipliers;  ///< by local hour of departure (calibration)
};

/// The static data of the traffic model on a City: the lane network, its router's landmarks, the nearest
/// edge of each building and the nearest building to the end of each edge, and the lane geometry for
/// vehicle positions. Shared by every run of a Session.
struct TrafficPrepared final : PreparedData {
  explicit TrafficPrepared(const City& city)
      : net(network_from_city(city.roads)),
        router(net),
        placer(net),
        building_edge(building_edges(city, net)),
        edge_building(nearest_buildings(city, net)) {}

  Network net;
  Router router;
  LanePlacer placer;
  std::vector<std::int32_t> building_edge;  ///< per building
  std::vector<std::int32_t> edge_building;  ///< per edge: the building nearest to its end

 private:
  static std::vector<std::int32_t> nearest_buildings(const City& city, const Network& net) {
    std::vector<Point2> centroids;
    for (const auto& b : city.buildings) centroids.push_back(b.centroid);
    const PointIndex index(centroids);
    std::vector<std::int32_t> out(net.edges(), -1);
    for (int e = 0; e < net.edges(); ++e) out[e] = index.nearest(net.edge_shape[e].back());
    return out;
  }
};

/// A change to undo when a timed intervention ends.
struct Revert {
  double at_s;
  std::function<void()> undo;
};

class TrafficModel final : public Model {
 public:
  explicit TrafficModel(TrafficParams p) : params_(std::move(p)) {}

  std::string name() const override { return "traffic"; }
  SignalAccess signals() const override { return {{}, {signals::kBuildingEvArrivals}, {signals::kFeedTrafficFlowVehH}}; }

  // The network depends on the City alone.
  std::string prepare_key() const override { return "roads"; }
  std::shared_ptr<const PreparedData> prepare(const City& city) const override {
    return std::make_shared<const TrafficPrepared>(city);
  }

  void setup(RunContext& ctx) override {
    ctx_ = &ctx;
    const auto& prepared = ctx.prepared_as<TrafficPrepared>();
    net_ = &prepared.net;
    std::vector<Trip> trips;
    std::vector<VehicleType> types;
    if (!params_.trips_file.empty()) {
      auto d = io::read_demand(params_.trips_file, *net_);
      trips = std::move(d.trips);
      types = std::move(d.types);
      // Destination building: the building nearest to the end of the destination edge.
      to_building_.resize(trips.size(), -1);
      const auto& edge_building = prepared.edge_building;
      for (size_t i = 0; i < trips.size(); ++i) {
        const int to = trips[i].to_edge >= 0 ? trips[i].to_edge : (trips[i].route.empty() ? -1 : trips[i].route.back());
        if (to >= 0) to_building_[i] = edge_building[to];
      }
    } else {
      GeneratorOptions g;
      g.trips_per_day = params_.trips_per_day;
      g.gravity_length_m = params_.gravity_length_m;
      g.seed = ctx.scenario.seed;
      g.zone = ctx.scenario.timezone;
      g.start_unix_s = ctx.scenario.start_unix_s;
      auto d = generate_city_trips(ctx.city, *net_, g, 0, ctx.scenario.duration_s, prepared.building_edge);
      trips = std::move(d.trips);
      to_building_ = std::move(d.to_building);
      types = io::builtin_types();
    }
    if (params_.demand_multipliers)
      scale_trips_by_hour(trips, to_building_, *params_.demand_multipliers, ctx.scenario.start_unix_s, ctx.scenario.timezone,
                          ctx.scenario.seed);
    SimulationOptions o;
    o.step_s = params_.step_s;
    o.seed = ctx.scenario.seed;
    o.threads = ctx.threads;
    o.teleport_after_s = params_.teleport_after_s;
    o.collision_teleport = params_.collision_teleport;
    o.reroute_period_s = params_.reroute_period_s;
    sim_ = std::make_unique<Simulation>(*net_, prepared.router, std::move(types), std::move(trips), o);
    ctx.log.info("traffic: " + std::to_string(net_->edges()) + " edges, " + std::to_string(net_->lanes()) + " lanes, " +
                 std::to_string(sim_->trips().size()) + " trips, " + std::to_string(sim_->counters().unroutable) +
                 " unroutable");
    ev_ = ctx.exchange.declare(signals::kBuildingEvArrivals, ctx.city.buildings.size());
    if (params_.positions_every_s > 0) placer_ = &prepared.placer;
    recording_.emplace(ctx.recorder, placer_ != nullptr);
  }

  void connect(RunContext& ctx) override {
    calibrated_ = ctx.exchange.has(signals::kFeedTrafficFlowVehH);
    if (calibrated_) counts_signal_ = ctx.exchange.id(signals::kFeedTrafficFlowVehH);
  }

  void check_intervention(const Intervention& iv, Params& p) override {
    const std::string& a = iv.action;
    auto known_edge = [&] {
      const int e = net_->find_edge(iv.target);
      if (e < 0) p.error("target", "unknown road edge \"" + iv.target + "\"");
      return e;
    };
    auto required = [&](const char* key, const char* what) {
      if (!p.has(key)) p.error(key, std::string("missing: ") + what);
    };
    if (a == "close_edge") {
      known_edge();
    } else if (a == "close_lane") {
      const int e = known_edge();
      required("lane", "the lane index (0 = rightmost)");
      if (e >= 0) p.integer("lane", 0, 0, net_->edge_lanes(e) - 1);
      else p.accept("lane");
    } else if (a == "speed_limit") {
      known_edge();
      required("speed_kmh", "the new speed limit");
      p.number("speed_kmh", 50, 1, 300);
    } else if (a == "demand_scale") {
      required("factor", "the factor on the trips still to depart");
      p.number("factor", 1, 0, 100);
    } else if (a == "signal_plan") {
      p.accept("phases");
      p.finish();
      program(iv);  // throws at the entry with what is wrong with the junction or its phases
      return;
    } else {
      p.error("action", "unknown action \"" + a + "\" (traffic: close_edge, close_lane, speed_limit, signal_plan, demand_scale)");
      return;
    }
    p.finish();
  }

  void apply(const Intervention& iv, double t_s) override {
    const std::string& a = iv.action;
    if (a == "close_edge") {
      const int e = edge(iv);
      sim_->set_edge_open(e, false);
      if (std::isfinite(iv.until_s)) reverts_.push_back({iv.until_s, [this, e] { sim_->set_edge_open(e, true); }});
      sim_->reroute_all();
    } else if (a == "close_lane") {
      const int e = edge(iv);
      const int l = net_->edge_first_lane[e] + static_cast<int>(*iv.params["lane"].value<long long>());
      sim_->set_lane_open(l, false);
      if (std::isfinite(iv.until_s)) reverts_.push_back({iv.until_s, [this, l] { sim_->set_lane_open(l, true); }});
      sim_->reroute_all();
    } else if (a == "speed_limit") {
      const int e = edge(iv);
      const double old = net_->edge_speed_mps[e];
      sim_->set_edge_speed(e, *iv.params["speed_kmh"].value<double>() / 3.6);
      if (std::isfinite(iv.until_s)) reverts_.push_back({iv.until_s, [this, e, old] { sim_->set_edge_speed(e, old); }});
    } else if (a == "signal_plan") {
      const int j = junction(iv);
      const SignalProgram old = net_->programs[net_->junction_program[j]];
      sim_->set_signal_program(j, program(iv));
      if (std::isfinite(iv.until_s)) reverts_.push_back({iv.until_s, [this, j, old] { sim_->set_signal_program(j, old); }});
    } else if (a == "demand_scale") {
      sim_->scale_demand(*iv.params["factor"].value<double>());
    }
    (void)t_s;
  }

  void advance(double t0_s, double t1_s) override {
    for (auto it = reverts_.begin(); it != reverts_.end();) {
      if (it->at_s <= t0_s + 1e-9) {
        it->undo();
        it = reverts_.erase(it);
      } else {
        ++it;
      }
    }
    if (calibrated_) set_calibrators();
    const size_t done_before = sim_->completed().size();
    // Vehicle positions at every multiple of positions_every (the sample's time is the step reached).
    while (placer_ && next_sample_s_ <= t1_s + 1e-9) {
      sim_->run_until(next_sample_s_);
      recording_->record_vehicles(*sim_, *placer_);
      next_sample_s_ += params_.positions_every_s;
    }
    sim_->run_until(t1_s);
    auto ev = ctx_->exchange.write(ev_);
    std::fill(ev.begin(), ev.end(), 0.0);
    for (size_t i = done_before; i < sim_->completed().size(); ++i) {
      const int trip = sim_->completed()[i].trip;
      const int b = trip < static_cast<int>(to_building_.size()) ? to_building_[trip] : -1;
      if (b >= 0) ev[b] += 1;
    }
    interval_s_ = t1_s - t0_s;
  }

  void record(double t_s) override { recording_->record(t_s, *sim_, *net_, interval_s_); }

  void finish() override { recording_->finish(*sim_); }

 private:
  int edge(const Intervention& iv) const { return net_->find_edge(iv.target); }  // known: checked before the run

  /// Each counted road's calibrator gets the count of the interval starting now (NaN: a gap, switched off).
  void set_calibrators() {
    const auto counts = ctx_->exchange.read(counts_signal_);
    for (size_t e = 0; e < counts.size(); ++e) sim_->set_calibrator(static_cast<int>(e), counts[e]);
  }

  int junction(const Intervention& iv) const {
    for (int j = 0; j < net_->junctions(); ++j)
      if (net_->junction_id[j] == iv.target) {
        if (net_->junction_program[j] < 0)
          throw InputError(iv.where, "traffic.signal_plan: junction \"" + iv.target + "\" has no signal");
        return j;
      }
    throw InputError(iv.where, "traffic.signal_plan: unknown junction \"" + iv.target + "\" (IDs are j<index>)");
  }

  SignalProgram program(const Intervention& iv) const {
    const int j = junction(iv);
    const size_t links = net_->junction_first_link[j + 1] - net_->junction_first_link[j];
    const auto* phases = iv.params["phases"].as_array();
    auto fail = [&] {
      throw InputError(iv.where, "traffic.signal_plan: phases: expected [[duration_s, \"state\"], ...] with " +
                                     std::to_string(links) + " characters of G g y r per state");
    };
    if (!phases || phases->empty()) fail();
    SignalProgram p;
    for (const auto& ph : *phases) {
      const auto* pair = ph.as_array();
      if (!pair || pair->size() != 2) fail();
      auto d = (*pair)[0].value<double>();
      auto s = (*pair)[1].value<std::string>();
      if (!d || !(*d > 0) || !s || s->size() != links ||
          s->find_first_not_of("GgyrO") != std::string::npos)
        fail();
      p.phases.push_back({*d, *s});
    }
    return p;
  }

  TrafficParams params_;
  RunContext* ctx_ = nullptr;
  const Network* net_ = nullptr;
  std::unique_ptr<Simulation> sim_;
  std::vector<std::int32_t> to_building_;
  std::vector<Revert> reverts_;
  Exchange::SignalId ev_ = 0;
  bool calibrated_ = false;
  Exchange::SignalId counts_signal_ = 0;
  std::optional<TrafficRecording> recording_;
  const LanePlacer* placer_ = nullptr;
  double next_sample_s_ = 0;
  double interval_s_ = 1;
};

}  // namespace

void register_traffic_model(ModelRegistry& registry) {
  registry.add("traffic", "microscopic traffic: IDM car-following, lane changes, junctions, signals", [](Params& p) {
    TrafficParams t;
    t.trips_file = p.path("trips", "trips CSV or SUMO routes");
    t.trips_per_day = p.number("trips_per_day", 20000, 0, 1e8);
    t.step_s = p.duration_s("step", 1.0, 0.1, 2.0);
    t.teleport_after_s = p.duration_s("teleport_after", 300, 10, 86400);
    t.collision_teleport = p.boolean("collision_teleport", true);
    t.reroute_period_s = p.duration_s("reroute_period", 300, 0, 86400);
    t.gravity_length_m = p.number("gravity_length_m", 1500, 10, 1e6);
    t.positions_every_s = p.duration_s("positions_every", 10, 0, 86400);
    if (p.has("demand_multipliers")) {
      const auto f = p.numbers("demand_multipliers", {}, 0, 1000);
      if (f.size() == 24) t.demand_multipliers.emplace(), std::copy(f.begin(), f.end(), t.demand_multipliers->begin());
      else if (!f.empty()) p.error("demand_multipliers", "expected 24 factors, one per local hour of day (0 .. 23), got " + std::to_string(f.size()));
    }
    return std::make_unique<TrafficModel>(t);
  });
}

}  // namespace citytwin::traffic
