#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sys/wait.h>

#include "engine/core/error.hpp"
#include "models/energy/io/epw.hpp"
#include "test_util.hpp"

using namespace citytwin;
using namespace citytwin::energy;
using namespace citytwin::energy::test;
namespace tt = boost::test_tools;

namespace {

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); }
double sum_kwh(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / 1000; }

std::string epw_error(const std::string& text) {
  try {
    parse_epw(text, "x.epw");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

/// The text with its line `line` (1-based) passed through f.
template <class F>
std::string edit_line(const std::string& text, int line, F f) {
  size_t start = 0;
  for (int i = 1; i < line; ++i) start = text.find('\n', start) + 1;
  size_t end = text.find('\n', start);
  return text.substr(0, start) + f(text.substr(start, end - start)) + text.substr(end);
}

/// Replaces field k (0-based) of a CSV line.
std::string set_field(const std::string& line, int k, const std::string& value) {
  size_t start = 0;
  for (int i = 0; i < k; ++i) start = line.find(',', start) + 1;
  size_t end = line.find(',', start);
  return line.substr(0, start) + value + line.substr(end);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(epw_reader)

// Figures from tests/data/energy/BESTEST600.md section 1 ("quick check", computed there independently).
BOOST_AUTO_TEST_CASE(denver_tmy3_matches_the_published_quick_check) {
  Weather w = read_epw(data_path("725650TYCST.epw"));
  BOOST_TEST(w.size() == 8760u);
  BOOST_TEST(w.location.city == "DENVER INTL AP");
  BOOST_TEST(w.location.latitude_deg == 39.83);
  BOOST_TEST(w.location.longitude_deg == -104.65);
  BOOST_TEST(w.location.timezone_h == -7.0);
  BOOST_TEST(w.location.elevation_m == 1650.0);
  BOOST_TEST(*std::min_element(w.dry_bulb_c.begin(), w.dry_bulb_c.end()) == -19.4);
  BOOST_TEST(*std::max_element(w.dry_bulb_c.begin(), w.dry_bulb_c.end()) == 40.0);
  BOOST_TEST(mean(w.dry_bulb_c) == 10.88, tt::tolerance(0.001));
  BOOST_TEST(sum_kwh(w.ghi_wm2) == 1670.2, tt::tolerance(1e-4));
  BOOST_TEST(sum_kwh(w.dni_wm2) == 1977.6, tt::tolerance(1e-4));
  BOOST_TEST(sum_kwh(w.dhi_wm2) == 556.5, tt::tolerance(1e-4));
  BOOST_TEST(mean(w.wind_speed_ms) == 3.92, tt::tolerance(0.002));
  BOOST_TEST(mean(w.pressure_pa) == 83460, tt::tolerance(1e-4));
  BOOST_TEST(w.month.front() == 1);
  BOOST_TEST(w.hour.front() == 1);
  BOOST_TEST(w.month.back() == 12);
  BOOST_TEST(w.day.back() == 31);
  BOOST_TEST(w.hour.back() == 24);
  BOOST_TEST(w.relative_humidity.front() == 0.85);
}

// Figures from assets/weather/README.md.
BOOST_AUTO_TEST_CASE(lisbon_asset_matches_its_readme) {
  Weather w = read_epw(std::string(CITYTWIN_ASSETS) + "/weather/PRT_Lisboa.085360_INETI.epw");
  BOOST_TEST(w.size() == 8760u);
  BOOST_TEST(w.location.latitude_deg == 38.73);
  BOOST_TEST(w.location.timezone_h == 0.0);
  BOOST_TEST(*std::min_element(w.dry_bulb_c.begin(), w.dry_bulb_c.end()) == 4.1);
  BOOST_TEST(*std::max_element(w.dry_bulb_c.begin(), w.dry_bulb_c.end()) == 36.0);
  BOOST_TEST(mean(w.dry_bulb_c) == 16.3, tt::tolerance(0.005));
  BOOST_TEST(sum_kwh(w.ghi_wm2) == 1648, tt::tolerance(0.001));
  BOOST_TEST(mean(w.wind_speed_ms) == 4.98, tt::tolerance(0.002));
}

BOOST_AUTO_TEST_CASE(errors_name_file_line_and_field) {
  const std::string text = read_text(data_path("725650TYCST.epw"));
  // Record 1 is line 9; field 7 (1-based) is the dry-bulb temperature.
  std::string bad = edit_line(text, 9, [](const std::string& l) { return set_field(l, 6, "abc"); });
  BOOST_TEST(epw_error(bad).find("x.epw:9: field 7 (dry bulb temperature): expected a number, got 'abc'") != std::string::npos);

  std::string missing = edit_line(text, 20, [](const std::string& l) { return set_field(l, 21, "999"); });
  BOOST_TEST(epw_error(missing).find("x.epw:20: field 22 (wind speed): missing value (999)") != std::string::npos);

  std::string out_of_range = edit_line(text, 30, [](const std::string& l) { return set_field(l, 8, "130"); });
  BOOST_TEST(epw_error(out_of_range).find("x.epw:30: field 9 (relative humidity): 130 is outside") != std::string::npos);

  std::string truncated = text.substr(0, text.size() / 2);
  truncated = truncated.substr(0, truncated.rfind('\n') + 1);
  BOOST_TEST(epw_error(truncated).find("file ends after") != std::string::npos);

  std::string short_record = edit_line(text, 100, [](const std::string& l) { return l.substr(0, l.find(",", 40)); });
  BOOST_TEST(epw_error(short_record).find("x.epw:100: record has") != std::string::npos);

  std::string out_of_order = edit_line(text, 50, [](const std::string& l) { return set_field(l, 3, "7"); });
  BOOST_TEST(epw_error(out_of_order).find("x.epw:50: field month/day/hour: expected 1/2 hour 18") != std::string::npos);

  std::string bad_location = edit_line(text, 1, [](const std::string& l) { return set_field(l, 6, "north"); });
  BOOST_TEST(epw_error(bad_location).find("x.epw:1: LOCATION field latitude") != std::string::npos);

  BOOST_TEST(epw_error("LOCATION,a\n").find("x.epw:1:") != std::string::npos);
  BOOST_TEST(epw_error("").find("x.epw") != std::string::npos);
  BOOST_CHECK_THROW(read_epw(data_path("no_such.epw")), InputError);
}

BOOST_AUTO_TEST_CASE(cli_exits_2_on_a_bad_weather_file) {
  const std::string text = read_text(data_path("725650TYCST.epw"));
  const TempFile bad("bad.epw", edit_line(text, 9, [](const std::string& l) { return set_field(l, 6, "abc"); }));
  auto run = [](const std::string& args) {
    int status = std::system((std::string(CITYTWIN_CLI) + " " + args + " > /dev/null 2>&1").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  BOOST_TEST(run("energy weather " + bad.path) == 2);
  BOOST_TEST(run("energy weather " + data_path("725650TYCST.epw")) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
