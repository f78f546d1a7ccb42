#include "engine/sim/feed_config.hpp"

#include <glob.h>

#include <algorithm>
#include <filesystem>

#include "engine/sim/params.hpp"
#include "engine/sim/signals.hpp"

namespace citytwin {

const char* to_string(FeedRole r) { return r == FeedRole::compare ? "compare" : "drive"; }

const char* drive_signal(const std::string& quantity) {
  if (quantity == "weather.air_temperature") return signals::kFeedAirTemperatureC;
  if (quantity == "energy.building_electricity") return signals::kFeedBuildingElectricityW;
  if (quantity == "water.zone_inflow") return signals::kFeedZoneInflowLps;
  if (quantity == "traffic.flow") return signals::kFeedTrafficFlowVehH;
  return nullptr;
}

namespace {

/// Files named relative to the scenario; a name with * or ? is a pattern (matches in name order).
std::vector<std::string> feed_files(Params& p, const std::string& file) {
  std::vector<std::string> out;
  for (const auto& name : p.strings("files")) {
    const std::string path = resolve_path(file, name);
    if (path.find_first_of("*?[") == std::string::npos) {
      if (!std::filesystem::is_regular_file(path)) p.error("files", "no such file \"" + path + "\"");
      out.push_back(path);
      continue;
    }
    glob_t g{};
    const int rc = ::glob(path.c_str(), 0, nullptr, &g);
    if (rc != 0 || g.gl_pathc == 0) p.error("files", "no file matches \"" + path + "\"");
    for (size_t i = 0; rc == 0 && i < g.gl_pathc; ++i) out.push_back(g.gl_pathv[i]);
    globfree(&g);
  }
  if (out.empty() && !p.has("files")) p.error("files", "missing: the feed's file or files");
  return out;
}

/// sensor_map from `columns = { "DMA 1 (L/s)" = "dma1", ... }` (datastream IDs or sensor names alike).
void read_sensor_map(const toml::table& t, Params& p, FeedConfig& f) {
  p.accept("columns");
  const toml::node* n = t.get("columns");
  if (!n) return;
  const auto* table = n->as_table();
  if (!table) {
    p.error("columns", "expected a table of feed names to sensor IDs ({ \"DMA 1 (L/s)\" = \"dma1\" })");
    return;
  }
  for (auto&& [k, v] : *table) {
    auto id = v.value<std::string>();
    if (!id) {
      p.error("columns", "\"" + std::string(k.str()) + "\" must map to a sensor ID (a string)");
      continue;
    }
    f.spec.sensor_map[std::string(k.str())] = *id;
  }
}

void read_mapping(Params& p, FeedConfig& f, std::int64_t start_unix_s, const TimeZone& zone) {
  if (p.has("replay_from") && p.has("offset")) p.error("offset", "give either replay_from or offset, not both");
  if (p.has("replay_from")) {
    const std::string s = p.string("replay_from", "");
    auto day = parse_date(s);
    if (!day) {
      p.error("replay_from", "expected the feed's first local date to replay, like \"2021-03-01\", got \"" + s + "\"");
      return;
    }
    f.mapping.kind = TimeMapping::Kind::by_date;
    f.mapping.from_day = *day;
    f.mapping.to_day = local_time(static_cast<double>(start_unix_s), zone).local_day;
    f.mapping.feed_zone = f.spec.zone;
    f.mapping.scenario_zone = zone;
  } else if (p.has("offset")) {
    std::string s = p.string("offset", "");
    const double sign = !s.empty() && s[0] == '-' ? -1 : 1;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.erase(0, 1);
    auto d = parse_duration_s(s);
    if (!d) {
      p.error("offset", "expected a signed duration such as \"+1h\" or \"-1826d\"");
      return;
    }
    f.mapping.kind = TimeMapping::Kind::offset;
    f.mapping.offset_s = static_cast<std::int64_t>(sign * *d);
  }
}

void read_sensors(Params& p, FeedConfig& f, ErrorList& errors) {
  f.registry_path = p.path("sensors", "a sensor registry (CSV or GeoJSON)");
  if (f.registry_path.empty()) {
    if (!p.has("sensors")) p.error("sensors", "missing: the sensor registry");
    return;
  }
  if (!std::filesystem::is_regular_file(f.registry_path)) return;  // p.path reported it
  try {
    f.registry = std::make_shared<const SensorRegistry>(load_sensor_registry(f.registry_path));
  } catch (const InputError& e) {
    errors.add(e.what());
    return;
  }
  if (f.spec.sensor_map.empty()) {
    for (size_t i = 0; i < f.registry->sensors.size(); ++i) f.sensors.push_back(i);
    return;
  }
  for (const auto& [name, id] : f.spec.sensor_map) {
    auto s = f.registry->find(id);
    if (!s) p.error("columns", "\"" + name + "\" maps to \"" + id + "\", which is not in " + f.registry_path);
    else if (std::find(f.sensors.begin(), f.sensors.end(), *s) == f.sensors.end()) f.sensors.push_back(*s);
  }
  std::sort(f.sensors.begin(), f.sensors.end());
}

void check_role(Params& p, FeedConfig& f) {
  if (f.role != FeedRole::drive || !f.registry) return;
  for (size_t s : f.sensors) {
    const auto& sensor = f.registry->sensors[s];
    if (!drive_signal(sensor.quantity->name))
      p.error("role", "sensor \"" + sensor.id + "\" measures " + sensor.quantity->name +
                          ", which a feed cannot drive (drive: weather.air_temperature, energy.building_electricity, water.zone_inflow, traffic.flow)");
  }
}

FeedConfig read_feed(const toml::table& t, Params& p, const std::string& file, std::int64_t start, const TimeZone& zone,
                     ErrorList& errors) {
  FeedConfig f;
  const std::string format = p.string("format", "csv_long", {"csv_long", "csv_wide", "jsonl", "sensorthings"});
  f.spec.format = feed_format_from(format).value_or(FeedFormat::csv_long);
  f.spec.files = feed_files(p, file);
  const std::string tz = p.string("timezone", "UTC");
  if (auto z = TimeZone::find(tz)) f.spec.zone = *z;
  else p.error("timezone", "unknown time zone \"" + tz + "\" (an IANA name such as \"Europe/Rome\" or \"UTC\")");
  f.spec.time_format = p.string("time_format", "");
  f.spec.time_column = p.string("time_column", "time");
  f.spec.skip_lines = static_cast<int>(p.integer("skip_lines", 0, 0, 10000));
  f.spec.sensor_column = p.string("sensor_column", "sensor");
  f.spec.value_column = p.string("value_column", "value");
  f.spec.quality_column = p.string("quality_column", "quality");
  f.spec.good_quality = p.strings("good_quality");
  read_sensor_map(t, p, f);
  read_sensors(p, f, errors);
  f.role = p.string("role", "compare", {"compare", "drive"}) == "drive" ? FeedRole::drive : FeedRole::compare;
  check_role(p, f);
  read_mapping(p, f, start, zone);
  f.lateness_s = static_cast<std::int64_t>(p.duration_s("lateness", 0, 0, 366.0 * 86400));
  const std::string gaps = p.string("gaps", "hold", {"hold", "interpolate", "missing"});
  f.gaps = gaps == "interpolate" ? GapPolicy::interpolate : gaps == "missing" ? GapPolicy::missing : GapPolicy::hold;
  f.max_gap_s = p.duration_s("max_gap", 7200, 0, 366.0 * 86400);
  f.max_snap_m = p.number("max_snap_m", 100, 0, 1e6);
  return f;
}

}  // namespace

std::vector<FeedConfig> read_feeds(const toml::node* node, const std::string& file, std::int64_t start_unix_s,
                                   const TimeZone& zone, ErrorList& errors) {
  std::vector<FeedConfig> feeds;
  if (!node) return feeds;
  auto* arr = node->as_array();
  if (!arr) {
    errors.add({file, static_cast<int>(node->source().begin.line), "feeds"}, "expected an array of tables ([[feeds]])");
    return feeds;
  }
  int index = 0;
  for (const auto& item : *arr) {
    const std::string prefix = "feeds[" + std::to_string(index) + "]";
    const int line = static_cast<int>(item.source().begin.line);
    auto* t = item.as_table();
    if (!t) {
      errors.add({file, line, prefix}, "expected a table");
      continue;
    }
    Params p(t, file, prefix, errors);
    FeedConfig f = read_feed(*t, p, file, start_unix_s, zone, errors);
    f.name = p.string("name", "feed" + std::to_string(index));
    f.where = {file, line, prefix};
    for (const auto& other : feeds)
      if (other.name == f.name) p.error("name", "a second feed named \"" + f.name + "\"");
    p.finish();
    feeds.push_back(std::move(f));
    ++index;
  }
  return feeds;
}

}  // namespace citytwin
