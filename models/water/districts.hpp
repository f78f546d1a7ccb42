#pragma once
/// District metered areas (DMAs): groups of junctions whose net inflow is metered on the pipes that cross
/// their boundary, as utilities divide a network to follow demand and leakage district by district.
///
/// - partition_districts (a generated network): N districts by recursive coordinate bisection weighted by
///   base demand: each group is cut across the longer side of its bounding box at the demand-weighted
///   median, so districts are compact and carry similar demand. Every pipe that crosses a boundary is a
///   meter; no boundary valve is closed, so the network's hydraulics do not change.
/// - districts_behind_meters (a utility's own network): each district is what lies behind its meters, the
///   nodes reached from a meter's pipe without crossing a closed link or any meter, on the side that holds
///   no reservoir. Its other boundary pipes must be closed in the file, as a utility's boundary valves are.
#include <span>
#include <string>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/geo/geometry.hpp"
#include "models/water/network.hpp"

namespace citytwin::water {

struct District {
  std::string id;
  std::vector<int> nodes;  ///< junctions (and tanks behind meters), ascending
  struct Meter {
    int link;
    int sign;  ///< +1: positive link flow (start to end node) enters the district
  };
  std::vector<Meter> meters;
};

struct Districts {
  std::vector<District> list;
  std::vector<int> of_node;  ///< per node: index in list, -1 outside every district

  bool empty() const { return list.empty(); }
  /// Net inflow of district d through its meters, in the unit of the link flows given.
  double net_inflow(size_t d, std::span<const double> link_flows) const;
};

/// count districts "DMA1".."DMAcount" of the junctions with coordinates. Throws InputError when the network
/// has fewer such junctions than districts.
Districts partition_districts(const Network& net, int count);

/// A district named by a registry's zone, metered on the links it lists.
struct ZoneMeters {
  std::string zone;
  std::vector<std::string> links;
  SourceLocation where;  ///< the registry line of its first meter, for errors
};

/// The districts behind each zone's meters. Throws InputError at the zone's registry line for an unknown
/// link, a district that is not closed (both sides of a meter reach a reservoir), one with no reservoir on
/// either side, or two districts that overlap.
Districts districts_behind_meters(const Network& net, const std::vector<ZoneMeters>& zones);

/// The convex hull of a district's nodes with coordinates (local metres), for maps.
Ring district_outline(const Network& net, const District& d);

}  // namespace citytwin::water
