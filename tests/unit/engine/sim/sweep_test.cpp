// Sweep files and scenario keys: a grid's run order and the values a person would type, a Latin
// hypercube with one sample per stratum, replicate seeds, and keys set in a scenario's tree.
#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <set>

#include "engine/core/error.hpp"
#include "engine/sim/scenario_keys.hpp"
#include "engine/sim/sweep.hpp"

using namespace citytwin;

BOOST_AUTO_TEST_SUITE(sweep)

BOOST_AUTO_TEST_CASE(a_grid_varies_the_first_parameter_slowest_with_replicates_together) {
  const Sweep s = parse_sweep(R"(base = "b.toml"
replicates = 2
[[parameters]]
key = "models.energy.pv_share"
range = [0.0, 1.0]
steps = 11
[[parameters]]
key = "models.traffic.trips_per_day"
values = [4000, 8000]
)", "/p/s.toml");
  BOOST_TEST(s.base == "/p/b.toml");
  const auto runs = expand_sweep(s, 42);
  BOOST_REQUIRE(runs.size() == 44u);
  BOOST_TEST(runs[0].run == 1);
  BOOST_TEST(runs[0].seed == 42u);
  BOOST_TEST(runs[1].seed == 43u);
  BOOST_TEST(format_key_value(runs[2].values[1]) == "8000");
  BOOST_TEST(format_key_value(runs[12].values[0]) == "0.3");  // not 0.30000000000000004
  BOOST_TEST(format_key_value(runs[43].values[0]) == "1");
  const auto settings = run_settings(s, runs[3]);
  BOOST_REQUIRE(settings.size() == 3u);
  BOOST_TEST(settings[2].key == "seed");
}

BOOST_AUTO_TEST_CASE(a_latin_hypercube_samples_each_stratum_once) {
  const Sweep s = parse_sweep("base = \"b.toml\"\n[design]\ntype = \"lhs\"\nsamples = 20\nseed = 3\n"
                              "[[parameters]]\nkey = \"a\"\nrange = [0.0, 10.0]\n[[parameters]]\nkey = \"b\"\nrange = [1, 20]\n",
                              "s.toml");
  const auto runs = expand_sweep(s, 1);
  BOOST_REQUIRE(runs.size() == 20u);
  std::set<int> strata, integers;
  for (const auto& r : runs) {
    strata.insert(static_cast<int>(std::get<double>(r.values[0]) / 0.5));
    integers.insert(static_cast<int>(std::get<std::int64_t>(r.values[1])));
  }
  BOOST_TEST(strata.size() == 20u);
  BOOST_TEST(*integers.begin() >= 1);
  BOOST_TEST(*integers.rbegin() <= 20);
  BOOST_TEST(format_key_value(expand_sweep(s, 1)[7].values[0]) == format_key_value(runs[7].values[0]));  // deterministic
}

BOOST_AUTO_TEST_CASE(bad_sweeps_name_the_line_and_the_key) {
  auto message = [](const std::string& text) {
    try {
      parse_sweep(text, "s.toml");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  BOOST_TEST(message("[[parameters]]\nkey = \"a\"\nvalues = [1]\n") == "s.toml:1: base: missing: the base scenario (base = \"../scenarios/baseline.toml\")");
  BOOST_TEST(message("base = \"b\"\n[[parameters]]\nkey = \"a\"\nrange = [0, 1]\n") == "s.toml:3: key 'a': range: a grid needs steps = N (or a list of values)");
  BOOST_TEST(message("base = \"b\"\n[[parameters]]\nkey = \"a\"\nrange = [1, 0]\nsteps = 2\n") == "s.toml:3: key 'a': range: expected min < max, got [1, 0]");
  BOOST_TEST(message("base = \"b\"\n[[parameters]]\nkey = \"a\"\nrange = [0, 1]\nsteps = 1000000\n[[parameters]]\nkey = \"c\"\nvalues = [1, 2]\n")
                 .find("more than 1000000") != std::string::npos);
  BOOST_TEST(message("base = \"b\"\nseeds = [1]\n[[parameters]]\nkey = \"seed\"\nvalues = [1, 2]\n") ==
             "s.toml:4: key 'seed': the seed is varied and replicated: give one of the two");
}

BOOST_AUTO_TEST_CASE(keys_are_set_in_tables_and_array_entries_that_exist) {
  toml::table root = toml::parse("seed = 1\n[models.energy]\n[[interventions]]\nfactor = 0.5\n");
  BOOST_TEST(set_scenario_key(root, "models.energy.pv_share", 0.5) == "");
  BOOST_TEST(root["models"]["energy"]["pv_share"].value_or(0.0) == 0.5);
  BOOST_TEST(set_scenario_key(root, "interventions[0].factor", std::int64_t{2}) == "");
  BOOST_TEST(root["interventions"][0]["factor"].value_or(std::int64_t{0}) == 2);
  BOOST_TEST(set_scenario_key(root, "interventions[1].factor", 1.0) == "interventions has 1 entries (numbered from 0)");
  BOOST_TEST(set_scenario_key(root, "models.water.x", 1.0) == "the scenario has no [models.water]");
  BOOST_TEST(set_scenario_key(root, "models.energy", 1.0) == "models.energy is a table, not a value");
  BOOST_TEST(set_scenario_key(root, "models..x", 1.0).starts_with("not a scenario key"));
  const auto s = parse_key_setting("period.duration=6h");
  BOOST_TEST(std::get<std::string>(s.value) == "6h");
  BOOST_TEST(std::get<double>(parse_key_setting("models.energy.pv_share=0.3").value) == 0.3);
  BOOST_TEST(std::get<bool>(parse_key_setting("outputs.geopackage=false").value) == false);
  BOOST_TEST(kind_mismatch(*root["seed"].node(), 0.5) != "");
  BOOST_TEST(kind_mismatch(*root["seed"].node(), 2.0) == "");
}

BOOST_AUTO_TEST_SUITE_END()
