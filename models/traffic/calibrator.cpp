#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "models/traffic/simulation.hpp"
#include "models/traffic/simulation_state.hpp"

namespace citytwin::traffic {

void Simulation::set_calibrator(int edge, double flow_veh_h) {
  State& s = *s_;
  if (edge < 0 || edge >= net_.edges()) throw std::invalid_argument("traffic: calibrator on an unknown edge");
  const bool has = !s.calibrator_of.empty() && s.calibrator_of[edge] >= 0;
  if (!has && std::isnan(flow_veh_h)) return;  // nothing to switch off (and no table while no road has one)
  if (s.calibrator_of.empty()) s.calibrator_of.assign(net_.edges(), -1);
  if (!has) {
    s.calibrator_of[edge] = static_cast<std::int32_t>(s.calibrators.size());
    Calibrator c;
    c.edge = edge;
    s.calibrators.push_back(std::move(c));
  }
  Calibrator& c = s.calibrators[s.calibrator_of[edge]];
  c.flow_veh_h = std::isnan(flow_veh_h) ? flow_veh_h : std::max(0.0, flow_veh_h);
  c.since_s = t_;
  c.passed = 0;
}

void Simulation::note_calibrated_entry(int v, int lane) {
  State& s = *s_;
  if (s.calibrator_of.empty()) return;
  const int c = s.calibrator_of[net_.lane_edge[lane]];
  if (c < 0) return;
  Calibrator& cal = s.calibrators[c];
  ++cal.passed;
  cal.entered_now.push_back(v);
  const auto& route = s.route[v];
  cal.route.assign(route.begin() + s.route_pos[v], route.end());
  cal.type = trips_[v].type;
}

void Simulation::calibrate() {
  State& s = *s_;
  for (Calibrator& c : s.calibrators) {
    if (std::isnan(c.flow_veh_h)) {
      c.entered_now.clear();
      continue;
    }
    // Kept within one vehicle of the target at every step: whole vehicles, so at the end of an interval
    // of a whole count the edge has seen exactly that count (room and traffic permitting).
    const double expected = c.flow_veh_h / 3600 * (t_ + opt_.step_s - c.since_s);
    while (static_cast<double>(c.passed) >= expected + 1 && !c.entered_now.empty()) {
      const int v = c.entered_now.back();
      c.entered_now.pop_back();
      // One that re-entered from a teleport last step may have driven on (or teleported) since.
      if (net_.lane_edge[s.lane[v]] == c.edge && remove_entered(v)) --c.passed;
    }
    for (int k = 0; k < net_.edge_lanes(c.edge) && static_cast<double>(c.passed) + 1 <= expected; ++k)
      if (!insert_calibrated(c)) break;
    c.entered_now.clear();
  }
}

bool Simulation::remove_entered(int v) {
  State& s = *s_;
  if (s.status[v] != TripStatus::running) return false;
  const int lane = s.lane[v];
  auto& q = s.on_lane[lane];
  const auto it = std::find(q.begin(), q.end(), v);
  if (it == q.end()) return false;  // teleporting
  q.erase(it);
  s.rec_entered[lane] -= 1;
  s.status[v] = TripStatus::removed;
  ++counters_.removed;
  return true;
}

bool Simulation::insert_calibrated(Calibrator& c) {
  State& s = *s_;
  Trip trip;
  trip.id = "calibrator:" + net_.edge_id[c.edge] + "#" + std::to_string(counters_.calibrator_inserted);
  trip.depart_s = t_;
  trip.from_edge = c.edge;
  trip.route = c.route.empty() ? std::vector<std::int32_t>{c.edge} : c.route;
  trip.to_edge = trip.route.back();
  trip.type = c.type;
  const size_t v = trips_.size();
  trips_.push_back(std::move(trip));
  s.resize_vehicles(trips_.size());
  s.route[v] = trips_[v].route;
  s.route_pos[v] = 0;
  // The speed factor of the vehicle whose route it copies would repeat it; the type's mean keeps inserted
  // vehicles neutral.
  s.factor[v] = types_[trips_[v].type].speed_factor;
  const int iv = static_cast<int>(v);
  if (!try_place(iv, c.edge, types_[trips_[v].type].length_m, std::numeric_limits<double>::infinity())) {
    trips_.pop_back();
    s.resize_vehicles(trips_.size());
    return false;
  }
  s.status[v] = TripStatus::running;
  s.insert_t[v] = t_;
  s.dist_m[v] = 0;
  ++counters_.loaded;
  ++counters_.inserted;
  ++counters_.calibrator_inserted;
  return true;
}

}  // namespace citytwin::traffic
