#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <unistd.h>

#include "engine/city/import.hpp"
#include "models/traffic/network.hpp"
#include "models/traffic/router.hpp"
#include "test_networks.hpp"

using namespace citytwin;
using namespace citytwin::traffic;

namespace {
/// The connection from edge a to edge b leaving lane `from_lane` of a (index within a), or -1.
int find_conn(const Network& n, int a, int b, int from_lane = 0) {
  for (int c = 0; c < n.connections(); ++c)
    if (n.conn_from_lane[c] == n.edge_first_lane[a] + from_lane && n.edge_of_conn_to(c) == b) return c;
  return -1;
}
bool contains(const std::vector<std::int32_t>& v, int first, int last, int x) {
  return std::find(v.begin() + first, v.begin() + last, x) != v.begin() + last;
}
bool is_foe(const Network& n, int a, int b) { return contains(n.conn_foe, n.conn_first_foe[a], n.conn_first_foe[a + 1], b); }
bool yields_to(const Network& n, int a, int b) {
  return contains(n.conn_response, n.conn_first_response[a], n.conn_first_response[a + 1], b);
}
/// Edges reached from edge `from` through its connections, sorted.
std::vector<int> targets_of(const Network& n, int from) {
  std::vector<int> out;
  for (int c = 0; c < n.connections(); ++c)
    if (n.lane_edge[n.conn_from_lane[c]] == from) out.push_back(n.edge_of_conn_to(c));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(traffic_network)

BOOST_AUTO_TEST_CASE(crossing_turns_conflicts_and_priority) {
  const Network n = network_from_city(test::crossing(RoadClass::primary, RoadClass::residential, false));
  // Edges: 0 E->C, 2 N->C, 4 W->C, 6 S->C; outgoing 1 C->E, 3 C->N, 5 C->W, 7 C->S.
  const int j = 0;
  BOOST_TEST(to_string(n.junction_kind[j]) == std::string("priority"));
  BOOST_TEST(n.junction_first_link[j + 1] - n.junction_first_link[j] == 12);  // 4 arms x 3 turns, no U-turn
  // Coming from the west (driving east): north is a left turn, south a right turn, east straight.
  const int w_e = find_conn(n, 4, 1), w_n = find_conn(n, 4, 3), w_s = find_conn(n, 4, 7);
  BOOST_REQUIRE(w_e >= 0 && w_n >= 0 && w_s >= 0);
  BOOST_TEST(static_cast<int>(n.conn_turn[w_e]) == static_cast<int>(Turn::straight));
  BOOST_TEST(static_cast<int>(n.conn_turn[w_n]) == static_cast<int>(Turn::left));
  BOOST_TEST(static_cast<int>(n.conn_turn[w_s]) == static_cast<int>(Turn::right));
  BOOST_TEST(find_conn(n, 4, 5) == -1);  // no U-turn where the street goes on
  // Crossing paths: west->east against south->north; left turn west->north against east->west.
  const int s_n = find_conn(n, 6, 3), e_w = find_conn(n, 0, 5);
  BOOST_TEST(is_foe(n, w_e, s_n));
  BOOST_TEST(is_foe(n, w_n, e_w));
  // A right turn does not cross the opposite straight movement.
  BOOST_TEST(!is_foe(n, w_s, e_w));
  // The minor road yields to the major one, never the other way round.
  BOOST_TEST(yields_to(n, s_n, w_e));
  BOOST_TEST(!yields_to(n, w_e, s_n));
  // On the major road the left turn yields to the opposite straight movement.
  BOOST_TEST(yields_to(n, w_n, e_w));
  BOOST_TEST(!yields_to(n, e_w, w_n));
  // Outer ends are dead ends where a vehicle may turn round.
  BOOST_TEST(find_conn(n, 1, 0) >= 0);
}

BOOST_AUTO_TEST_CASE(equal_roads_make_an_all_way_junction) {
  const Network n = network_from_city(test::crossing(RoadClass::residential, RoadClass::residential, false));
  BOOST_TEST(to_string(n.junction_kind[0]) == std::string("all_way"));
}

BOOST_AUTO_TEST_CASE(signs_put_their_approach_below_every_other) {
  RoadNetwork r = test::crossing(RoadClass::primary, RoadClass::residential, false);
  r.edges[0].sign = r.edges[4].sign = TrafficSign::give_way;  // the primary road gives way to the residential one
  const Network n = network_from_city(r);
  const int w_e = find_conn(n, 4, 1), s_n = find_conn(n, 6, 3);
  BOOST_TEST(yields_to(n, w_e, s_n));
  BOOST_TEST(!yields_to(n, s_n, w_e));
  BOOST_TEST(n.conn_stop[w_e] == 0);  // give way: no need to stop when the road is clear

  RoadNetwork all = test::crossing(RoadClass::primary, RoadClass::residential, false);
  all.junctions[0].all_way_stop = true;
  for (auto& e : all.edges)
    if (e.to == 0) e.sign = TrafficSign::stop;
  const Network m = network_from_city(all);
  BOOST_TEST(to_string(m.junction_kind[0]) == std::string("all_way"));
  BOOST_TEST(m.conn_stop[find_conn(m, 4, 1)] == 1);
  BOOST_TEST(m.conn_stop[find_conn(m, 1, 0)] == 0);  // turning round at a street end
}

BOOST_AUTO_TEST_CASE(signal_program_gives_each_axis_its_green) {
  const Network n = network_from_city(test::crossing(RoadClass::primary, RoadClass::residential, true));
  BOOST_REQUIRE(n.junction_kind[0] == JunctionKind::traffic_light);
  const SignalProgram& p = n.programs[n.junction_program[0]];
  BOOST_TEST(p.cycle_s() == 90.0, boost::test_tools::tolerance(1e-9));
  BOOST_REQUIRE(p.phases.size() == 4u);  // green, yellow per axis
  const int w_e = find_conn(n, 4, 1), s_n = find_conn(n, 6, 3), w_n = find_conn(n, 4, 3);
  int green_together = 0;
  for (const auto& ph : p.phases) {
    const char a = ph.state[n.conn_link[w_e]], b = ph.state[n.conn_link[s_n]];
    if ((a == 'G' || a == 'g') && (b == 'G' || b == 'g')) ++green_together;
  }
  BOOST_TEST(green_together == 0);  // crossing movements never green together
  // The left turn shares its green with the opposite straight movement, so it is a permissive 'g'.
  BOOST_TEST((p.phases[0].state[n.conn_link[w_n]] == 'g' || p.phases[2].state[n.conn_link[w_n]] == 'g'));
  BOOST_TEST(p.phase_at(0) == 0);
  BOOST_TEST(p.phase_at(p.phases[0].duration_s + 0.5) == 1);
  BOOST_TEST(p.phase_at(90.0 + 0.5) == 0);
}

BOOST_AUTO_TEST_CASE(lanes_are_shared_out_from_the_right) {
  // Two lanes in, three ways out: lane 0 serves right + straight, lane 1 straight + left.
  RoadNetwork r = test::crossing(RoadClass::primary, RoadClass::residential, false);
  r.edges[4].lanes = 2;  // W->C
  const Network n = network_from_city(r);
  BOOST_TEST(find_conn(n, 4, 7, 0) >= 0);   // right from lane 0
  BOOST_TEST(find_conn(n, 4, 7, 1) == -1);  // not from lane 1
  BOOST_TEST(find_conn(n, 4, 3, 1) >= 0);   // left from lane 1
  BOOST_TEST(find_conn(n, 4, 3, 0) == -1);
  BOOST_TEST(find_conn(n, 4, 1, 0) >= 0);
  BOOST_TEST(find_conn(n, 4, 1, 1) >= 0);
}

/// A hand-made OSM file (tests/data/traffic/turn_restriction.osm) where a no_left_turn relation forbids the
/// direct way: the router takes the detour round the block; without the relations it turns left.
BOOST_AUTO_TEST_CASE(no_and_only_restrictions_remove_movements) {
  // Edges: 0 E->C, 2 N->C, 4 W->C, 6 S->C; outgoing 1 C->E, 3 C->N, 5 C->W, 7 C->S.
  RoadNetwork r = test::crossing(RoadClass::primary, RoadClass::residential, false);
  r.restrictions.push_back({"r1", "only_straight_on", 4, 0, 1, true});  // from the west: straight on only
  r.restrictions.push_back({"r2", "no_left_turn", 6, 0, 5, false});     // from the south: not left (west)
  r.restrictions.push_back({"r3", "no_right_turn", 2, 1, 5, false});    // another junction: no effect here
  const Network n = network_from_city(r);
  auto targets = [&](int from) { return targets_of(n, from); };
  BOOST_TEST(targets(4) == (std::vector<int>{1}), boost::test_tools::per_element());
  BOOST_TEST(targets(6) == (std::vector<int>{1, 3}), boost::test_tools::per_element());
  BOOST_TEST(targets(2) == (std::vector<int>{1, 5, 7}), boost::test_tools::per_element());
  BOOST_TEST(targets(0) == (std::vector<int>{3, 5, 7}), boost::test_tools::per_element());
  BOOST_TEST(n.forbidden_turns == 3);  // west: right and left; south: left
  BOOST_TEST(n.restrictions_overridden == 0);
  // With every turn forbidden the vehicle turns round (as at a dead end); forbidding that too would strand the
  // edge: its movements are then kept and counted.
  RoadNetwork turns = test::crossing(RoadClass::primary, RoadClass::residential, false);
  for (int to : {1, 3, 7}) turns.restrictions.push_back({"r", "no_entry", 4, 0, to, false});
  BOOST_TEST(targets_of(network_from_city(turns), 4) == (std::vector<int>{5}), boost::test_tools::per_element());
  turns.restrictions.push_back({"r", "no_u_turn", 4, 0, 5, false});
  const Network kept = network_from_city(turns);
  BOOST_TEST(targets_of(kept, 4) == (std::vector<int>{1, 3, 7}), boost::test_tools::per_element());
  BOOST_TEST(kept.restrictions_overridden == 1);
  BOOST_TEST(kept.forbidden_turns == 0);
}

BOOST_AUTO_TEST_CASE(osm_turn_restriction_makes_the_router_detour) {
  const std::string path = std::string(CITYTWIN_TEST_DATA) + "/traffic/turn_restriction.osm";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const auto plain = std::filesystem::temp_directory_path() / ("citytwin_no_relations_" + std::to_string(getpid()) + ".osm");
  std::ofstream(plain) << std::regex_replace(text.str(), std::regex(R"(<relation[\s\S]*?</relation>)"), "");

  auto route_of = [](const City& city) {
    const Network n = network_from_city(city.roads);
    Router router(n);
    std::vector<std::int32_t> route;
    BOOST_REQUIRE(router.route(n.find_edge("w10#0"), n.find_edge("w14#0"), free_flow_times(n), 20, route));
    std::vector<std::string> ids;
    for (int e : route) ids.push_back(n.edge_id[e]);
    return std::pair{ids, n.forbidden_turns};
  };
  const City restricted = load_city({path, "", "", ""});
  const City unrestricted = load_city({plain.string(), "", "", ""});
  std::filesystem::remove(plain);

  const auto [direct, none_forbidden] = route_of(unrestricted);
  BOOST_TEST(direct == (std::vector<std::string>{"w10#0", "w12#0", "w14#0"}), boost::test_tools::per_element());
  BOOST_TEST(none_forbidden == 0);
  const auto [detour, forbidden] = route_of(restricted);
  BOOST_TEST(detour == (std::vector<std::string>{"w10#0", "w11#0", "w13#0", "w14#0"}), boost::test_tools::per_element());
  BOOST_TEST(forbidden == 1);

  const auto& r = restricted.report;
  BOOST_TEST(r.restriction_relations == 3);
  BOOST_TEST(r.restrictions_applied == 1);
  BOOST_TEST(r.restrictions_skipped.at("roles ambiguous (GDAL gives no member roles)") == 1);
  BOOST_TEST(r.restrictions_skipped.at("not for cars (restriction:<vehicle> or conditional only)") == 1);
  BOOST_REQUIRE(restricted.roads.restrictions.size() == 1u);
  const auto& t = restricted.roads.restrictions[0];
  BOOST_TEST(t.id == "r100");
  BOOST_TEST(restricted.roads.edges[t.from_edge].id == "w10#0");
  BOOST_TEST(restricted.roads.edges[t.to_edge].id == "w12#0");
  BOOST_TEST(!t.only);
}

BOOST_AUTO_TEST_CASE(bundled_city_lane_graph) {
  const City city = load_city({CITYTWIN_ASSETS "/monaco/monaco-2026-07-10.osm.pbf", "", "", ""});
  const Network n = network_from_city(city.roads);
  BOOST_TEST(n.edges() == static_cast<int>(city.roads.edges.size()));
  BOOST_TEST(n.signalised_junctions() > 0);
  // The OSM turn restrictions the importer resolved take movements out.
  BOOST_TEST(city.roads.restrictions.size() > 10u);
  BOOST_TEST(n.forbidden_turns > 0);
  // The City is one strongly connected component, so every edge must lead on somewhere.
  int dead = 0;
  for (int e = 0; e < n.edges(); ++e) dead += n.edge_first_next[e + 1] == n.edge_first_next[e];
  BOOST_TEST(dead == 0);
  // Every lane of an edge with one lane has an outgoing connection; response sets are subsets of foes.
  for (int c = 0; c < n.connections(); ++c)
    for (int k = n.conn_first_response[c]; k < n.conn_first_response[c + 1]; ++k)
      BOOST_TEST_REQUIRE(is_foe(n, c, n.conn_response[k]));
}

BOOST_AUTO_TEST_SUITE_END()
