// `citytwin feed check`: what a recorded feed holds, per sensor, before anything runs on it.
#include <cstdio>
#include <string>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/data/feed_summary.hpp"
#include "engine/sim/scenario.hpp"
#include "tools/citytwin/commands.hpp"

namespace citytwin::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> files;
  std::string sensors, format = "csv_long", timezone = "UTC", time_format, time_column = "time";
  std::string sensor_column = "sensor", value_column = "value";
  std::vector<std::string> columns;  ///< "feed name=sensor id"
  std::string lateness = "0";
  int skip_lines = 0;
};

FeedSpec spec_of(const CheckOptions& o) {
  FeedSpec spec;
  spec.files = o.files;
  auto format = feed_format_from(o.format);
  if (!format) throw InputError("--format: unknown format \"" + o.format + "\" (csv_long, csv_wide, jsonl, sensorthings)");
  spec.format = *format;
  auto zone = TimeZone::find(o.timezone);
  if (!zone) throw InputError("--timezone: unknown time zone \"" + o.timezone + "\"");
  spec.zone = *zone;
  spec.time_format = o.time_format;
  spec.time_column = o.time_column;
  spec.skip_lines = o.skip_lines;
  spec.sensor_column = o.sensor_column;
  spec.value_column = o.value_column;
  for (const auto& c : o.columns) {
    const size_t eq = c.rfind('=');
    if (eq == std::string::npos) throw InputError("--column: expected NAME=SENSOR, got \"" + c + "\"");
    spec.sensor_map[c.substr(0, eq)] = c.substr(eq + 1);
  }
  return spec;
}

std::int64_t lateness_of(const std::string& text) {
  auto s = parse_duration_s(text);
  if (!s) throw InputError("--lateness: expected a duration such as \"1h\", got \"" + text + "\"");
  return static_cast<std::int64_t>(*s);
}

void check_files(const CheckOptions& o) {
  const SensorRegistry registry = load_sensor_registry(o.sensors);
  const FeedSpec spec = spec_of(o);
  const FeedSummary s = summarize_feed(spec, registry, lateness_of(o.lateness));
  std::fputs(format_feed_summary(s, registry, spec.zone).c_str(), stdout);
}

/// Every [[feeds]] entry of a scenario, as the run reads it (before any time mapping).
void check_scenario(const std::string& path) {
  const Scenario sc = load_scenario(path);
  if (sc.feeds.empty()) throw InputError({path, 0, ""}, "the scenario has no [[feeds]]");
  for (const auto& f : sc.feeds) {
    std::printf("feed %s (%s, %s, %zu file%s, sensors %s)\n", f.name.c_str(), to_string(f.spec.format), to_string(f.role),
                f.spec.files.size(), f.spec.files.size() == 1 ? "" : "s", f.registry_path.c_str());
    const FeedSummary s = summarize_feed(f.spec, *f.registry, f.lateness_s);
    std::fputs(format_feed_summary(s, *f.registry, f.spec.zone).c_str(), stdout);
  }
}

}  // namespace

void add_feed(CLI::App& app) {
  auto* feed = app.add_subcommand("feed", "Recorded sensor feeds");
  feed->require_subcommand(1);
  auto o = std::make_shared<CheckOptions>();
  auto* check = feed->add_subcommand(
      "check", "Per sensor: time range, count, usual interval, gaps, duplicates, late records, missing values, value "
               "range (in the model unit). FEED: feed files with --sensors, or a scenario whose [[feeds]] to check");
  check->add_option("FEED", o->files, "feed files (read in this order), or one scenario .toml")->required();
  check->add_option("--sensors", o->sensors, "sensor registry (CSV id,quantity,unit,element,lon,lat,zone or GeoJSON)");
  check->add_option("--format", o->format, "csv_long, csv_wide, jsonl or sensorthings")->capture_default_str();
  check->add_option("--timezone", o->timezone, "zone of times without a UTC offset (IANA name)")->capture_default_str();
  check->add_option("--time-format", o->time_format, "strftime-style format of the times, e.g. \"%d/%m/%Y %H:%M\" (default ISO 8601)");
  check->add_option("--time-column", o->time_column, "name of the time column or key")->capture_default_str();
  check->add_option("--skip-lines", o->skip_lines, "CSV: lines before the header (a counter export's preamble)");
  check->add_option("--sensor-column", o->sensor_column, "csv_long/jsonl: the sensor column or key")->capture_default_str();
  check->add_option("--value-column", o->value_column, "csv_long/jsonl: the value column or key")->capture_default_str();
  check->add_option("--column", o->columns, "NAME=SENSOR: a feed's column (or datastream) to a registry sensor; repeatable");
  check->add_option("--lateness", o->lateness, "records up to this much out of order are sorted into place")->capture_default_str();
  check->callback([o] {
    if (o->files.size() == 1 && o->files[0].ends_with(".toml") && o->sensors.empty()) {
      check_scenario(o->files[0]);
      return;
    }
    if (o->sensors.empty()) throw InputError("feed check: --sensors is required with feed files");
    check_files(*o);
  });
}

}  // namespace citytwin::cli
