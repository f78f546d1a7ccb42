#pragma once
/// A run's trips scaled by a multiplier per local hour of departure (`[models.traffic] demand_multipliers`,
/// written by `citytwin calibrate`): a factor f keeps floor(f) copies of each trip departing in that hour
/// and one more with probability f - floor(f), drawn per trip from the scenario's seed.
#include <array>
#include <vector>

#include "engine/core/time.hpp"
#include "models/traffic/simulation.hpp"

namespace citytwin::traffic {

/// Scales trips (and keeps to_building aligned with them, when it is not empty). start_unix_s and zone
/// give the local hour of each trip's departure.
void scale_trips_by_hour(std::vector<Trip>& trips, std::vector<int>& to_building, const std::array<double, 24>& factors,
                         std::int64_t start_unix_s, const TimeZone& zone, std::uint64_t seed);

}  // namespace citytwin::traffic
