#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "engine/core/error.hpp"
#include "engine/data/recorder.hpp"
#include "engine/data/results_io.hpp"

using namespace citytwin;
namespace fs = std::filesystem;

namespace {

Results sample_results() {
  Recorder rec;
  ElementSet b;
  b.name = "buildings";
  b.kind = GeometryKind::polygon;
  b.ids = {"w1", "w2"};
  b.polygons = {{Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}}, {}}}, {Polygon{{{20, 0}, {30, 0}, {30, 5}}, {}}}};
  b.heights_m = {12, 6};
  b.attributes = {{"height_m", {12, 6}, {}}, {"use", {}, {"residential", "office"}}};
  rec.add_set(b);
  ElementSet p;
  p.name = "water.nodes";
  p.kind = GeometryKind::point;
  p.ids = {"J1"};
  p.points = {{5, 5}};
  rec.add_set(p);
  auto layer = rec.add_layer("test.value", "buildings", "W", "a value");
  auto series = rec.add_series("test.total", "W");
  rec.record_layer(layer, 0, std::vector<double>{1.5, NAN});
  rec.record_layer(layer, 900, std::vector<double>{2.5, 3.25});
  rec.record_series(series, 0, 1.5);
  rec.record_series(series, 900, 5.75);
  auto table = rec.add_table("test.trips", {"trip", "arrival_s"}, {"", "s"}, "per-trip records");
  rec.record_row(table, std::vector<double>{0, 125.5});
  rec.record_row(table, std::vector<double>{1, NAN});
  rec.kpi("test.peak", 5.75, "W", "peak");
  Results r = rec.take();
  r.info.scenario_name = "sample";
  r.info.start_unix_s = 1783900800;
  r.info.duration_s = 900;
  r.info.step_s = 900;
  r.info.crs = "EPSG:32632";
  r.info.origin = {373200, 4844100};
  return r;
}

fs::path temp_dir(const std::string& name) {
  return fs::temp_directory_path() / ("citytwin_" + name + "_" + std::to_string(getpid()));
}

}  // namespace

BOOST_AUTO_TEST_CASE(round_trip) {
  const fs::path dir = temp_dir("results");
  fs::remove_all(dir);
  write_results(dir.string(), sample_results(), {true, true, "log line\n", ""});
  for (const char* f : {"kpis.json", "manifest.json", "layers.gpkg", "run.log", "timeseries/test.value.csv",
                        "timeseries/test.total.series.csv", "tables/test.trips.csv"})
    BOOST_TEST(fs::exists(dir / f), f);
  Results r = load_results(dir.string());
  BOOST_TEST(r.info.scenario_name == "sample");
  BOOST_REQUIRE(r.sets.size() == 2u);
  const ElementSet* b = r.find_set("buildings");
  BOOST_REQUIRE(b);
  BOOST_TEST(b->ids == (std::vector<std::string>{"w1", "w2"}));
  BOOST_TEST(b->heights_m == (std::vector<double>{12, 6}));
  BOOST_TEST(std::abs(b->polygons[0][0].outer[2].x - 10) < 1e-6);  // origin subtracted again
  BOOST_TEST(b->polygons[1][0].outer.size() == 3u);
  BOOST_TEST(std::abs(r.find_set("water.nodes")->points[0].y - 5) < 1e-6);
  const Layer* l = r.find_layer("test.value");
  BOOST_REQUIRE(l);
  BOOST_TEST(l->unit == "W");
  BOOST_TEST(l->times_s == (std::vector<double>{0, 900}));
  BOOST_TEST(l->row(0)[0] == 1.5f);
  BOOST_TEST(std::isnan(l->row(0)[1]));
  BOOST_TEST(l->row(1)[1] == 3.25f);
  BOOST_TEST(r.series[0].values == (std::vector<double>{1.5, 5.75}));
  BOOST_TEST(r.find_kpi("test.peak")->value == 5.75);
  const Table* t = r.find_table("test.trips");
  BOOST_REQUIRE(t);
  BOOST_TEST(t->rows() == 2u);
  BOOST_TEST(t->units == (std::vector<std::string>{"", "s"}));
  BOOST_TEST(t->at(0, *t->column("arrival_s")) == 125.5);
  BOOST_TEST(std::isnan(t->at(1, 1)));  // a missing value stays missing
  BOOST_TEST(!t->column("nothing"));
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_corrupt_table_names_its_file_and_line) {
  const fs::path dir = temp_dir("table");
  fs::remove_all(dir);
  write_results(dir.string(), sample_results(), {});
  std::ofstream(dir / "tables" / "test.trips.csv") << "trip,arrival_s\n0,12\n1,x\n";
  try {
    load_results(dir.string());
    BOOST_FAIL("expected an error");
  } catch (const InputError& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("test.trips.csv:3") != std::string::npos, what);
    BOOST_TEST(what.find("not a number") != std::string::npos, what);
  }
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(time_index_picks_the_last_recorded_time) {
  Layer l;
  l.times_s = {0, 900, 1800};
  BOOST_TEST(l.time_index(-5) == 0u);
  BOOST_TEST(l.time_index(899) == 0u);
  BOOST_TEST(l.time_index(900) == 1u);
  BOOST_TEST(l.time_index(1e9) == 2u);
}

BOOST_AUTO_TEST_CASE(no_partial_directory_when_writing_fails) {
  const fs::path parent = temp_dir("blocked");
  fs::remove_all(parent);
  fs::create_directories(parent);
  // A plain file where the results directory should go: not replaced, nothing else left behind.
  std::ofstream(parent / "out") << "precious";
  BOOST_CHECK_THROW(write_results((parent / "out").string(), sample_results(), {}), InputError);
  BOOST_TEST(std::distance(fs::directory_iterator(parent), fs::directory_iterator()) == 1);
  fs::remove_all(parent);
}

BOOST_AUTO_TEST_CASE(foreign_or_corrupt_directories_are_errors) {
  const fs::path dir = temp_dir("corrupt");
  fs::remove_all(dir);
  write_results(dir.string(), sample_results(), {});
  std::ofstream(dir / "manifest.json") << R"({"format": "citytwin-results", "version": 99})";
  try {
    load_results(dir.string());
    BOOST_FAIL("expected an error");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find("results format version 99") != std::string::npos);
  }
  std::ofstream(dir / "manifest.json") << "{ not json";
  BOOST_CHECK_THROW(load_results(dir.string()), InputError);
  // JSON of the wrong shape: an error naming the file, not an escaping JSON type error.
  auto error_of = [&](const std::string& file, const std::string& text) {
    write_results(dir.string(), sample_results(), {});
    std::ofstream(dir / file) << text;
    try {
      load_results(dir.string());
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  BOOST_TEST(error_of("manifest.json", "[1, 2]").find("manifest.json: not a citytwin results manifest") !=
             std::string::npos);
  const std::string layers_of_numbers =
      error_of("manifest.json", R"({"format": "citytwin-results", "version": 1, "origin": [0, 0], "layers": [5]})");
  BOOST_TEST(layers_of_numbers.find("manifest.json: malformed manifest") != std::string::npos, layers_of_numbers);
  BOOST_TEST(error_of("kpis.json", R"({"kpis": {"a": 5}})").find("kpis.json: malformed KPIs") != std::string::npos);
  // Numbers too large for their integer fields are located errors, not undefined conversions (found by
  // results_fuzz: {"format": "citytwin-results", "version": 1e61}).
  BOOST_TEST(error_of("manifest.json", R"({"format": "citytwin-results", "version": 1e61})").find("manifest.json: version: expected an integer") !=
             std::string::npos);
  const std::string manifest = [&] {
    write_results(dir.string(), sample_results(), {});
    std::ifstream in(dir / "manifest.json");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }();
  auto with = [&](const std::string& from, const std::string& to) {
    std::string m = manifest;
    const size_t at = m.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    return m.replace(at, from.size(), to);
  };
  BOOST_TEST(error_of("manifest.json", with("\"start_unix_s\": 1783900800", "\"start_unix_s\": 1e300")).find("start_unix_s: expected an integer") != std::string::npos);
  BOOST_TEST(error_of("manifest.json", with("\"seed\": 0", "\"seed\": -1")).find("seed: expected an integer") != std::string::npos);
  BOOST_TEST(error_of("manifest.json", with("\"count\": 2", "\"count\": 1e300")).find("count: expected an integer") != std::string::npos);
  fs::remove_all(dir);
}
