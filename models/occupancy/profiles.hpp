#pragma once
/// Occupancy by use class and hour: people per floor area and the share of them present at each hour
/// (see README.md for the tables and their sources).
#include <array>

#include "engine/city/city.hpp"

namespace citytwin::occupancy {

/// Floor area per occupant at full occupancy [m2/person], by UseClass.
double floor_area_per_person_m2(UseClass use);

/// Share of the full occupancy present [0..1] at a fractional hour of day (0..24), linearly interpolated
/// between hourly values; weekend days use the weekend table.
double presence(UseClass use, double hour_of_day, bool weekend);

}  // namespace citytwin::occupancy
