#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "engine/core/error.hpp"
#include "engine/sim/params.hpp"
#include "engine/sim/scenario.hpp"

using namespace citytwin;

namespace {

const char* kValid = R"(name = "test"
seed = 7
[city]
file = "city.osm.pbf"
[period]
start = "2026-07-13T00:00"
duration = "6h"
step = "15min"
[models.occupancy]
scale = 0.5
[models.water]
enabled = false
[[interventions]]
at = "02:00"
until = "+3h"
model = "occupancy"
action = "scale"
target = "office"
factor = 0.1
[[interventions]]
at = "01:00"
model = "occupancy"
action = "scale"
factor = 2.0
)";

std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "/data/s.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  BOOST_REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

}  // namespace

BOOST_AUTO_TEST_CASE(valid_scenario) {
  Scenario s = parse_scenario(kValid, "/data/scenarios/s.toml");
  BOOST_TEST(s.name == "test");
  BOOST_TEST(s.seed == 7u);
  BOOST_TEST(s.city.path == "/data/scenarios/city.osm.pbf");
  BOOST_TEST(s.duration_s == 6 * 3600.0);
  BOOST_TEST(s.step_s == 900.0);
  BOOST_TEST(s.models.size() == 1u);  // water is disabled
  BOOST_TEST(s.models.count("occupancy") == 1u);
  BOOST_REQUIRE(s.interventions.size() == 2u);
  // Sorted by time.
  BOOST_TEST(s.interventions[0].at_s == 3600.0);
  BOOST_TEST(s.interventions[1].at_s == 7200.0);
  BOOST_TEST(s.interventions[1].until_s == 3 * 3600.0);
  BOOST_TEST(s.interventions[1].target == "office");
  BOOST_TEST(*s.interventions[1].params["factor"].value<double>() == 0.1);
  BOOST_TEST(s.interventions[1].where.line == 13);
}

BOOST_AUTO_TEST_CASE(errors_name_file_line_and_key) {
  BOOST_TEST(error_of(replace(kValid, "seed = 7", "sed = 7")) == "/data/s.toml:2: sed: unknown key");
  BOOST_TEST(error_of(replace(kValid, "step = \"15min\"", "step = \"fast\"")) ==
             "/data/s.toml:8: period.step: expected a duration (\"15min\", \"1h\", seconds) between 0.1 s and 86400 s, "
             "got \"fast\"");
  BOOST_TEST(error_of(replace(kValid, "seed = 7", "seed = \"seven\"")) ==
             "/data/s.toml:2: seed: expected an integer between 0 and 4611686018427387904, got \"seven\"");
  BOOST_TEST(error_of(replace(kValid, "start = \"2026-07-13T00:00\"", "start = \"yesterday\"")) ==
             "/data/s.toml:6: period.start: expected a date and time like \"2026-07-13T00:00\", got \"yesterday\"");
  BOOST_TEST(error_of(replace(kValid, "at = \"02:00\"", "at = \"23:00\"")) ==
             "/data/s.toml:14: interventions[0].at: expected a time within the period (\"2026-07-13T08:00\", \"08:00\", "
             "\"+2h\" or seconds), got \"23:00\"");
  BOOST_TEST(error_of(replace(kValid, "model = \"occupancy\"\naction = \"scale\"\ntarget",
                              "model = \"traffic\"\naction = \"scale\"\ntarget")) ==
             "/data/s.toml:16: interventions[0].model: \"traffic\" is not an enabled model of this scenario");
  BOOST_TEST(error_of(replace(kValid, "[city]\nfile = \"city.osm.pbf\"", "[city]")) ==
             "/data/s.toml:3: city.file: missing: the city's GIS file");
}

BOOST_AUTO_TEST_CASE(every_error_of_a_file_is_reported_together) {
  std::string text = replace(replace(kValid, "seed = 7", "seed = -1"), "duration = \"6h\"", "duration = \"0s\"");
  std::string e = error_of(text);
  BOOST_TEST(e.find("/data/s.toml:2: seed:") != std::string::npos);
  BOOST_TEST(e.find("/data/s.toml:7: period.duration:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_toml) {
  BOOST_TEST(error_of("name = \"x\"\n[city\nfile = 1\n").find("/data/s.toml:2: malformed TOML:") == 0u);
}

// A file named in a scenario is relative to the scenario's folder; one that does not exist is an error
// naming the scenario, the line and the key.
BOOST_AUTO_TEST_CASE(paths_are_relative_to_the_scenario) {
  const auto dir = std::filesystem::temp_directory_path() / ("citytwin_params_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "data");
  std::ofstream(dir / "data" / "w.epw") << "x";
  const std::string file = (dir / "sub" / "s.toml").string();
  const auto table = toml::parse("weather = \"../data/w.epw\"\nmissing = \"nope.csv\"\nabsolute = \"" +
                                 (dir / "data" / "." / "w.epw").string() + "\"\n", file);
  ErrorList errors;
  Params p(&table, file, "models.energy", errors);
  BOOST_TEST(p.path("weather", "weather") == (dir / "data" / "w.epw").string());
  BOOST_TEST(p.path("absolute", "weather") == (dir / "data" / "w.epw").string());
  BOOST_TEST(p.path("absent", "weather").empty());
  p.path("missing", "hourly temperatures");
  BOOST_REQUIRE_EQUAL(errors.messages().size(), 1u);
  BOOST_TEST(errors.messages()[0] == file + ":2: models.energy.missing: no such file: " + (dir / "sub" / "nope.csv").string() +
                                         " (hourly temperatures)");
  std::filesystem::remove_all(dir);
}
