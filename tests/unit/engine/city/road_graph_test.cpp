#include <boost/test/unit_test.hpp>

#include "engine/city/road_graph.hpp"

using namespace citytwin;

namespace {
RoadWay way(const std::string& id, Polyline pts, Tags tags) {
  RoadWay w;
  w.id = id;
  w.points = std::move(pts);
  w.road_class = *drivable_road_class(tags.at("highway"));
  w.tags = std::move(tags);
  return w;
}
}  // namespace

BOOST_AUTO_TEST_CASE(ways_split_at_shared_vertices_two_way_and_one_way) {
  // A two-way street crossed in its middle by another two-way street: 4 junction-to-junction
  // segments each way.
  std::vector<RoadWay> ways{
      way("a", {{0, 0}, {100, 0}, {200, 0}}, {{"highway", "residential"}}),
      way("b", {{100, -100}, {100, 0}, {100, 100}}, {{"highway", "primary"}, {"lanes", "4"}}),
  };
  ImportReport report;
  RoadNetwork net = build_road_network(ways, {{100, 0}}, report);
  BOOST_TEST(net.junctions.size() == 5u);
  BOOST_TEST(net.edges.size() == 8u);
  int signalised = net.signalised_junctions();
  BOOST_TEST(signalised == 1);
  for (const auto& e : net.edges) {
    BOOST_TEST(e.length_m == 100.0);
    BOOST_REQUIRE(e.reverse >= 0);
    BOOST_TEST(net.edges[e.reverse].from == e.to);
    BOOST_TEST(net.edges[e.reverse].reverse >= 0);
    if (e.road_class == RoadClass::primary) BOOST_TEST(e.lanes == 2);  // 4 lanes, two each way
    else BOOST_TEST(e.lanes == 1);
  }
  BOOST_TEST(std::abs(net.lane_km() - (0.1 * 4 * 1 + 0.1 * 4 * 2)) < 1e-12);
}

BOOST_AUTO_TEST_CASE(one_way_dead_end_is_not_strongly_connected) {
  std::vector<RoadWay> ways{
      way("loop", {{0, 0}, {100, 0}, {100, 100}, {0, 100}, {0, 0}}, {{"highway", "tertiary"}, {"oneway", "yes"}}),
      way("spur", {{100, 0}, {200, 0}}, {{"highway", "service"}, {"oneway", "yes"}}),
  };
  ImportReport report;
  RoadNetwork net = build_road_network(ways, {}, report);
  // The one-way ring is kept (4 vertices: the start/end point and the spur's junction, and its corners
  // are not junctions, so 2 edges), the spur's end is dropped.
  BOOST_TEST(report.components_dropped == 1);
  BOOST_TEST(report.edges_dropped == 1);
  BOOST_TEST(report.junctions_dropped == 1);
  for (const auto& e : net.edges) {
    BOOST_TEST(e.oneway);
    BOOST_TEST(e.reverse == -1);
  }
  double total = 0;
  for (const auto& e : net.edges) total += e.length_m;
  BOOST_TEST(total == 400.0);
}

BOOST_AUTO_TEST_CASE(signal_on_approach_snaps_to_the_junction) {
  std::vector<RoadWay> ways{
      way("a", {{0, 0}, {100, 0}, {200, 0}}, {{"highway", "secondary"}}),
      way("b", {{100, -100}, {100, 0}, {100, 100}}, {{"highway", "secondary"}}),
  };
  ImportReport report;
  // 12 m before the junction on street a: not a graph vertex, within the snapping distance.
  RoadNetwork net = build_road_network(ways, {{88, 0}, {500, 500}}, report);
  BOOST_TEST(net.signalised_junctions() == 1);
}
