// libFuzzer target: the feed readers (CSV long, CSV wide, JSON Lines, SensorThings; the first byte picks the
// format and whether times use a declared format) through the ordering policy (engine/data/feed_stream.cpp)
// and the per-sensor summary
// (engine/data/feed_summary.cpp, what `citytwin feed check` prints). Any input must give a summary or an
// InputError.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "engine/core/error.hpp"
#include "engine/data/feed_summary.hpp"

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const SensorRegistry registry = parse_sensor_registry_csv(
      "id,quantity,unit,element,lon,lat,zone\ns1,water.flow,gpm,P1,,,\ns2,weather.air_temperature,F,,,,\n", "fuzz.csv");
  static const std::string path = "/tmp/citytwin_feed_fuzz_" + std::to_string(getpid());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data) + 1, static_cast<std::streamsize>(size - 1));
  FeedSpec spec;
  spec.files = {path};
  spec.format = static_cast<FeedFormat>(data[0] % 4);
  spec.zone = *TimeZone::find("Europe/Rome");
  if (data[0] & 4) spec.time_format = "%d/%m/%Y %H:%M";
  if (spec.format == FeedFormat::csv_wide || (data[0] & 8)) spec.sensor_map = {{"a", "s1"}, {"b", "s2"}, {"7", "s1"}};
  if (data[0] & 16) spec.good_quality = {"good"};
  try {
    const FeedSummary s = summarize_feed(spec, registry, (data[0] & 32) ? 3600 : 0);
    format_feed_summary(s, registry, spec.zone);
  } catch (const InputError&) {
  }
  return 0;
}
