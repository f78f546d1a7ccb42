#include "models/traffic/kpis.hpp"

#include <algorithm>

namespace citytwin::traffic {

std::vector<Kpis::Entry> Kpis::list() const {
  return {
      {"trips", trips, "trips", "trips in the demand"},
      {"trips_inserted", inserted, "trips", "vehicles that entered the network"},
      {"trips_completed", completed, "trips", "vehicles that reached their destination"},
      {"trips_unroutable", unroutable, "trips", "trips without a path from origin to destination"},
      {"running_at_end", running, "veh", "vehicles still on the network at the end"},
      {"waiting_at_end", waiting, "veh", "vehicles waiting for room to enter at the end"},
      {"removed", removed, "veh", "vehicles taken off the network by a calibrator (driving counts); gridlocks teleport, closures reroute"},
      {"calibrator_inserted", calibrator_inserted, "veh", "vehicles put on the network by a calibrator (driving counts)"},
      {"gridlock_resolutions", gridlock_resolutions, "count", "vehicles teleported out of a gridlock"},
      {"mean_travel_time_s", mean_travel_time_s, "s", "mean travel time of completed trips"},
      {"total_delay_h", total_delay_h, "h", "time lost against free flow, completed trips"},
      {"vehicle_km", vehicle_km, "km", "distance driven by all vehicles"},
      {"mean_speed_kmh", mean_speed_kmh, "km/h", "network mean speed: vehicle-km over vehicle-hours"},
      {"vehicle_updates", vehicle_updates, "count", "vehicle steps simulated"},
  };
}

Kpis compute_kpis(const Simulation& sim, double vehicle_m, double vehicle_s) {
  const Counters& c = sim.counters();
  Kpis k;
  k.trips = static_cast<double>(c.loaded);
  k.inserted = static_cast<double>(c.inserted);
  k.completed = static_cast<double>(sim.completed().size());
  k.unroutable = static_cast<double>(c.unroutable);
  k.running = static_cast<double>(c.running);
  k.waiting = static_cast<double>(c.waiting);
  k.removed = static_cast<double>(c.removed);
  k.calibrator_inserted = static_cast<double>(c.calibrator_inserted);
  k.gridlock_resolutions = static_cast<double>(c.teleports);
  k.vehicle_updates = static_cast<double>(c.vehicle_updates);
  double tt = 0, delay = 0;
  for (const auto& r : sim.completed()) {
    tt += r.arrive_s - r.insert_s;
    delay += std::max(0.0, r.arrive_s - r.insert_s - r.free_time_s);
  }
  k.mean_travel_time_s = k.completed > 0 ? tt / k.completed : 0;
  k.total_delay_h = delay / 3600;
  k.vehicle_km = vehicle_m / 1000;
  k.mean_speed_kmh = vehicle_s > 0 ? vehicle_m / vehicle_s * 3.6 : 0;
  return k;
}

}  // namespace citytwin::traffic
