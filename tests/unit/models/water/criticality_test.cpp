// Pipe criticality on Net1 against EPANET 2.2's own deficits (tests/data/water/Net1.criticality.csv).
#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "models/water/criticality.hpp"
#include "models/water/io/inp_reader.hpp"

using namespace citytwin::water;

BOOST_AUTO_TEST_SUITE(criticality)

BOOST_AUTO_TEST_CASE(net1_ranking_matches_epanet) {
  const std::string dir = std::string(CITYTWIN_TEST_DATA) + "/water/";
  const Network net = read_inp(dir + "Net1.inp");
  std::ifstream in(dir + "Net1.criticality.csv");
  BOOST_REQUIRE(in);
  std::string line;
  std::getline(in, line);
  std::vector<std::pair<std::string, double>> epanet;  // pipe, unmet (gpm s)
  double epanet_base = 0;
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    const std::string id = line.substr(0, comma);
    const double v = std::stod(line.substr(comma + 1));
    if (id == "-") epanet_base = v;
    else epanet.emplace_back(id, v);
  }
  BOOST_REQUIRE_EQUAL(epanet.size(), 12u);
  std::stable_sort(epanet.begin(), epanet.end(), [](auto& a, auto& b) { return a.second > b.second; });

  CriticalityOptions o;
  o.min_pressure_m = 0;
  o.required_pressure_m = 120 * net.units.pressure_head();
  o.threads = 2;
  const auto ours = pipe_criticality(net, o);
  BOOST_REQUIRE_EQUAL(ours.size(), epanet.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    const double unmet = ours[i].unmet_demand_m3 / net.units.flow();  // gpm x s
    BOOST_CHECK_EQUAL(net.link_ids[ours[i].link], epanet[i].first);
    BOOST_CHECK_CLOSE(unmet, epanet[i].second, 2.0);
  }
  const double base = baseline_criticality(net, o).unmet_demand_m3 / net.units.flow();
  BOOST_CHECK_CLOSE(base, epanet_base, 2.0);
  // The ranking does not depend on the number of threads.
  o.threads = 1;
  const auto one = pipe_criticality(net, o);
  for (size_t i = 0; i < ours.size(); ++i) {
    BOOST_CHECK_EQUAL(one[i].link, ours[i].link);
    BOOST_CHECK_EQUAL(one[i].unmet_demand_m3, ours[i].unmet_demand_m3);
  }
}

BOOST_AUTO_TEST_SUITE_END()
