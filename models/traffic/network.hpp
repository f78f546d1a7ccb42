#pragma once
/// The static traffic network: edges, lanes, turn connections between lanes at junctions, junction right of
/// way and fixed-time signal programs. Built once (from a City or a SUMO .net.xml), then immutable and shared
/// read-only by every run; several simulations may read one Network from several threads.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/city/city.hpp"
#include "engine/geo/geometry.hpp"

namespace citytwin::traffic {

inline constexpr double kDefaultLaneWidthM = 3.2;

/// How a junction decides who goes first.
enum class JunctionKind : std::uint8_t {
  priority,       ///< minor links yield to the links in their response set
  all_way,        ///< first come, first served among conflicting links (SUMO allway_stop, right_before_left)
  traffic_light,  ///< a fixed-time signal program; permissive greens ('g') also yield
  dead_end,       ///< no conflicts (a street end, a plain continuation)
};
const char* to_string(JunctionKind k);

/// The turn a connection makes, seen by a driver (right-hand traffic).
enum class Turn : std::uint8_t { straight, right, left, uturn };

/// Signal state of a link in one phase; the characters are SUMO's.
enum class LinkState : char {
  green_major = 'G',  ///< go, has priority
  green_minor = 'g',  ///< go, yield to the response set
  yellow = 'y',
  red = 'r',
  off = 'O',          ///< no signal (unsignalised junction)
};

/// One phase of a fixed-time program: a duration and one state per link of the junction.
struct SignalPhase {
  double duration_s = 0;
  std::string state;  ///< one LinkState character per junction link, in link order
};

struct SignalProgram {
  double offset_s = 0;
  std::vector<SignalPhase> phases;
  double cycle_s() const;
  /// The phase active at time t (seconds from the start of the run).
  int phase_at(double t_s) const;
};

/// The network in structure-of-arrays form. Dense indices everywhere; string IDs only in the *_id tables.
/// Connections are sorted by junction, then by link index within the junction; lanes by edge then index
/// (index 0 is the rightmost lane, as in SUMO).
struct Network {
  // Junctions.
  std::vector<std::string> junction_id;
  std::vector<Point2> junction_pos;
  std::vector<JunctionKind> junction_kind;
  std::vector<std::int32_t> junction_program;     ///< index into programs, or -1
  std::vector<std::int32_t> junction_first_link;  ///< CSR into connections, size junctions + 1

  // Edges.
  std::vector<std::string> edge_id;
  std::vector<std::int32_t> edge_from, edge_to;  ///< junction indices
  std::vector<double> edge_length_m;
  std::vector<double> edge_speed_mps;
  std::vector<std::int32_t> edge_priority;       ///< larger = more important road
  std::vector<std::int32_t> edge_first_lane;     ///< CSR into lanes, size edges + 1
  std::vector<std::int32_t> edge_city;           ///< index of the City's RoadEdge, or -1
  std::vector<Polyline> edge_shape;              ///< local metres, start to end

  // Lanes.
  std::vector<std::int32_t> lane_edge;
  std::vector<std::int32_t> lane_index;          ///< 0 = rightmost
  std::vector<double> lane_length_m;
  std::vector<double> lane_speed_mps;
  std::vector<std::uint8_t> lane_car_allowed;  ///< 0 for lanes cars may not use (bus, bike); all 1 if empty
  /// Lateral offset of the lane's centre to the right of its edge's shape (lane 0 rightmost); if left empty,
  /// finalise centres an edge's lanes, kDefaultLaneWidthM wide, on its shape.
  std::vector<double> lane_offset_m;
  std::vector<std::int32_t> lane_first_out;      ///< CSR into lane_out, size lanes + 1
  std::vector<std::int32_t> lane_out;            ///< connection indices leaving each lane
  std::vector<std::int32_t> lane_first_in;       ///< CSR into lane_in, size lanes + 1
  std::vector<std::int32_t> lane_in;             ///< connection indices entering each lane

  // Connections (links through a junction, lane to lane).
  std::vector<std::int32_t> conn_from_lane, conn_to_lane;
  std::vector<std::int32_t> conn_junction;
  std::vector<std::int32_t> conn_link;           ///< index within its junction
  std::vector<Turn> conn_turn;
  std::vector<std::uint8_t> conn_stop;           ///< 1: come to rest at the stop line first (stop sign); left empty = none (finalise fills it)
  std::vector<std::int32_t> conn_first_foe;      ///< CSR into conn_foe, size connections + 1
  std::vector<std::int32_t> conn_foe;            ///< conflicting connections (paths cross or merge)
  std::vector<std::int32_t> conn_first_response; ///< CSR into conn_response
  std::vector<std::int32_t> conn_response;       ///< connections this one must yield to

  std::vector<SignalProgram> programs;

  /// Movements (edge to edge through a junction) left out because of the City's turn restrictions.
  int forbidden_turns = 0;
  /// Edges whose every way on was forbidden by restrictions; their movements were kept (see city_network.cpp).
  int restrictions_overridden = 0;

  // Edge successors (for routing): edges reachable through at least one connection.
  std::vector<std::int32_t> edge_first_next;     ///< CSR into edge_next, size edges + 1
  std::vector<std::int32_t> edge_next;

  int junctions() const { return static_cast<int>(junction_id.size()); }
  int edges() const { return static_cast<int>(edge_id.size()); }
  int lanes() const { return static_cast<int>(lane_edge.size()); }
  int connections() const { return static_cast<int>(conn_from_lane.size()); }
  int edge_lanes(int e) const { return edge_first_lane[e + 1] - edge_first_lane[e]; }
  int edge_of_conn_to(int c) const { return lane_edge[conn_to_lane[c]]; }
  /// Edge index by ID, or -1.
  int find_edge(const std::string& id) const;
  double lane_km() const;
  int signalised_junctions() const;

  /// Builds the derived tables (lane CSR of connections, successors) and checks that the tables agree.
  /// Throws std::logic_error on an inconsistency (a bug of a builder, not of the user's input).
  void finalise();
};

/// Options for deriving the lane network from a City.
struct CityNetworkOptions {
  double cycle_s = 90;     ///< signal cycle
  double yellow_s = 3;     ///< yellow at the end of each green
  double junction_radius_m = 6;  ///< distance from a junction's centre to its stop lines, for conflicts
  double lane_width_m = kDefaultLaneWidthM;
};

/// Derives the lane graph from a City's road graph: connections from the turn angles at each junction,
/// conflicts from crossing connection paths, right of way from road classes and fixed-time programs for the
/// signalised junctions.
Network network_from_city(const RoadNetwork& roads, const CityNetworkOptions& options = {});

}  // namespace citytwin::traffic
