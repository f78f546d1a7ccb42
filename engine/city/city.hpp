#pragma once
/// The City: roads and buildings in a local metric frame. Built once by the importer, then immutable and
/// shared read-only by every run (several runs may read one City from several threads).
#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "engine/geo/geometry.hpp"

namespace citytwin {

enum class RoadClass : std::uint8_t {
  motorway, trunk, primary, secondary, tertiary, unclassified, residential, living_street, service, other
};
const char* to_string(RoadClass c);

enum class UseClass : std::uint8_t { residential, commercial, office, industrial, public_use, other };
constexpr int kUseClassCount = 6;
const char* to_string(UseClass u);

/// Where a building's height came from.
enum class HeightSource : std::uint8_t { height_tag, levels_tag, default_by_use };
const char* to_string(HeightSource s);
std::ostream& operator<<(std::ostream& os, RoadClass c);
std::ostream& operator<<(std::ostream& os, UseClass u);
std::ostream& operator<<(std::ostream& os, HeightSource s);

/// A road junction (a vertex of the road graph).
struct Junction {
  Point2 pos;           ///< local metres
  bool signalised = false;
  bool all_way_stop = false;  ///< OSM stop=all: every approach stops, first come first served
};

/// A sign that controls where an edge enters its end junction (OSM highway=give_way / highway=stop).
enum class TrafficSign : std::uint8_t { none, give_way, stop };

/// A directed road edge between two junctions; a two-way street gives two edges.
struct RoadEdge {
  std::int32_t from = -1;  ///< junction index
  std::int32_t to = -1;    ///< junction index
  std::int32_t reverse = -1;  ///< index of the opposite-direction edge of the same street, or -1
  double length_m = 0;
  int lanes = 1;            ///< lanes in this direction
  double speed_mps = 0;     ///< speed limit
  RoadClass road_class = RoadClass::other;
  bool oneway = false;      ///< the street is one-way (no reverse edge)
  Polyline shape;           ///< local metres, from the start junction to the end junction
  TrafficSign sign = TrafficSign::none;  ///< at the end of this edge
  std::string id;           ///< "<osm way id>#<segment>" or "-<...>" for the reverse direction
  std::string name;
};

/// A turn restriction (OSM `type=restriction` with a via node) resolved to one movement through a junction.
struct TurnRestriction {
  std::string id;              ///< "r<osm relation id>"
  std::string kind;            ///< the OSM value, e.g. "no_left_turn", "only_straight_on"
  std::int32_t from_edge = -1; ///< edge entering `via`
  std::int32_t via = -1;       ///< junction index
  std::int32_t to_edge = -1;   ///< edge leaving `via`
  /// only_*: from from_edge at via, the movements to the to_edges of the `only` restrictions are the only ones
  /// allowed; no_*: the movement from_edge -> to_edge is forbidden.
  bool only = false;
};

struct RoadNetwork {
  std::vector<Junction> junctions;
  std::vector<RoadEdge> edges;
  std::vector<TurnRestriction> restrictions;
  double lane_km() const;
  int signalised_junctions() const;
  /// Per junction, the number of distinct neighbouring junctions whatever the directions (2 = a pass-through).
  std::vector<int> junction_degrees() const;
};

struct Building {
  std::string id;                ///< source ID (OSM "w123"/"r45", or the layer's fid)
  std::vector<Polygon> footprint;  ///< local metres
  Point2 centroid;
  double area_m2 = 0;            ///< footprint area
  double height_m = 0;
  int levels = 1;
  double floor_area_m2 = 0;      ///< area x levels
  UseClass use = UseClass::other;
  HeightSource height_source = HeightSource::default_by_use;
};

/// What the importer read, kept and dropped: printed by `citytwin info` and checked by the tests.
struct ImportReport {
  int building_features = 0;        ///< features with a building tag
  int buildings_skipped = 0;        ///< empty or invalid geometry
  int buildings_with_height_tag = 0;
  int buildings_with_levels_tag = 0;
  int buildings_unreadable_tags = 0;  ///< height or levels tag present but not a number (default used)
  int road_features = 0;            ///< lines with a highway tag
  int road_features_drivable = 0;   ///< of which a class that cars use
  int signal_nodes = 0;             ///< highway=traffic_signals points read
  int graph_junctions_before_cleaning = 0;
  int graph_edges_before_cleaning = 0;
  int components_dropped = 0;       ///< strongly connected components other than the largest
  int edges_dropped = 0;
  int junctions_dropped = 0;
  int restriction_relations = 0;    ///< OSM relations with type=restriction
  int restrictions_applied = 0;     ///< of which resolved to a movement of the road network
  std::map<std::string, int> restrictions_skipped;  ///< the others, by reason
  int sign_nodes = 0;               ///< highway=give_way or highway=stop points read
  int signs_applied = 0;            ///< of which placed on the approach they control
  std::map<std::string, int> signs_skipped;  ///< the others, by reason
};

struct City {
  std::string source;      ///< the file it was read from
  std::string crs;         ///< the local metric CRS, e.g. "EPSG:32632"
  Point2 origin;           ///< CRS coordinates of local (0, 0)
  Box2 extent;             ///< local metres
  Box2 extent_lonlat;      ///< WGS 84 degrees
  RoadNetwork roads;
  std::vector<Building> buildings;
  ImportReport report;

  double total_floor_area_m2() const;
};

}  // namespace citytwin
