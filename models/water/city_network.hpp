#pragma once
/// A water network generated for a City: pipes along the streets, demands from the buildings, one source.
///
/// - Junctions are the road graph's junctions; one pipe per street (a two-way street's two edges give one
///   pipe), following the street's shape.
/// - Each building's demand (floor area x a daily use rate by use class) goes to the nearest junction,
///   with a 24-hour diurnal pattern.
/// - Ground elevations: the bundled OSM city has none, so every junction is at 0 m and "highest ground"
///   cannot be found; the source is a reservoir at a fixed head (supply_head_m) connected by a trunk main
///   to the junction nearest the demand-weighted centre of the city, which keeps trunk lengths short.
/// - Pipe sizes: peak design flows on the shortest-path tree from the source (peak factor 1.8 over the
///   mean demand, plus a 15 L/s fire flow), sized for 1 m/s and rounded up to standard diameters; pipes
///   that close loops get the minimum (100 mm).
#include "engine/city/city.hpp"
#include "models/water/network.hpp"

namespace citytwin::water {

struct CityNetworkOptions {
  double litres_per_m2_day = 5.0;  ///< demand per m2 of floor area and day (scaled by use class)
  double supply_head_m = 60.0;     ///< reservoir head above the (flat) ground
  double design_velocity_mps = 1.0;
  double hazen_williams_c = 120.0;
};

/// Builds the network (LPS units, Hazen-Williams, 24 h with hourly steps); coordinates in the city's
/// local metres. Throws InputError if the city has no roads.
Network generate_city_network(const City& city, const CityNetworkOptions& options = {});

/// A larger network for benchmarks: `copies` copies of `net` side by side (shifted by dx_m in x), each
/// copy's first junction joined to the next copy's by a pipe, IDs suffixed "_<copy>".
Network tile_network(const Network& net, int copies, double dx_m);

}  // namespace citytwin::water
