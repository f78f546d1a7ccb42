#include "models/traffic/recording.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "models/traffic/kpis.hpp"

namespace citytwin::traffic {

TrafficRecording::TrafficRecording(Recorder& recorder, bool sample_vehicles)
    : r_(recorder), sample_vehicles_(sample_vehicles) {
  speed_ = r_.add_layer("traffic.speed", "roads", "m/s", "mean speed of the vehicles on the road");
  flow_ = r_.add_layer("traffic.flow", "roads", "veh/h", "vehicles entering the road per hour");
  density_ = r_.add_layer("traffic.density", "roads", "veh/km", "vehicles per km of road (all lanes)");
  travel_time_ = r_.add_layer("traffic.travel_time", "roads", "s", "time to drive the road at the mean speed seen on it");
  running_ = r_.add_series("traffic.running", "veh");
  trips_ = r_.add_table(kTripsTable, kTripColumns, kTripUnits, kTripsDescription);
  if (sample_vehicles_) vehicles_ = r_.add_table(kVehiclesTable, kVehicleColumns, kVehicleUnits, kVehiclesDescription);
  arrived_ = r_.add_series("traffic.arrived", "veh");
}

void TrafficRecording::record_vehicles(const Simulation& sim, const LanePlacer& placer) {
  rows_.clear();
  append_vehicle_rows(sim, placer, rows_);
  for (size_t r = 0; r < rows_.size(); r += kVehicleColumns.size())
    r_.record_row(vehicles_, std::span(rows_).subspan(r, kVehicleColumns.size()));
}

void TrafficRecording::record(double t_s, Simulation& sim, const Network& net, double interval_s) {
  const auto st = sim.take_edge_stats();
  const int ne = net.edges();
  std::vector<double> speed(ne), flow(ne), density(ne), travel_time(ne);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double dt = std::max(interval_s, 1e-9);
  for (int e = 0; e < ne; ++e) {
    speed[e] = st.vehicle_s[e] > 0 ? st.vehicle_m[e] / st.vehicle_s[e] : nan;
    flow[e] = st.entered[e] / dt * 3600;
    density[e] = st.vehicle_s[e] / dt / (net.edge_length_m[e] / 1000);
    // Standing traffic counts as crawling at SUMO's halting speed, so a jam shows a long, finite time.
    travel_time[e] = std::isnan(speed[e]) ? nan : net.edge_length_m[e] / std::max(speed[e], kHaltingSpeedMps);
    veh_s_ += st.vehicle_s[e];
    veh_m_ += st.vehicle_m[e];
  }
  r_.record_layer(speed_, t_s, speed);
  r_.record_layer(flow_, t_s, flow);
  r_.record_layer(density_, t_s, density);
  r_.record_layer(travel_time_, t_s, travel_time);
  r_.record_series(running_, t_s, static_cast<double>(sim.counters().running));
  r_.record_series(arrived_, t_s, static_cast<double>(sim.counters().arrived));
}

void TrafficRecording::finish(const Simulation& sim) {
  const Kpis k = compute_kpis(sim, veh_m_, veh_s_);
  for (const auto& [name, value, unit, what] : k.list()) r_.kpi("traffic." + name, value, unit, what);
  rows_.clear();
  append_trip_rows(sim, rows_);
  for (size_t r = 0; r < rows_.size(); r += kTripColumns.size())
    r_.record_row(trips_, std::span(rows_).subspan(r, kTripColumns.size()));
}

ElementSet network_roads_set(const Network& net) {
  ElementSet roads;
  roads.name = "roads";
  roads.kind = GeometryKind::line;
  roads.ids = net.edge_id;
  roads.lines = net.edge_shape;
  Attribute lanes{"lanes", {}, {}}, speed_limit{"speed_limit_kmh", {}, {}};
  for (int e = 0; e < net.edges(); ++e) {
    lanes.numbers.push_back(net.edge_lanes(e));
    speed_limit.numbers.push_back(net.edge_speed_mps[e] * 3.6);
  }
  roads.attributes = {lanes, speed_limit};
  return roads;
}

}  // namespace citytwin::traffic
