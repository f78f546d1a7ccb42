#pragma once
/// What the water model needs of districts on a run: a utility's districts named by the sensor registries
/// of the scenario's feeds, and the districts as an element set for results and maps.
#include <vector>

#include "engine/data/results.hpp"
#include "engine/sim/scenario.hpp"
#include "models/water/districts.hpp"

namespace citytwin::water {

/// The first sensor of the scenario's feeds that measures a district's inflow (null when none does).
const Sensor* first_zone_inflow_sensor(const Scenario& scenario);

/// For each zone a water.zone_inflow sensor names (its element, else its zone), the links of the registry's
/// water.flow sensors tagged with that zone: the district's meters. Throws InputError at the zone inflow
/// sensor's line for a zone with no such meter.
std::vector<ZoneMeters> zone_meters_from_feeds(const Scenario& scenario);

/// Set "water.zones": each district's outline (convex hull of its nodes), with its node and meter counts.
ElementSet district_set(const Network& net, const Districts& districts);

}  // namespace citytwin::water
