#define BOOST_TEST_MODULE citytwin feeds
// Feeds through `citytwin run`: the PoC replay on the bundled city (identical at 1 and 2 threads, the driven
// temperature equal to the measured one at every step), a small GeoJSON city with its own sensors placed by
// coordinates (converted to lon/lat with gdaltransform), and bad feeds refused with one located line.
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::string kCli = CITYTWIN_CLI;
const std::string kSource = CITYTWIN_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::vector<std::string>> csv_rows(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, ',')) f.push_back(x);
    if (!line.empty() && line.back() == ',') f.push_back("");
    rows.push_back(f);
  }
  return rows;
}

struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("citytwin_feeds_" + std::to_string(getpid()));
  Scratch() { fs::create_directories(dir); }
  ~Scratch() { fs::remove_all(dir); }
  int run(const std::string& args, std::string* err = nullptr) const {
    const std::string cmd = kCli + " " + args + " >" + (dir / "out.txt").string() + " 2>" + (dir / "err.txt").string();
    const int status = std::system(cmd.c_str());
    if (err) *err = slurp(dir / "err.txt");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
};

/// Every file of two results folders but run.log (it names the folder and the thread count).
void check_same_results(const fs::path& a, const fs::path& b) {
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(a)) {
    if (!e.is_regular_file() || e.path().filename() == "run.log") continue;
    const fs::path rel = fs::relative(e.path(), a);
    BOOST_TEST(slurp(e.path()) == slurp(b / rel), rel.string());
    ++files;
  }
  BOOST_TEST(files > 10u);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(feeds, Scratch)

BOOST_AUTO_TEST_CASE(poc_replay_same_at_1_and_2_threads_and_driven_temperature_follows_the_feed) {
  const std::string scenario = kSource + "/scenarios/poc_replay.toml";
  BOOST_REQUIRE(run("run " + scenario + " -q -t 1 -o " + (dir / "t1").string()) == 0);
  BOOST_REQUIRE(run("run " + kSource + "/scenarios/poc_replay.toml -q -t 2 -o " + (dir / "t2").string()) == 0);
  check_same_results(dir / "t1", dir / "t2");
  const auto validation = csv_rows(dir / "t1" / "validation.csv");
  BOOST_TEST(validation.size() == 10u);  // header + 9 sensors
  BOOST_TEST(slurp(dir / "t1" / "validation.csv")
                 .starts_with("sensor,quantity,unit,n,missing,mae,rmse,mape_pct,nse,geh_lt5_share,cvrmse_pct,nmbe_pct"));
  // Drive: the model's outdoor temperature over each step is the station's (interpolated) reading.
  const auto pairs = csv_rows(dir / "t1" / "measured" / "station_air.csv");
  size_t compared = 0;
  for (size_t i = 1; i < pairs.size(); ++i) {
    if (pairs[i][1].empty()) continue;
    BOOST_TEST(std::stod(pairs[i][1]) == std::stod(pairs[i][2]), boost::test_tools::tolerance(1e-9));
    ++compared;
  }
  BOOST_TEST(compared == 168u);  // 7 days of hourly steps (the start has no applied value)
  // The first reading of the week (01/03/2021 00:00, 10.4 C in the file) drives the first hour.
  BOOST_TEST(pairs[2][0] == "2026-03-02T01:00:00+01:00");
  BOOST_TEST(pairs[2][1] == "10.4");
}

BOOST_AUTO_TEST_CASE(small_geojson_city_with_sensors_by_coordinates) {
  // Positions from gdaltransform -s_srs EPSG:32632 -t_srs EPSG:4326: (373005, 4844005) inside b1.
  write("sensors.geojson", R"({"type":"FeatureCollection","features":[
    {"type":"Feature","geometry":{"type":"Point","coordinates":[7.42293690237751,43.738204865664]},
     "properties":{"id":"meter1","quantity":"energy.building_electricity","unit":"kW"}},
    {"type":"Feature","geometry":null,"properties":{"id":"air","quantity":"weather.air_temperature","unit":"F"}}]})");
  std::string meter;
  for (int h = 0; h < 6; ++h)
    meter += "{\"sensor\":\"meter1\",\"time\":\"2026-07-13T0" + std::to_string(h) + ":00:00+02:00\",\"value\":" + std::to_string(10 + h) + "}\n";
  write("meter.jsonl", meter);
  write("air.csv", "time,sensor,value\n2026-07-13T00:00:00+02:00,air,68\n2026-07-13T03:00:00+02:00,air,77\n");
  const auto s = write("s.toml", "name = \"small\"\n[city]\nfile = \"" + kSource + "/tests/data/city/small_city.geojson\"\n"
      "[period]\nstart = \"2026-07-13T00:00+02:00\"\ntimezone = \"Europe/Monaco\"\nduration = \"6h\"\nstep = \"1h\"\n"
      "[models.occupancy]\n[models.energy]\nweather = \"" + kSource + "/assets/weather/PRT_Lisboa.085360_INETI.epw\"\n"
      "[[feeds]]\nname = \"meters\"\nrole = \"drive\"\nfiles = [\"meter.jsonl\"]\nformat = \"jsonl\"\nsensors = \"sensors.geojson\"\ncolumns = { meter1 = \"meter1\" }\n"
      "[[feeds]]\nname = \"air\"\nfiles = [\"air.csv\"]\nsensors = \"sensors.geojson\"\ncolumns = { air = \"air\" }\ngaps = \"interpolate\"\nmax_gap = \"3h\"\n");
  std::string err;
  BOOST_REQUIRE_MESSAGE(run("run " + s.string() + " -q -o " + (dir / "r").string(), &err) == 0, err);
  const auto v = csv_rows(dir / "r" / "validation.csv");
  BOOST_REQUIRE(v.size() == 3u);
  BOOST_TEST(v[1][0] == "meter1");
  BOOST_TEST(v[1][14] == "b1");
  BOOST_TEST(std::stod(v[1][15]) < 10.0);  // snapped a few metres from b1's centre
  // Drive: b1's demand over each hour is the meter's reading at its start, in W.
  const auto demand = csv_rows(dir / "r" / "timeseries" / "energy.demand.csv");
  size_t b1 = 0;
  for (size_t c = 0; c < demand[0].size(); ++c)
    if (demand[0][c] == "b1") b1 = c;
  BOOST_REQUIRE(b1 > 0u);
  for (int h = 1; h <= 6; ++h) BOOST_TEST(std::stod(demand[h + 1][b1]) == 1000.0 * (10 + h - 1));  // row 1: the start
  // Compare: 68 F and 77 F are 20 C and 25 C; interpolated in between (1 h: 21.6667 C).
  const auto air = csv_rows(dir / "r" / "measured" / "air.csv");
  BOOST_TEST(std::stod(air[1][1]) == 20.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(std::stod(air[2][1]) == 20.0 + 5.0 / 3, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(std::stod(air[4][1]) == 25.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(air[5][1].empty());  // after the last reading: no value, never a zero
}

BOOST_AUTO_TEST_CASE(bad_feeds_are_refused_with_one_located_line_and_no_results) {
  write("sensors.csv", "id,quantity,unit,element,lon,lat,zone\nair,weather.air_temperature,C,,,,\n");
  auto scenario = [&](const std::string& feed) {
    return write("s.toml", "name = \"bad\"\n[city]\nfile = \"" + kSource + "/tests/data/city/small_city.geojson\"\n"
        "[period]\nstart = \"2026-07-13T00:00Z\"\nduration = \"2h\"\nstep = \"1h\"\n[models.occupancy]\n[models.energy]\n"
        "weather = \"" + kSource + "/assets/weather/PRT_Lisboa.085360_INETI.epw\"\n[[feeds]]\nfiles = [\"f.csv\"]\n"
        "sensors = \"sensors.csv\"\n" + feed).string();
  };
  std::string err;
  write("f.csv", "time,sensor,value\n2021-03-01T00:00Z,air,5\n");
  BOOST_TEST(run("run " + scenario("") + " -q -o " + (dir / "r").string(), &err) == 2);
  BOOST_TEST(err.find("before the scenario's period starts") != std::string::npos, err);
  BOOST_TEST(!fs::exists(dir / "r"));
  write("f.csv", "time,sensor,value\n2026-07-13T00:00Z,air,5\n2026-07-13T01:00Z,wind,5\n");
  BOOST_TEST(run("run " + scenario("") + " -q -o " + (dir / "r").string(), &err) == 2);
  BOOST_TEST(err.find((dir / "f.csv").string() + ":3: unknown sensor \"wind\"") != std::string::npos, err);
  BOOST_TEST(!fs::exists(dir / "r"));
  BOOST_TEST(run("run " + scenario("timezone = \"Europe/Atlantis\"\n") + " -q -o " + (dir / "r").string(), &err) == 2);
  BOOST_TEST(err.find("feeds[0].timezone: unknown time zone \"Europe/Atlantis\"") != std::string::npos, err);
  write("sensors.csv", "id,quantity,unit,element,lon,lat,zone\nair,weather.air_temperature,L/s,,,,\n");
  BOOST_TEST(run("run " + scenario("") + " -q -o " + (dir / "r").string(), &err) == 2);
  BOOST_TEST(err.find("sensors.csv:2: sensor \"air\": unit \"L/s\" does not measure weather.air_temperature") != std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(feed_check_prints_what_a_feed_holds) {
  const std::string scenario = kSource + "/scenarios/poc_replay.toml";
  BOOST_REQUIRE(run("feed check " + scenario) == 0);
  const std::string out = slurp(dir / "out.txt");
  // awk over DMA 1 of InflowData_2021-03-01_2021-03-07.csv: 168 rows, 65 empty.
  BOOST_TEST(out.find("dma1_inlet") != std::string::npos);
  BOOST_TEST(out.find("      103 ") != std::string::npos, out);
  BOOST_TEST(out.find("168 records") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
