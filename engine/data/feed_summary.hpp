#pragma once
/// What a feed holds, per sensor: time range, count, usual interval, gaps, duplicates, late records, missing
/// values and value range (`citytwin feed check`).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/data/feed_stream.hpp"

namespace citytwin {

struct SensorSummary {
  std::uint64_t observations = 0;
  std::int64_t first_s = 0, last_s = 0;
  double min = 0, max = 0;
  std::int64_t interval_s = 0;   ///< the most common time between observations (0 with fewer than two)
  std::uint64_t gaps = 0;        ///< intervals longer than interval_s
  std::uint64_t gap_points = 0;  ///< observations those gaps lack (at interval_s)
  std::uint64_t missing = 0, duplicates = 0, late = 0;
};

struct FeedSummary {
  std::vector<SensorSummary> sensors;  ///< registry order
  FeedReadCounts read;
  FeedStreamCounts stream;
};

/// Reads the whole feed through a FeedStream. Throws InputError for a bad record.
FeedSummary summarize_feed(const FeedSpec& spec, const SensorRegistry& registry, std::int64_t lateness_s);

/// The summary as an aligned text table, one row per sensor with data, local times in zone.
std::string format_feed_summary(const FeedSummary& s, const SensorRegistry& registry, const TimeZone& zone);

}  // namespace citytwin
