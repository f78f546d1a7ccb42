// Sensor registry, units, feed readers and the feed policy, checked against hand computations and against
// counts of the shipped feeds made by another tool (awk; the commands are in tests/data/feeds/README.md).
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

#include "engine/core/error.hpp"
#include "engine/data/feed_stream.hpp"
#include "engine/data/feed_summary.hpp"
#include "engine/data/quantity.hpp"
#include "engine/data/sensor_registry.hpp"
#include "engine/data/validation_metrics.hpp"

using namespace citytwin;
namespace fs = std::filesystem;

namespace {

std::string bwdf(const std::string& name) { return std::string(CITYTWIN_ASSETS) + "/feeds/bwdf_dma_inflows/" + name; }

/// A temporary file with that text, removed at the end of the test.
struct TempFile {
  fs::path path;
  TempFile(const std::string& name, const std::string& text) : path(fs::temp_directory_path() / ("citytwin_feeds_" + name)) {
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() { fs::remove(path); }
  std::string str() const { return path.string(); }
};

SensorRegistry dma_registry() {
  std::string text = "id,quantity,unit,element,lon,lat,zone\n";
  for (int i = 1; i <= 10; ++i) text += "dma" + std::to_string(i) + ",water.flow,L/s,P" + std::to_string(i) + ",,,\n";
  return parse_sensor_registry_csv(text, "dma.csv");
}

FeedSpec bwdf_spec(const std::string& file) {
  FeedSpec spec;
  spec.files = {bwdf(file)};
  spec.format = FeedFormat::csv_wide;
  spec.zone = *TimeZone::find("Europe/Rome");
  spec.time_format = "%d/%m/%Y %H:%M";
  spec.time_column = "Date-time CET-CEST (DD/MM/YYYY HH:mm)";
  for (int i = 1; i <= 10; ++i) spec.sensor_map["DMA " + std::to_string(i) + " (L/s)"] = "dma" + std::to_string(i);
  return spec;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(units_convert_to_the_model_unit) {
  // 1 gpm = 3.785411784 L / 60 s; 212 F = 100 C; 1 kWh per 15 min = 4 kW; 1 psi = 1/0.4333 ft (EPANET 2.2).
  BOOST_TEST(unit_conversion("L/s", "gpm")->apply(60) == 3.785411784, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(unit_conversion("C", "F")->apply(212) == 100.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(unit_conversion("W", "kWh/15min")->apply(1) == 4000.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(unit_conversion("W", "kWh/h")->apply(2.5) == 2500.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(unit_conversion("veh/h", "veh/15min")->apply(100) == 400.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(unit_conversion("m", "psi")->apply(0.4333) == 0.3048, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(unit_conversion("L/s", "m3/h")->apply(3.6) == 1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(!unit_conversion("L/s", "kWh/h"));
  BOOST_TEST(!unit_conversion("C", "veh/h"));
}

BOOST_AUTO_TEST_CASE(registry_errors_name_file_line_and_problem) {
  const std::string head = "id,quantity,unit,element,lon,lat,zone\n";
  BOOST_TEST(error_of([&] { parse_sensor_registry_csv(head + "a,water.flow,L/s,P1,,,\nb,water.flw,L/s,P2,,,\n", "r.csv"); })
                 .find("r.csv:3: sensor \"b\": unknown quantity \"water.flw\"") == 0);
  BOOST_TEST(error_of([&] { parse_sensor_registry_csv(head + "a,water.flow,kWh,P1,,,\n", "r.csv"); })
                 .find("r.csv:2: sensor \"a\": unit \"kWh\" does not measure water.flow") == 0);
  BOOST_TEST(error_of([&] { parse_sensor_registry_csv(head + "a,water.flow,L/s,P1,,,\na,water.flow,L/s,P2,,,\n", "r.csv"); })
                 .find("r.csv:3: sensor \"a\" is already defined at line 2") == 0);
  BOOST_TEST(error_of([&] { parse_sensor_registry_csv(head + "a,traffic.flow,veh/h,,,,\n", "r.csv"); })
                 .find("r.csv:2: sensor \"a\": give an element ID or lon and lat") == 0);
  BOOST_TEST(error_of([&] { parse_sensor_registry_csv("id,unit\n", "r.csv"); }).find("r.csv:1: the header has no column \"quantity\"") == 0);
  const auto g = parse_sensor_registry_geojson(
      R"({"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]},
          "properties":{"id":"c1","quantity":"traffic.flow","unit":"veh/15min"}}]})", "s.geojson");
  BOOST_TEST(g.sensors.size() == 1u);
  BOOST_TEST(g.sensors[0].lonlat->x == 7.42);
  BOOST_TEST(g.sensors[0].to_model.factor == 4.0);
}

BOOST_AUTO_TEST_CASE(iso8601_forms) {
  BOOST_TEST(parse_iso8601("2021-03-01T00:00:00Z")->seconds == 1614556800);
  BOOST_TEST(parse_iso8601("2021-03-01T01:00:00.250+01:00")->seconds == 1614556800);
  BOOST_TEST(parse_iso8601("2021-03-01T01:00+0100")->seconds == 1614556800);
  BOOST_TEST(parse_iso8601("2021-02-28T19:00-05")->seconds == 1614556800);
  const auto local = parse_iso8601("2021-03-01 00:00:00");
  BOOST_TEST(!local->has_offset);
  BOOST_TEST(!parse_iso8601("2021-13-01T00:00"));
  BOOST_TEST(!parse_iso8601("01/03/2021 00:00"));
  BOOST_TEST(*parse_local_datetime("31/10/2021 02:00", "%d/%m/%Y %H:%M") == 1635645600);
  BOOST_TEST(!parse_local_datetime("31/10/2021 02:00 x", "%d/%m/%Y %H:%M"));
}

// awk: 169 rows, DMA 1..10 empty cells 0 0 3 1 0 4 1 0 0 0; "31/10/2021 02:00" is the one repeated string.
BOOST_AUTO_TEST_CASE(bwdf_autumn_week_repeated_hour_told_apart_by_row_order) {
  const auto reg = dma_registry();
  FeedReader reader(bwdf_spec("InflowData_2021-10-25_2021-10-31.csv"), reg);
  FeedStream stream(reader, reg.sensors.size(), 0);
  std::vector<std::int64_t> times;
  Observation o;
  while (stream.next(o))
    if (o.sensor == 0) times.push_back(o.time_s);
  BOOST_TEST(times.size() == 169u);  // no duplicate: the second 02:00 is CET, an hour after the first (CEST)
  for (size_t i = 1; i < times.size(); ++i) BOOST_TEST(times[i] - times[i - 1] == 3600);
  BOOST_TEST(times.front() == parse_iso8601("2021-10-25T00:00+02:00")->seconds);
  BOOST_TEST(times.back() == parse_iso8601("2021-10-31T23:00+01:00")->seconds);
  const std::vector<std::uint64_t> empty = {0, 0, 3, 1, 0, 4, 1, 0, 0, 0};
  for (size_t i = 0; i < 10; ++i) BOOST_TEST(reader.counts().missing_by_sensor[i] == empty[i]);
  BOOST_TEST(stream.counts().duplicates == 0u);
}

// awk: 168 rows, 579 empty cells in all (as the feed's README says).
BOOST_AUTO_TEST_CASE(bwdf_week_counts_match_awk) {
  const auto reg = dma_registry();
  const FeedSummary s = summarize_feed(bwdf_spec("InflowData_2021-03-01_2021-03-07.csv"), reg, 0);
  BOOST_TEST(s.read.records == 168u);
  BOOST_TEST(s.read.missing == 579u);
  BOOST_TEST(s.read.observations == 168u * 10 - 579);
  BOOST_TEST(s.sensors[0].observations == 168u - 65);
  BOOST_TEST(s.sensors[0].interval_s == 3600);
}

BOOST_AUTO_TEST_CASE(spring_gap_time_is_an_error_with_its_line) {
  const auto reg = dma_registry();
  TempFile f("gap.csv", "t,DMA 1 (L/s)\n28/03/2021 01:00,1\n28/03/2021 02:30,2\n");
  FeedSpec spec = bwdf_spec("x");
  spec.files = {f.str()};
  spec.time_column = "t";
  spec.sensor_map = {{"DMA 1 (L/s)", "dma1"}};
  FeedReader reader(spec, reg);
  Observation o;
  BOOST_TEST(reader.next(o));
  const std::string e = error_of([&] { reader.next(o); });
  BOOST_TEST(e.find(f.str() + ":3: time \"28/03/2021 02:30\" does not exist in Europe/Rome") == 0, e);
}

BOOST_AUTO_TEST_CASE(long_csv_duplicates_out_of_order_and_late) {
  const auto reg = dma_registry();
  TempFile f("long.csv",
             "time,sensor,value,quality\n"
             "2021-03-01T00:00Z,dma1,1,good\n"
             "2021-03-01T01:00Z,dma1,2,good\n"
             "2021-03-01T00:30Z,dma1,1.5,good\n"   // 30 min out of order: within 1 h, sorted into place
             "2021-03-01T01:00Z,dma1,9,good\n"     // duplicate of 01:00: the first kept
             "2021-03-01T03:00Z,dma1,3,suspect\n"  // bad quality
             "2021-03-01T04:00Z,dma1,,good\n"      // missing value
             "2021-03-01T06:00Z,dma1,6,good\n"
             "2021-03-01T04:30Z,dma1,4,good\n");   // 1.5 h late: dropped
  FeedSpec spec;
  spec.files = {f.str()};
  spec.good_quality = {"good"};
  FeedReader reader(spec, reg);
  FeedStream stream(reader, reg.sensors.size(), 3600);
  std::vector<double> values;
  Observation o;
  while (stream.next(o)) values.push_back(o.value);
  BOOST_TEST(values == (std::vector<double>{1, 1.5, 2, 6}), boost::test_tools::per_element());
  BOOST_TEST(stream.counts().duplicates == 1u);
  BOOST_TEST(stream.counts().late == 1u);
  BOOST_TEST(reader.counts().bad_quality == 1u);
  BOOST_TEST(reader.counts().missing == 1u);
}

BOOST_AUTO_TEST_CASE(bad_records_name_file_and_line) {
  const auto reg = dma_registry();
  TempFile f("bad.csv", "time,sensor,value\n2021-03-01T00:00Z,dma1,1\n2021-03-01T01:00Z,dma1,abc\n");
  FeedSpec spec;
  spec.files = {f.str()};
  FeedReader reader(spec, reg);
  Observation o;
  reader.next(o);
  BOOST_TEST(error_of([&] { reader.next(o); }) == f.str() + ":3: value \"abc\" of sensor \"dma1\" is not a number");
  TempFile g("unknown.csv", "time,sensor,value\n2021-03-01T00:00Z,nobody,1\n");
  spec.files = {g.str()};
  FeedReader r2(spec, reg);
  BOOST_TEST(error_of([&] { r2.next(o); }).find(g.str() + ":2: unknown sensor \"nobody\"") == 0);
  TempFile h("time.csv", "time,sensor,value\n2021-03-01 25:00,dma1,1\n");
  spec.files = {h.str()};
  FeedReader r3(spec, reg);
  BOOST_TEST(error_of([&] { r3.next(o); }).find(h.str() + ":2: malformed time \"2021-03-01 25:00\"") == 0);
}

BOOST_AUTO_TEST_CASE(jsonl_and_sensorthings_pages) {
  const auto reg = dma_registry();
  TempFile j("obs.jsonl", "{\"sensor\":\"dma2\",\"time\":\"2021-03-01T00:00:00Z\",\"value\":5}\n"
                          "{\"sensor\":\"dma2\",\"time\":\"2021-03-01T01:00:00Z\",\"value\":null}\n");
  FeedSpec spec;
  spec.files = {j.str()};
  spec.format = FeedFormat::jsonl;
  FeedReader r(spec, reg);
  Observation o;
  BOOST_TEST(r.next(o));
  BOOST_TEST(o.value == 5.0);
  BOOST_TEST(!r.next(o));
  BOOST_TEST(r.counts().missing == 1u);

  TempFile p1("page1.json", R"({"value":[{"phenomenonTime":"2021-03-01T00:00:00Z","result":1.5,"Datastream@iot.id":7}],
                                "@iot.nextLink":"http://x/v1.1/Observations?$skip=1"})");
  TempFile p2("page2.json", R"({"value":[{"phenomenonTime":"2021-03-01T00:00:00Z/2021-03-01T01:00:00Z","result":2.5,"Datastream@iot.id":7}]})");
  FeedSpec st;
  st.files = {p1.str(), p2.str()};
  st.format = FeedFormat::sensorthings;
  st.sensor_map = {{"7", "dma3"}};
  FeedReader s(st, reg);
  BOOST_TEST(s.next(o));
  BOOST_TEST(o.sensor == 2u);
  BOOST_TEST(s.next(o));
  BOOST_TEST(o.time_s == 1614560400);  // an interval's end
  BOOST_TEST(!s.next(o));
  st.files = {p1.str()};
  BOOST_TEST(error_of([&] { FeedReader bad(st, reg); }).find("the last page has an @iot.nextLink") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fit_metrics_by_hand) {
  // m = 1 2 3 4, s = 2 2 2 6: errors 1 0 -1 2, SSE 6, mean m 2.5, sum (m - mean)^2 = 5.
  const std::vector<double> m = {1, 2, 3, 4, NAN}, s = {2, 2, 2, 6, 7};
  const FitMetrics f = fit_metrics(m, s, true);
  BOOST_TEST(f.n == 4u);
  BOOST_TEST(f.missing == 1u);
  BOOST_TEST(f.mae == 1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f.rmse == std::sqrt(1.5), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f.mape_pct == 100 * (1 + 0 + 1.0 / 3 + 0.5) / 4, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f.nse == 1 - 6.0 / 5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f.cvrmse_pct == 100 * std::sqrt(6.0 / 3) / 2.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f.nmbe_pct == 100 * -2.0 / (3 * 2.5), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f.geh_lt5_share == 1.0);
  BOOST_TEST(geh(100, 150) == std::sqrt(20.0), boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(by_date_mapping_keeps_the_wall_clock) {
  // 2021-03-01 09:00 in Rome (CET) replayed as 2026-07-13 (CEST in Monaco): 09:00 local there too.
  TimeMapping m;
  m.kind = TimeMapping::Kind::by_date;
  m.feed_zone = *TimeZone::find("Europe/Rome");
  m.scenario_zone = *TimeZone::find("Europe/Monaco");
  m.from_day = *parse_date("2021-03-01");
  m.to_day = *parse_date("2026-07-13");
  const auto t = m.apply(parse_iso8601("2021-03-01T09:00+01:00")->seconds);
  BOOST_TEST(*t == parse_iso8601("2026-07-13T09:00+02:00")->seconds);
}

// awk: 201 records, 168 distinct date_time strings (tests/data/feeds/README.md): 33 duplicates kept once.
BOOST_AUTO_TEST_CASE(mndot_repeated_hours_kept_once) {
  const auto reg = parse_sensor_registry_csv("id,quantity,unit,element,lon,lat,zone\natr301,traffic.flow,veh/h,e1,,,\n", "r.csv");
  FeedSpec spec;
  spec.files = {std::string(CITYTWIN_TEST_DATA) + "/feeds/Metro_Interstate_Traffic_Volume_2016-07-04_2016-07-10.csv"};
  spec.format = FeedFormat::csv_wide;
  spec.zone = *TimeZone::find("America/Chicago");
  spec.time_column = "date_time";
  spec.sensor_map = {{"traffic_volume", "atr301"}};
  const FeedSummary s = summarize_feed(spec, reg, 0);
  BOOST_TEST(s.read.records == 201u);
  BOOST_TEST(s.sensors[0].observations == 168u);
  BOOST_TEST(s.stream.duplicates == 33u);
  BOOST_TEST(s.read.ignored_columns == 7u);
  BOOST_TEST(s.sensors[0].first_s == parse_iso8601("2016-07-04T00:00-05:00")->seconds);  // CDT
}
