#pragma once
/// A day of trips derived from a City's buildings: tours from homes to workplaces, shops and schools, the
/// destination drawn by a gravity model (floor area x exp(-distance / L), Wilson 1967-style), the departure by
/// a time-of-day profile of the purpose, and the return trip after the purpose's dwell time.
#include <cstdint>
#include <span>
#include <vector>

#include "engine/city/city.hpp"
#include "engine/core/time.hpp"
#include "models/traffic/network.hpp"
#include "models/traffic/simulation.hpp"

namespace citytwin::traffic {

struct GeneratorOptions {
  double trips_per_day = 20000;   ///< trips (outbound + return) over 24 h
  double gravity_length_m = 1500; ///< L in the gravity weight exp(-d / L)
  std::uint64_t seed = 42;
  /// The clock the profiles are read on: departure hours are local times in this zone, so a day after a
  /// daylight saving change keeps its rush at the same local hour. start_unix_s is the run's start (its
  /// local time of day places the run in the day).
  TimeZone zone;
  std::int64_t start_unix_s = 0;
};

struct GeneratedDemand {
  std::vector<Trip> trips;                    ///< sorted by departure
  std::vector<std::int32_t> to_building;      ///< destination building of each trip
};

/// Trips departing in [begin_s, end_s) of a run that starts at options.start_unix_s.
/// Buildings are snapped to their nearest network edge (building_edge, from building_edges(); computed
/// here when empty); trips whose ends snap to one edge are left out.
GeneratedDemand generate_city_trips(const City& city, const Network& net, const GeneratorOptions& options,
                                    double begin_s, double end_s, std::span<const std::int32_t> building_edge = {});

/// For each building, the nearest network edge (to its centroid).
std::vector<std::int32_t> building_edges(const City& city, const Network& net);

}  // namespace citytwin::traffic
