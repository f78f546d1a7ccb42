#pragma once
/// A scenario's [[feeds]]: recorded sensor data replayed on the run's clock, either compared with what the
/// models compute (role "compare") or driving a model's boundary condition (role "drive").
/// See scenarios/README.md for the keys.
#include <memory>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/data/feed_reader.hpp"
#include "engine/data/feed_stream.hpp"
#include "engine/data/sensor_registry.hpp"

namespace citytwin {

enum class FeedRole { compare, drive };
/// What a sensor shows between observations: the last value up to max_gap old (hold), a straight line
/// between neighbours up to max_gap apart (interpolate), or only the exact times (missing). Never a zero.
enum class GapPolicy { hold, interpolate, missing };

struct FeedConfig {
  std::string name;
  FeedSpec spec;
  std::string registry_path;
  std::shared_ptr<const SensorRegistry> registry;
  std::vector<size_t> sensors;  ///< registry indices this feed carries (the mapped ones, else all)
  FeedRole role = FeedRole::compare;
  TimeMapping mapping;
  std::int64_t lateness_s = 0;
  GapPolicy gaps = GapPolicy::hold;
  double max_gap_s = 7200;
  double max_snap_m = 100;
  /// A compare feed that does not overlap the run's period is left out with a warning instead of being an
  /// error (set by `citytwin calibrate` for its training and test runs; not a scenario key).
  bool may_miss_period = false;
  SourceLocation where;
};

const char* to_string(FeedRole r);

/// The Exchange signal through which a driving feed sets a quantity (engine/sim/signals.hpp); null when a
/// feed cannot drive it.
const char* drive_signal(const std::string& quantity);

/// Reads [[feeds]] (node may be null); every problem into errors as "file:line: feeds[N].key: message".
/// start_unix_s and zone: the scenario's period (for by-date mapping).
std::vector<FeedConfig> read_feeds(const toml::node* node, const std::string& file, std::int64_t start_unix_s,
                                   const TimeZone& zone, ErrorList& errors);

}  // namespace citytwin
