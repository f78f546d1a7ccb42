#pragma once
/// The traffic KPIs of a run, from the simulation's counters and completed trips.
#include <string>
#include <vector>

#include "models/traffic/simulation.hpp"

namespace citytwin::traffic {

struct Kpis {
  double trips = 0, inserted = 0, completed = 0, unroutable = 0, running = 0, waiting = 0, removed = 0, calibrator_inserted = 0;
  double gridlock_resolutions = 0;  ///< teleports
  double mean_travel_time_s = 0;    ///< insertion to arrival, completed trips
  double total_delay_h = 0;         ///< travel time minus free-flow time, completed trips
  double vehicle_km = 0;            ///< driven by every vehicle
  double mean_speed_kmh = 0;        ///< vehicle-km / vehicle-hours
  double vehicle_updates = 0;

  struct Entry {
    std::string name;
    double value;
    std::string unit;
    std::string description;
  };
  /// Name (without the "traffic." prefix), value, unit, description of each KPI.
  std::vector<Entry> list() const;
};

/// vehicle_m and vehicle_s: totals driven and spent on the network (from the edge statistics).
Kpis compute_kpis(const Simulation& sim, double vehicle_m, double vehicle_s);

}  // namespace citytwin::traffic
