#pragma once
/// Demand readers: the trips CSV (`depart,from,to[,vehicle_type]`) and SUMO trips/routes files (.trips.xml,
/// .rou.xml: vType, route, vehicle, trip, flow). Edges are given by ID; in the CSV also as coordinates
/// "x y" (local metres of the network) snapped to the nearest edge within kMaxSnapM. Times from 0 to 366 days.
/// A file without any trip is an error. Errors: InputError "file:line: what".
#include <string>
#include <string_view>
#include <vector>

#include "models/traffic/network.hpp"
#include "models/traffic/simulation.hpp"
#include "models/traffic/vehicle_type.hpp"

namespace citytwin::traffic::io {

/// Farthest a coordinate may lie from the road it is snapped to.
inline constexpr double kMaxSnapM = 1000;

struct Demand {
  std::vector<VehicleType> types;  ///< types[0] is the default car
  std::vector<Trip> trips;
};

/// The built-in vehicle types: "car" (SUMO's passenger defaults), "truck", "bus".
std::vector<VehicleType> builtin_types();

Demand parse_trips_csv(std::string_view text, const std::string& name, const Network& net);
Demand parse_sumo_demand(std::string_view text, const std::string& name, const Network& net);
/// By extension: .xml (SUMO) or anything else (CSV).
Demand read_demand(const std::string& path, const Network& net);

}  // namespace citytwin::traffic::io
