#pragma once
/// A scenario file (TOML): city, period, step, seed, models and their parameters, interventions, outputs.
/// See scenarios/README.md for the format.
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "engine/city/import.hpp"
#include "engine/core/error.hpp"
#include "engine/core/time.hpp"
#include "engine/sim/feed_config.hpp"
#include "engine/sim/params.hpp"

namespace citytwin {

/// A timed event applied by the model that owns the element: a road closure, a pipe burst, a heat wave.
struct Intervention {
  double at_s = 0;                                               ///< seconds from the start
  double until_s = std::numeric_limits<double>::infinity();       ///< end, for timed events
  std::string model;    ///< the model that applies it, e.g. "water"
  std::string action;   ///< e.g. "close_pipe", "scale"
  std::string target;   ///< element ID or selector; may be empty
  toml::table params;   ///< the remaining keys of the entry (model-specific, e.g. factor = 0.5)
  SourceLocation where; ///< file and line of the entry, for errors
};

struct ModelSection {
  toml::table params;
  SourceLocation where;
};

struct OutputOptions {
  bool geopackage = true;
  bool timeseries = true;
  /// Each sensor's measured and simulated series (measured/, validation.csv, charts). Off, a replay of many
  /// sensors keeps no per-step series; its feeds still drive and are counted in the KPIs.
  bool sensors = true;
  std::string render_layer;  ///< a PNG is rendered after the run when set (needs a display)
  std::string render_at;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  CitySource city;
  std::int64_t start_unix_s = 0;  ///< UTC
  TimeZone timezone;              ///< [period] timezone: every model's local time of day (default UTC)
  bool timezone_given = false;
  std::vector<std::int64_t> holidays;  ///< [period] holidays: local dates as days since 1970-01-01, sorted
  double duration_s = 0;
  double step_s = 0;
  std::uint64_t seed = 0;
  int threads = 0;  ///< 0 = all cores
  std::map<std::string, ModelSection> models;  ///< enabled models by name, with their parameter tables
  std::vector<Intervention> interventions;     ///< sorted by time, stable
  std::vector<FeedConfig> feeds;               ///< [[feeds]]: recorded sensor data replayed on the clock
  OutputOptions outputs;
};

/// Reads and checks a scenario file; relative paths in it are resolved against its folder. Throws
/// InputError listing every problem as "file:line: key: message". Model parameters are checked when the
/// models are created (ModelRegistry::create).
Scenario load_scenario(const std::string& path);
/// The same from text (file is used in messages and to resolve relative paths).
Scenario parse_scenario(const std::string& text, const std::string& file);
/// The same from a parsed tree (one with keys set by a sweep or `--set`: see scenario_keys.hpp).
Scenario parse_scenario(const toml::table& root, const std::string& file);
/// The TOML tree of a scenario's text (InputError "file:line: malformed TOML: ..." when it is not TOML).
toml::table parse_scenario_toml(const std::string& text, const std::string& file);

}  // namespace citytwin
