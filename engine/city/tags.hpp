#pragma once
/// Reading OpenStreetMap-style tags: numbers with units, road classes, use classes, and the documented
/// defaults used when a tag is missing (see engine/city/README.md).
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/city/city.hpp"

namespace citytwin {

using Tags = std::map<std::string, std::string, std::less<>>;

/// Parses GDAL's OSM `other_tags` HSTORE string ("k"=>"v","k2"=>"v2") into tags (added to `into`).
/// Malformed text stops parsing at the bad pair; what was read before stays.
void parse_hstore(std::string_view text, Tags& into);

/// "12", "12 m", "12.5m", "40 ft", "40'", "12'6\"" → metres.
std::optional<double> parse_length_m(std::string_view text);
/// "7", "7.5", "3;4" (first) → levels, rounded to the nearest whole level, at least 1.
std::optional<int> parse_levels(std::string_view text);
/// "50", "30 mph", "FR:urban", "walk" → metres per second.
std::optional<double> parse_speed_mps(std::string_view text);
/// "2", "2;3" (first) → lanes (at least 1).
std::optional<int> parse_lanes(std::string_view text);

/// The road class for a `highway` value that cars use, or nothing (footway, steps, path, ...).
std::optional<RoadClass> drivable_road_class(std::string_view highway);

/// Defaults when tags are missing.
struct RoadDefaults {
  double speed_kmh;
  int lanes_per_direction;
};
RoadDefaults road_defaults(RoadClass c);

UseClass use_class_from_tags(const Tags& tags);
/// Default height when neither `height` nor `building:levels` is tagged.
double default_height_m(UseClass use, std::string_view building_value);

constexpr double kStoreyHeightM = 3.0;

}  // namespace citytwin
