#include "models/traffic/outputs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace citytwin::traffic {

const std::vector<std::string> kTripColumns{"trip",          "depart_s", "insert_s",       "arrival_s",    "travel_time_s",
                                            "delay_s",       "route_length_m", "vehicle_type", "status"};
const std::vector<std::string> kTripUnits{"", "s", "s", "s", "s", "s", "m", "", ""};
const std::vector<std::string> kVehicleColumns{"t_s", "vehicle", "x_m", "y_m", "heading_rad", "speed_mps"};
const std::vector<std::string> kVehicleUnits{"s", "", "m", "m", "rad", "m/s"};

void append_trip_rows(const Simulation& sim, std::vector<double>& rows) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  const auto& trips = sim.trips();
  std::vector<const TripRecord*> record(trips.size(), nullptr);
  for (const auto& r : sim.completed()) record[r.trip] = &r;
  for (size_t v = 0; v < trips.size(); ++v) {
    const int i = static_cast<int>(v);
    TripOutcome outcome = TripOutcome::not_inserted;
    switch (sim.trip_status(i)) {
      case TripStatus::not_departed:
      case TripStatus::waiting: outcome = TripOutcome::not_inserted; break;
      case TripStatus::running: outcome = TripOutcome::running; break;
      case TripStatus::arrived: outcome = TripOutcome::arrived; break;
      case TripStatus::removed: outcome = TripOutcome::removed; break;
      case TripStatus::unroutable: outcome = TripOutcome::unroutable; break;
      case TripStatus::dropped: outcome = TripOutcome::dropped; break;
    }
    const bool inserted = outcome == TripOutcome::arrived || outcome == TripOutcome::running ||
                          outcome == TripOutcome::removed;
    double arrival = nan, travel = nan, delay = nan;
    double length = inserted ? sim.vehicle_distance_m(i) : nan;
    if (const TripRecord* r = record[v]) {
      arrival = r->arrive_s;
      travel = r->arrive_s - r->insert_s;
      delay = std::max(0.0, travel - r->free_time_s);  // as the total_delay KPI (kpis.cpp)
      length = r->route_length_m;
    }
    rows.insert(rows.end(), {static_cast<double>(v), trips[v].depart_s, inserted ? sim.vehicle_insert_time(i) : nan,
                             arrival, travel, delay, length, static_cast<double>(trips[v].type),
                             static_cast<double>(static_cast<int>(outcome))});
  }
}

LanePlacer::LanePlacer(const Network& net) : net_(net) {
  cumulative_m_.resize(net.edges());
  for (int e = 0; e < net.edges(); ++e) {
    const auto& s = net.edge_shape[e];
    auto& c = cumulative_m_[e];
    c.assign(s.size(), 0.0);
    for (size_t k = 1; k < s.size(); ++k) c[k] = c[k - 1] + std::hypot(s[k].x - s[k - 1].x, s[k].y - s[k - 1].y);
  }
}

VehiclePose LanePlacer::place(int lane, double pos_m) const {
  const int e = net_.lane_edge[lane];
  const auto& s = net_.edge_shape[e];
  const auto& c = cumulative_m_[e];
  // The lane's length may differ from its shape's (SUMO networks): scale along the shape.
  const double along = std::clamp(pos_m / net_.lane_length_m[lane], 0.0, 1.0) * c.back();
  size_t k = static_cast<size_t>(std::upper_bound(c.begin(), c.end(), along) - c.begin());
  k = std::clamp<size_t>(k, 1, s.size() - 1);
  while (k + 1 < s.size() && c[k] - c[k - 1] <= 0) ++k;  // skip zero-length segments
  const double seg = c[k] - c[k - 1];
  const double dx = s[k].x - s[k - 1].x, dy = s[k].y - s[k - 1].y;
  const double f = seg > 0 ? std::clamp((along - c[k - 1]) / seg, 0.0, 1.0) : 0.0;
  const double ux = seg > 0 ? dx / seg : 1, uy = seg > 0 ? dy / seg : 0;
  const double off = net_.lane_offset_m[lane];
  // Right of the direction (ux, uy) is (uy, -ux).
  return {{s[k - 1].x + f * dx + off * uy, s[k - 1].y + f * dy - off * ux}, std::atan2(uy, ux)};
}

void append_vehicle_rows(const Simulation& sim, const LanePlacer& placer, std::vector<double>& rows) {
  const Network& net = sim.network();
  const double t = sim.time();
  for (int l = 0; l < net.lanes(); ++l)
    for (const int v : sim.lane_vehicles(l)) {
      const VehiclePose p = placer.place(l, sim.vehicle_pos(v));
      rows.insert(rows.end(), {t, static_cast<double>(v), p.pos.x, p.pos.y, p.heading_rad, sim.vehicle_speed(v)});
    }
}

}  // namespace citytwin::traffic
