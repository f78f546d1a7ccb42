#pragma once
/// The names of the Exchange signals that couple models: the writer and every reader use these constants.
/// Each is one value per element of the set named in its comment, in the City's (or network's) order.

namespace citytwin::signals {

/// People in each building (occupancy; City building order).
inline constexpr const char* kBuildingPeople = "occupancy.building.people";
/// Vehicles arriving at each building during the interval (traffic; City building order).
inline constexpr const char* kBuildingEvArrivals = "traffic.building.ev_arrivals";
/// Net electric demand of each building in W (energy; City building order).
inline constexpr const char* kBuildingDemandW = "energy.building.demand_w";
/// 1 when the building's feeder is energized, 0 during an outage (energy's grid; City building order).
inline constexpr const char* kBuildingEnergized = "grid.building.energized";
/// Measured outdoor air temperature in C from a driving feed (one value; NaN = none, use the weather's).
inline constexpr const char* kFeedAirTemperatureC = "feed.weather.air_temperature";
/// Measured electric demand in W of each building from a driving feed (City building order; NaN = modelled).
inline constexpr const char* kFeedBuildingElectricityW = "feed.energy.building_electricity";

/// Measured net inflow in L/s of each district metered area from a driving feed (water.zones order; NaN =
/// modelled): the district's demands are scaled to it.
inline constexpr const char* kFeedZoneInflowLps = "feed.water.zone_inflow";

/// Measured flow in veh/h entering each road edge from a driving feed of counts (roads order; NaN = none):
/// a calibrator on the edge keeps the simulated flow on it at the count (SUMO's <calibrator>).
inline constexpr const char* kFeedTrafficFlowVehH = "feed.traffic.flow";

}  // namespace citytwin::signals
