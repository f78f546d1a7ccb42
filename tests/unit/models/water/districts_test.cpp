// District metered areas: the generated city's partition covers every junction once and balances demand;
// the net inflow through a district's meters equals its demand at every solution (mass balance); a
// utility's districts are what lies behind its meters; driven district inflows become the demands.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <numeric>

#include "engine/city/import.hpp"
#include "models/water/city_network.hpp"
#include "models/water/districts.hpp"
#include "models/water/extended_period.hpp"
#include "models/water/io/inp_reader.hpp"

using namespace citytwin;
using namespace citytwin::water;

namespace {

Network two_districts() { return read_inp(std::string(CITYTWIN_TEST_DATA) + "/water/two_districts.inp"); }

std::vector<double> link_flows(const HydraulicRun& run) {
  const auto& s = run.state();
  return {s.flow_m3s.begin(), s.flow_m3s.end()};
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(districts)

BOOST_AUTO_TEST_CASE(generated_city_districts_cover_every_junction_and_balance_their_meters) {
  CitySource src;
  src.path = std::string(CITYTWIN_ASSETS) + "/monaco/monaco-2026-07-10.osm.pbf";
  const Network net = generate_city_network(load_city(src));
  const Districts d = partition_districts(net, 6);
  BOOST_REQUIRE_EQUAL(d.list.size(), 6u);
  BOOST_TEST(d.list[0].id == "DMA1");
  size_t covered = 0;
  std::vector<double> demand(6, 0.0);
  for (size_t z = 0; z < 6; ++z) {
    covered += d.list[z].nodes.size();
    BOOST_TEST(!d.list[z].meters.empty());
    // The outline is the hull of the district's junctions: the same bounding box.
    Box2 nodes, outline;
    for (int n : d.list[z].nodes) nodes.add(Point2{net.x[n], net.y[n]});
    for (const auto& p : district_outline(net, d.list[z])) outline.add(p);
    BOOST_TEST(outline.min_x == nodes.min_x);
    BOOST_TEST(outline.max_y == nodes.max_y);
    for (int n : d.list[z].nodes) {
      BOOST_TEST(d.of_node[n] == static_cast<int>(z));
      for (int k = net.demand_begin[n]; k < net.demand_begin[n + 1]; ++k) demand[z] += net.demand_base_m3s[k];
    }
  }
  BOOST_TEST(covered == static_cast<size_t>(net.num_junctions));  // every junction has coordinates
  // Demand-weighted cuts: no district carries more than twice the mean (a cut moves whole junctions).
  const double mean = std::accumulate(demand.begin(), demand.end(), 0.0) / 6;
  for (double x : demand) BOOST_TEST(x < 2 * mean);
  // Conservation: what enters a district through its meters is what its junctions draw, every hour.
  HydraulicRun run(net);
  run.init();
  for (int h = 0; h < 24; ++h) {
    run.run();
    const auto q = link_flows(run);
    for (size_t z = 0; z < 6; ++z) {
      double drawn = 0;
      for (int n : d.list[z].nodes) drawn += run.state().demand_m3s[n];
      // Within the solver's convergence (EPANET's ACCURACY 0.001 on the relative flow change).
      BOOST_TEST(d.net_inflow(z, q) == drawn, boost::test_tools::tolerance(1e-5));
    }
    if (run.next() == 0) break;
  }
}

BOOST_AUTO_TEST_CASE(a_utility_district_is_what_lies_behind_its_meters) {
  const Network net = two_districts();
  const Districts d = districts_behind_meters(net, {{"A", {"P2"}, {"reg.csv", 3, ""}}, {"B", {"P5"}, {"reg.csv", 5, ""}}});
  BOOST_REQUIRE_EQUAL(d.list.size(), 2u);
  BOOST_TEST(d.list[0].nodes == (std::vector<int>{net.node_index.at("J2"), net.node_index.at("J3")}));
  BOOST_TEST(d.list[1].nodes == std::vector<int>{net.node_index.at("J4")});
  BOOST_TEST(d.list[0].meters[0].sign == 1);  // P2 runs from J1 into the district

  // Opening the boundary valve joins A to B's side: A is no longer closed.
  Network open = net;
  open.init_status[net.link_index.at("P4")] = LinkStatus::Open;
  BOOST_TEST(message_of([&] { districts_behind_meters(open, {{"A", {"P2"}, {"reg.csv", 3, ""}}}); }) ==
             "reg.csv:3: zone \"A\", meter on link \"P2\": both sides reach a reservoir: the district is not closed "
             "(close its boundary valves in the network file, or meter every pipe into it)");
  BOOST_TEST(message_of([&] { districts_behind_meters(net, {{"A", {"P9"}, {"reg.csv", 3, ""}}}); }) ==
             "reg.csv:3: zone \"A\": no link \"P9\" in the network to meter");
}

BOOST_AUTO_TEST_CASE(a_driven_district_draws_its_measured_inflow_in_its_junctions_shares) {
  const Network net = two_districts();
  const Districts d = districts_behind_meters(net, {{"A", {"P2"}, {}}, {"B", {"P5"}, {}}});
  HydraulicRun run(net);
  run.init();
  run.zone_of_node = d.of_node;
  run.zone_target_m3s = {0.005, std::nan("")};  // A measured at 5 L/s; B modelled
  run.run();
  const auto& s = run.state();
  // A's junctions drew 1 and 3 L/s: scaled to 5 they draw 1.25 and 3.75; B keeps its 2 L/s.
  BOOST_TEST(s.demand_m3s[net.node_index.at("J2")] == 0.00125, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s.demand_m3s[net.node_index.at("J3")] == 0.00375, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s.demand_m3s[net.node_index.at("J4")] == 0.002, boost::test_tools::tolerance(1e-5));
  const auto q = link_flows(run);
  BOOST_TEST(d.net_inflow(0, q) == 0.005, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(q[net.link_index.at("P3")] == 0.00375, boost::test_tools::tolerance(1e-6));  // J2 passes J3's share on
}

BOOST_AUTO_TEST_SUITE_END()
