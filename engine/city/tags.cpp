#include "engine/city/tags.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace citytwin {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view first_of_list(std::string_view s) {
  auto semi = s.find(';');
  return trim(semi == std::string_view::npos ? s : s.substr(0, semi));
}

/// Reads a leading decimal number; `rest` gets what follows it.
std::optional<double> leading_number(std::string_view s, std::string_view& rest) {
  s = trim(s);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || !std::isfinite(v)) return std::nullopt;
  rest = trim(std::string_view(p, s.data() + s.size() - p));
  return v;
}

bool is_one_of(std::string_view v, std::initializer_list<std::string_view> list) {
  for (auto x : list)
    if (v == x) return true;
  return false;
}

std::string_view get(const Tags& tags, std::string_view key) {
  auto it = tags.find(key);
  return it == tags.end() ? std::string_view{} : std::string_view(it->second);
}

}  // namespace

void parse_hstore(std::string_view text, Tags& into) {
  size_t i = 0;
  auto read_quoted = [&](std::string& out) {
    while (i < text.size() && text[i] != '"') ++i;
    if (i >= text.size()) return false;
    ++i;
    out.clear();
    while (i < text.size() && text[i] != '"') {
      if (text[i] == '\\' && i + 1 < text.size()) ++i;
      out += text[i++];
    }
    if (i >= text.size()) return false;
    ++i;
    return true;
  };
  std::string key, value;
  while (i < text.size()) {
    if (!read_quoted(key)) return;
    auto arrow = text.find("=>", i);
    if (arrow == std::string_view::npos) return;
    i = arrow + 2;
    if (!read_quoted(value)) return;
    into.emplace(key, value);
  }
}

std::optional<double> parse_length_m(std::string_view text) {
  std::string_view rest;
  auto v = leading_number(first_of_list(text), rest);
  if (!v || *v < 0) return std::nullopt;
  if (rest.empty() || rest == "m" || rest == "meter" || rest == "metres" || rest == "meters") return *v;
  if (rest == "ft" || rest == "feet") return *v * 0.3048;
  if (rest.front() == '\'') {  // 12'6"
    double feet = *v, inches = 0;
    rest.remove_prefix(1);
    if (!rest.empty()) {
      std::string_view after;
      auto in = leading_number(rest, after);
      if (!in || (after != "\"" && !after.empty())) return std::nullopt;
      inches = *in;
    }
    return feet * 0.3048 + inches * 0.0254;
  }
  return std::nullopt;
}

std::optional<int> parse_levels(std::string_view text) {
  std::string_view rest;
  auto v = leading_number(first_of_list(text), rest);
  if (!v || !rest.empty() || *v < 0 || *v > 500) return std::nullopt;
  return std::max(1, static_cast<int>(std::lround(*v)));
}

std::optional<double> parse_speed_mps(std::string_view text) {
  text = first_of_list(text);
  // Implicit limits as tagged in OSM (country:zone); values from the national road codes.
  static constexpr std::array<std::pair<std::string_view, double>, 10> kZones{{
      {"urban", 50}, {"rural", 80}, {"motorway", 130}, {"trunk", 110}, {"living_street", 20},
      {"zone30", 30}, {"zone20", 20}, {"walk", 6}, {"school", 30}, {"bicycle_road", 30}}};
  if (auto colon = text.find(':'); colon != std::string_view::npos) {
    auto zone = text.substr(colon + 1);
    for (auto& [name, kmh] : kZones)
      if (zone == name) return kmh / 3.6;
    return std::nullopt;
  }
  if (text == "walk") return 6 / 3.6;
  std::string_view rest;
  auto v = leading_number(text, rest);
  if (!v || *v <= 0 || *v > 300) return std::nullopt;
  if (rest.empty() || rest == "km/h" || rest == "kmh" || rest == "kph") return *v / 3.6;
  if (rest == "mph") return *v * 0.44704;
  if (rest == "knots") return *v * 0.514444;
  return std::nullopt;
}

std::optional<int> parse_lanes(std::string_view text) {
  std::string_view rest;
  auto v = leading_number(first_of_list(text), rest);
  if (!v || !rest.empty() || *v < 1 || *v > 20) return std::nullopt;
  return static_cast<int>(std::lround(*v));
}

std::optional<RoadClass> drivable_road_class(std::string_view h) {
  if (h.ends_with("_link")) h.remove_suffix(5);
  if (h == "motorway") return RoadClass::motorway;
  if (h == "trunk") return RoadClass::trunk;
  if (h == "primary") return RoadClass::primary;
  if (h == "secondary") return RoadClass::secondary;
  if (h == "tertiary") return RoadClass::tertiary;
  if (h == "unclassified" || h == "road") return RoadClass::unclassified;
  if (h == "residential") return RoadClass::residential;
  if (h == "living_street") return RoadClass::living_street;
  if (h == "service") return RoadClass::service;
  return std::nullopt;
}

RoadDefaults road_defaults(RoadClass c) {
  switch (c) {
    case RoadClass::motorway: return {110, 2};
    case RoadClass::trunk: return {90, 2};
    case RoadClass::primary: return {50, 1};
    case RoadClass::secondary: return {50, 1};
    case RoadClass::tertiary: return {50, 1};
    case RoadClass::unclassified: return {50, 1};
    case RoadClass::residential: return {30, 1};
    case RoadClass::living_street: return {20, 1};
    case RoadClass::service: return {20, 1};
    case RoadClass::other: return {30, 1};
  }
  return {30, 1};
}

UseClass use_class_from_tags(const Tags& tags) {
  auto b = get(tags, "building");
  if (is_one_of(b, {"house", "residential", "apartments", "detached", "semidetached_house", "terrace",
                    "dormitory", "bungalow", "villa", "cabin", "farm", "static_caravan"}))
    return UseClass::residential;
  if (is_one_of(b, {"office"})) return UseClass::office;
  if (is_one_of(b, {"commercial", "retail", "supermarket", "kiosk", "hotel", "shop", "mall"}))
    return UseClass::commercial;
  if (is_one_of(b, {"industrial", "warehouse", "factory", "manufacture", "storage_tank", "hangar", "service"}))
    return UseClass::industrial;
  if (is_one_of(b, {"public", "civic", "government", "school", "university", "college", "kindergarten",
                    "hospital", "church", "chapel", "cathedral", "mosque", "synagogue", "temple", "religious",
                    "train_station", "transportation", "fire_station", "stadium", "sports_hall", "museum",
                    "grandstand", "sports_centre", "library"}))
    return UseClass::public_use;
  if (!get(tags, "office").empty()) return UseClass::office;
  if (!get(tags, "shop").empty()) return UseClass::commercial;
  auto t = get(tags, "tourism");
  if (is_one_of(t, {"hotel", "hostel", "guest_house", "motel", "apartment"})) return UseClass::commercial;
  if (is_one_of(t, {"museum", "gallery"})) return UseClass::public_use;
  auto a = get(tags, "amenity");
  if (is_one_of(a, {"school", "university", "college", "kindergarten", "hospital", "clinic", "place_of_worship",
                    "townhall", "police", "fire_station", "library", "theatre", "arts_centre", "community_centre",
                    "courthouse", "public_building", "prison", "social_facility", "post_office", "casino"}))
    return UseClass::public_use;
  if (is_one_of(a, {"restaurant", "cafe", "bar", "fast_food", "pub", "bank", "fuel", "marketplace", "cinema",
                    "nightclub", "pharmacy", "ice_cream"}))
    return UseClass::commercial;
  auto use = get(tags, "building:use");
  if (use == "residential" || use == "apartments") return UseClass::residential;
  if (use == "office") return UseClass::office;
  if (use == "commercial" || use == "retail") return UseClass::commercial;
  return UseClass::other;
}

double default_height_m(UseClass use, std::string_view building) {
  if (is_one_of(building, {"house", "detached", "semidetached_house", "bungalow", "villa", "cabin"})) return 6;
  if (is_one_of(building, {"garage", "garages", "shed", "hut", "roof", "kiosk", "carport", "toilets"})) return 3;
  switch (use) {
    case UseClass::residential: return 15;
    case UseClass::commercial: return 12;
    case UseClass::office: return 18;
    case UseClass::industrial: return 8;
    case UseClass::public_use: return 12;
    case UseClass::other: return 9;
  }
  return 9;
}

}  // namespace citytwin
