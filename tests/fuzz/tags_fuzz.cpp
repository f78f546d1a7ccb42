// libFuzzer target: the parsers of OSM tag values (GDAL's other_tags HSTORE, heights, levels, speeds,
// lanes) and of times and durations must accept or reject any text without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/city/tags.hpp"
#include "engine/core/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  citytwin::Tags tags;
  citytwin::parse_hstore(text, tags);
  citytwin::parse_length_m(text);
  citytwin::parse_levels(text);
  citytwin::parse_speed_mps(text);
  citytwin::parse_lanes(text);
  citytwin::parse_duration_s(text);
  citytwin::parse_datetime(text);
  citytwin::resolve_time_s(text, 1783900800, citytwin::TimeZone{});
  if (auto dt = citytwin::parse_datetime(text)) citytwin::format_datetime(*dt);
  return 0;
}
