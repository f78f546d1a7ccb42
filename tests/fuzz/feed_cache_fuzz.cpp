// libFuzzer target: the observation cache (engine/data/feed_cache.*, its file format feed_cache_file.cpp and
// block codec feed_cache_codec.cpp). The first byte picks what the rest is:
//   0: a cache file, opened and read to the end (it must be refused or read, never crash);
//   1: a CSV long feed, read plainly and through a cache written from it: the two must give the same
//      observations, counts and error (a difference aborts, so the fuzzer keeps the input);
//   2: one block of entries for the decoder.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "engine/core/error.hpp"
#include "engine/data/feed_cache.hpp"
#include "engine/data/feed_cache_codec.hpp"

using namespace citytwin;

namespace {

const SensorRegistry& registry() {
  static const SensorRegistry r = parse_sensor_registry_csv(
      "id,quantity,unit,element,lon,lat,zone\ns1,water.flow,gpm,P1,,,\ns2,weather.air_temperature,F,,,,\n", "fuzz.csv");
  return r;
}

/// Everything a source gives, as text: each observation with the counts after it, then the end or error.
std::string trace(ObservationSource& s) {
  std::string out;
  Observation o;
  auto counts = [&] {
    const auto& c = s.counts();
    out += " " + std::to_string(c.records) + " " + std::to_string(c.observations) + " " + std::to_string(c.missing) +
           " " + std::to_string(c.bad_quality) + "\n";
  };
  try {
    while (s.next(o)) {
      char bits[17];
      std::uint64_t raw;
      std::memcpy(&raw, &o.value, 8);
      std::snprintf(bits, sizeof bits, "%016llx", static_cast<unsigned long long>(raw));
      out += std::to_string(o.time_s) + " " + std::to_string(o.sensor) + " " + bits + " " + std::to_string(o.record);
      counts();
    }
  } catch (const InputError& e) {
    out += std::string("error ") + e.what();
  }
  counts();
  for (auto m : s.counts().missing_by_sensor) out += " " + std::to_string(m);
  return out;
}

void read_all(ObservationSource& s) {
  Observation o;
  while (s.next(o)) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const std::string base = "/tmp/citytwin_feed_cache_fuzz_" + std::to_string(getpid());
  const std::string feed = base + ".csv", cache = base + ".ctfeed";
  const auto* body = reinterpret_cast<const char*>(data) + 1;
  const auto length = static_cast<std::streamsize>(size - 1);
  FeedSpec spec;
  spec.files = {feed};
  spec.good_quality = {"good"};
  spec.zone = *TimeZone::find("Europe/Rome");
  switch (data[0] % 3) {
    case 0: {
      std::ofstream(cache, std::ios::binary | std::ios::trunc).write(body, length);
      try {
        if (auto s = open_feed_cache(cache, "fuzz", registry())) read_all(*s);
      } catch (const InputError&) {
      }
      break;
    }
    case 1: {
      std::ofstream(feed, std::ios::binary | std::ios::trunc).write(body, length);
      std::string plain;
      try {
        FeedReader files(spec, registry());
        plain = trace(files);
        write_feed_cache(cache, "fuzz", spec, registry());
      } catch (const InputError&) {
        break;  // a bad header: nothing is cached
      }
      auto cached = open_feed_cache(cache, "fuzz", registry());
      if (!cached || trace(*cached) != plain) std::abort();
      break;
    }
    default: {
      FeedCacheDecoder dec({data + 1, size - 1}, registry().sensors.size());
      FeedCacheEntry e;
      try {
        while (dec.next(e)) {
        }
      } catch (const FeedCacheCorrupt&) {
      }
    }
  }
  return 0;
}
