// The observation cache against the feed readers it stands for: the same observations and the same counts
// after every one, the same error at the same place; a stale, corrupt or truncated cache is never used.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <unistd.h>

#include "engine/core/error.hpp"
#include "engine/data/feed_cache.hpp"
#include "engine/data/feed_cache_codec.hpp"

using namespace citytwin;
namespace fs = std::filesystem;

namespace {

/// A folder of its own per test, removed at the end.
struct Folder {
  fs::path path;
  explicit Folder(const std::string& name)
      : path(fs::temp_directory_path() / ("citytwin_feed_cache_" + name + "_" + std::to_string(getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Folder() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
};

const SensorRegistry& registry() {
  static const SensorRegistry r = parse_sensor_registry_csv(
      "id,quantity,unit,element,lon,lat,zone\ns1,water.flow,gpm,P1,,,\ns2,water.flow,L/s,P2,,,\n"
      "s3,weather.air_temperature,F,,,,\n",
      "reg.csv");
  return r;
}

/// What a source gives: every observation with the counts right after it, then the end or the error.
struct Replay {
  struct Step {
    Observation o;
    std::uint64_t records, observations, missing, bad_quality, ignored_columns;
  };
  std::vector<Step> steps;
  FeedReadCounts end;
  std::string error;
};

Replay replay(ObservationSource& source) {
  Replay r;
  Observation o;
  try {
    while (source.next(o)) {
      const auto& c = source.counts();
      r.steps.push_back({o, c.records, c.observations, c.missing, c.bad_quality, c.ignored_columns});
    }
  } catch (const InputError& e) {
    r.error = e.what();
  }
  r.end = source.counts();
  return r;
}

void check_same(const Replay& a, const Replay& b) {
  BOOST_REQUIRE_EQUAL(a.steps.size(), b.steps.size());
  for (size_t i = 0; i < a.steps.size(); ++i) {
    const auto &x = a.steps[i], &y = b.steps[i];
    BOOST_TEST_CONTEXT("observation " << i) {
      BOOST_TEST(x.o.time_s == y.o.time_s);
      BOOST_TEST(x.o.sensor == y.o.sensor);
      BOOST_TEST(std::memcmp(&x.o.value, &y.o.value, sizeof(double)) == 0);  // bit for bit
      BOOST_TEST(x.o.record == y.o.record);
      BOOST_TEST(x.records == y.records);
      BOOST_TEST(x.observations == y.observations);
      BOOST_TEST(x.missing == y.missing);
      BOOST_TEST(x.bad_quality == y.bad_quality);
      BOOST_TEST(x.ignored_columns == y.ignored_columns);
    }
  }
  BOOST_TEST(a.end.records == b.end.records);
  BOOST_TEST(a.end.observations == b.end.observations);
  BOOST_TEST(a.end.missing == b.end.missing);
  BOOST_TEST(a.end.bad_quality == b.end.bad_quality);
  BOOST_TEST(a.end.ignored_columns == b.end.ignored_columns);
  BOOST_TEST(a.end.missing_by_sensor == b.end.missing_by_sensor);
  BOOST_TEST(a.error == b.error);
}

/// The files read plainly, and through a cache written then read back.
void check_cache_matches(const FeedSpec& spec, const fs::path& dir) {
  FeedReader files(spec, registry());
  const Replay want = replay(files);
  const std::string key = feed_cache_key(spec, registry());
  const std::string path = (dir / "c.ctfeed").string();
  write_feed_cache(path, key, spec, registry());
  std::string why;
  auto cached = open_feed_cache(path, key, registry(), &why);
  BOOST_REQUIRE_MESSAGE(cached, why);
  check_same(want, replay(*cached));
}

const char* kLong =
    "time,sensor,value,quality\n"
    "2021-03-01T00:00:00Z,s1,10,good\n"
    "2021-03-01T00:00:00Z,s2,,good\n"          // missing
    "2021-03-01T00:00:00Z,s3,68,suspect\n"     // bad quality
    "2021-03-01T00:15:00Z,s2,NaN,good\n"       // missing
    "2021-03-01T00:15:00Z,s2,NA,good\n"        // missing, two records before the next observation
    "2021-03-01T00:15:00Z,s3,77,good\n"
    "2021-03-01T00:00:00Z,s1,11,good\n"        // out of order (the stream's business: kept here)
    "2021-03-01T00:15:00Z,s1,1e-300,good\n"
    "2021-03-01T00:30:00Z,s2,-0.125,good\n"
    "2021-03-01T00:30:00Z,s1,,good\n";         // ends with a missing value

}  // namespace

BOOST_AUTO_TEST_CASE(cache_gives_what_the_files_give) {
  Folder d("same");
  FeedSpec spec;
  spec.files = {d.write("long.csv", kLong)};
  spec.good_quality = {"good"};
  check_cache_matches(spec, d.path);
  // Counted by hand: 5 observations, 4 missing values, 1 of bad quality, in 10 records.
  FeedReader files(spec, registry());
  const Replay r = replay(files);
  BOOST_TEST(r.steps.size() == 5u);
  BOOST_TEST(r.end.records == 10u);
  BOOST_TEST(r.end.missing == 4u);
  BOOST_TEST(r.end.bad_quality == 1u);

  // Wide, in a zone with offsets, two files, with an ignored column.
  FeedSpec wide;
  wide.format = FeedFormat::csv_wide;
  wide.zone = *TimeZone::find("Europe/Rome");
  wide.sensor_map = {{"a", "s1"}, {"b", "s2"}};
  wide.files = {d.write("w1.csv", "time,a,b,c\n2021-10-31T02:30,1,,9\n2021-10-31T02:30,2,3,9\n"),
                d.write("w2.csv", "time,b,a,c\n2021-10-31T03:00,,,\n2021-10-31T03:15,4,5,6\n")};
  check_cache_matches(wide, d.path);

  FeedSpec jsonl;
  jsonl.format = FeedFormat::jsonl;
  jsonl.files = {d.write("j.jsonl", "{\"sensor\":\"s3\",\"time\":\"2021-03-01T00:00:00+01:00\",\"value\":50}\n"
                                    "{\"sensor\":\"s1\",\"time\":\"2021-03-01T00:00:00+01:00\",\"value\":null}\n")};
  check_cache_matches(jsonl, d.path);
}

BOOST_AUTO_TEST_CASE(cache_keeps_a_bad_record_where_it_lies) {
  Folder d("error");
  FeedSpec spec;
  spec.files = {d.write("bad.csv", "time,sensor,value\n2021-03-01T00:00:00Z,s1,1\n2021-03-01T00:00:00Z,s2,\n"
                                   "2021-03-01T00:15:00Z,s9,2\n2021-03-01T00:30:00Z,s1,3\n")};
  check_cache_matches(spec, d.path);
  FeedReader files(spec, registry());
  const Replay r = replay(files);
  BOOST_TEST(r.steps.size() == 1u);
  BOOST_TEST(r.error.find("bad.csv:4") != std::string::npos);
  BOOST_TEST(r.error.find("unknown sensor \"s9\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_changed_feed_is_read_again_and_recached) {
  Folder d("stale");
  FeedSpec spec;
  spec.files = {d.write("f.csv", "time,sensor,value\n2021-03-01T00:00:00Z,s1,1\n")};
  FeedCacheOptions options;
  options.dir = (d.path / "cache").string();
  Log log;
  BOOST_TEST(replay(*open_feed(spec, registry(), options, log)).steps.size() == 1u);
  BOOST_TEST(log.text().find("observation cache written") != std::string::npos);
  const std::string old_key = feed_cache_key(spec, registry());
  const std::string old_path = feed_cache_path(spec, old_key, options);
  BOOST_TEST(fs::exists(old_path));

  d.write("f.csv", "time,sensor,value\n2021-03-01T00:00:00Z,s1,1\n2021-03-01T00:15:00Z,s1,2\n");
  const std::string new_key = feed_cache_key(spec, registry());
  BOOST_TEST(new_key != old_key);
  // The old cache put where the new one belongs is refused for its key.
  const std::string new_path = feed_cache_path(spec, new_key, options);
  fs::copy_file(old_path, new_path);
  std::string why;
  BOOST_TEST(!open_feed_cache(new_path, new_key, registry(), &why));
  BOOST_TEST(why == "made from other files or settings");
  Log again;
  BOOST_TEST(replay(*open_feed(spec, registry(), options, again)).steps.size() == 2u);
  BOOST_TEST(again.text().find("ignored (made from other files or settings): rebuilt") != std::string::npos);
  Log third;
  BOOST_TEST(replay(*open_feed(spec, registry(), options, third)).steps.size() == 2u);
  BOOST_TEST(third.text().find("observations from the cache") != std::string::npos);

  // Another registry (a unit changed) is another key too.
  const SensorRegistry other = parse_sensor_registry_csv(
      "id,quantity,unit,element,lon,lat,zone\ns1,water.flow,L/s,P1,,,\ns2,water.flow,L/s,P2,,,\n"
      "s3,weather.air_temperature,F,,,,\n",
      "reg.csv");
  BOOST_TEST(feed_cache_key(spec, other) != new_key);
}

BOOST_AUTO_TEST_CASE(a_corrupt_or_truncated_cache_is_ignored_and_rebuilt) {
  Folder d("corrupt");
  std::string text = "time,sensor,value\n";
  for (int k = 0; k < 2000; ++k) text += "2021-03-01T00:00:00Z,s" + std::to_string(1 + k % 3) + "," + std::to_string(k) + "\n";
  FeedSpec spec;
  spec.files = {d.write("f.csv", text)};
  FeedReader files(spec, registry());
  const Replay want = replay(files);
  FeedCacheOptions options;
  Log log;
  check_same(want, replay(*open_feed(spec, registry(), options, log)));
  const std::string key = feed_cache_key(spec, registry());
  const std::string path = feed_cache_path(spec, key, options);
  BOOST_TEST(fs::path(path).parent_path() == d.path / ".citytwin-cache");
  const auto size = fs::file_size(path);

  auto damage = [&](const std::function<void(std::string&)>& how) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    how(bytes);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  };
  const std::pair<const char*, std::function<void(std::string&)>> cases[] = {
      {"checksum", [&](std::string& b) { b[size / 2] ^= 0x10; }},
      {"truncated", [&](std::string& b) { b.resize(size - 20); }},
      {"truncated", [&](std::string& b) { b.resize(12); }},
      {"bytes after the end", [&](std::string& b) { b += "x"; }},
      {"not an observation cache", [&](std::string& b) { b[0] = 'X'; }},
      {"format version", [&](std::string& b) { b[8] = 9; }},
  };
  for (const auto& [expected, how] : cases) {
    BOOST_TEST_CONTEXT(expected) {
      damage(how);
      std::string why;
      BOOST_TEST(!open_feed_cache(path, key, registry(), &why));
      BOOST_TEST(why.find(expected) != std::string::npos, why);
      Log rebuilt;
      check_same(want, replay(*open_feed(spec, registry(), options, rebuilt)));
      BOOST_TEST(rebuilt.text().find("ignored") != std::string::npos);
      BOOST_TEST(fs::file_size(path) == size);
      BOOST_TEST(open_feed_cache(path, key, registry()) != nullptr);
    }
  }
}

BOOST_AUTO_TEST_CASE(cache_can_be_turned_off) {
  Folder d("off");
  FeedSpec spec;
  spec.files = {d.write("f.csv", "time,sensor,value\n2021-03-01T00:00:00Z,s1,1\n")};
  FeedCacheOptions options;
  options.enabled = false;
  Log log;
  BOOST_TEST(replay(*open_feed(spec, registry(), options, log)).steps.size() == 1u);
  BOOST_TEST(!fs::exists(d.path / ".citytwin-cache"));
  setenv("CITYTWIN_FEED_CACHE", "off", 1);
  BOOST_TEST(!FeedCacheOptions::from_environment().enabled);
  setenv("CITYTWIN_FEED_CACHE", "/var/cache/x", 1);
  BOOST_TEST(FeedCacheOptions::from_environment().dir == "/var/cache/x");
  unsetenv("CITYTWIN_FEED_CACHE");
  BOOST_TEST(FeedCacheOptions::from_environment().enabled);
}

BOOST_AUTO_TEST_CASE(codec_round_trip_and_refusals) {
  FeedCacheEncoder enc;
  std::vector<FeedCacheEntry> in = {
      {FeedCacheEntry::observation, true, true, 0, -5, 1.5, 0},
      {FeedCacheEntry::observation, false, false, 1, -5, -0.0, 0},
      {FeedCacheEntry::missing, false, false, 1, 0, 0, 0},
      {FeedCacheEntry::records, false, false, 0, 0, 0, 3},
      {FeedCacheEntry::observation, true, false, 0, INT64_MAX, 1e308, 0},
      {FeedCacheEntry::observation, false, true, 2, INT64_MIN, 2, 0},
      {FeedCacheEntry::observations, false, false, 0, 0, 0, ~0ull},
  };
  for (const auto& e : in) enc.add(e);
  FeedCacheDecoder dec(enc.bytes(), 3);
  FeedCacheEntry e;
  for (const auto& want : in) {
    BOOST_REQUIRE(dec.next(e));
    BOOST_TEST(e.kind == want.kind);
    if (want.kind == FeedCacheEntry::observation || want.kind == FeedCacheEntry::missing) BOOST_TEST(e.sensor == want.sensor);
    if (want.kind == FeedCacheEntry::observation) {
      BOOST_TEST(e.time_s == want.time_s);
      BOOST_TEST(e.records_before == want.records_before);
      BOOST_TEST(e.counted == want.counted);
      BOOST_TEST(std::memcmp(&e.value, &want.value, 8) == 0);
    } else if (want.kind != FeedCacheEntry::missing) {
      BOOST_TEST(e.count == want.count);
    }
  }
  BOOST_TEST(!dec.next(e));
  // A sensor outside the registry, an unknown kind, a cut value: refused, never read past the end.
  FeedCacheDecoder small(enc.bytes(), 2);
  auto drain = [&e](FeedCacheDecoder& d) {
    while (d.next(e)) {
    }
  };
  BOOST_CHECK_THROW(drain(small), FeedCacheCorrupt);
  const std::vector<std::uint8_t> kind{7}, cut{0x08, 0x02, 1, 2, 3};
  FeedCacheDecoder bad_kind(kind, 3), bad_cut(cut, 3);
  BOOST_CHECK_THROW(drain(bad_kind), FeedCacheCorrupt);
  BOOST_CHECK_THROW(drain(bad_cut), FeedCacheCorrupt);
}
