#pragma once
/// A feed put in order for the clock: its times mapped onto the scenario's period, records sorted within a
/// lateness window, each (sensor, time) kept once. What it drops is counted, never silently lost.
///
/// Policy (documented in engine/data/README.md):
///  - duplicates (the same sensor and time again, after mapping): the first record read is kept;
///  - out of order: a record up to `lateness` older than the newest time read is sorted into place; an older
///    one is counted as late and dropped;
///  - a mapped time that the scenario's zone skips (a daylight saving gap) is counted as unmappable.
#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <vector>

#include "engine/core/time.hpp"
#include "engine/data/feed_reader.hpp"

namespace citytwin {

/// How a feed's times land on the scenario's period.
struct TimeMapping {
  enum class Kind { none, offset, by_date } kind = Kind::none;
  std::int64_t offset_s = 0;  ///< offset: added to every time
  /// by_date: the feed's local day `from_day` (days since 1970-01-01 in feed_zone) becomes the scenario's
  /// local day `to_day` in scenario_zone; the wall-clock time of day is kept.
  std::int64_t from_day = 0, to_day = 0;
  TimeZone feed_zone, scenario_zone;

  /// The scenario time of a feed time; nullopt when the wall-clock time does not exist on the target day.
  std::optional<std::int64_t> apply(std::int64_t utc) const;
};

struct FeedStreamCounts {
  std::uint64_t duplicates = 0;
  std::uint64_t late = 0;
  std::uint64_t unmappable = 0;
  std::vector<std::uint64_t> duplicates_by_sensor, late_by_sensor;
};

class FeedStream {
 public:
  FeedStream(ObservationSource& reader, size_t sensors, std::int64_t lateness_s, TimeMapping mapping = {});
  /// The next observation in time order (ties: registry order, then reading order); false at the end.
  bool next(Observation& out);
  /// The time of the next observation without taking it; nullopt at the end.
  std::optional<std::int64_t> peek_time();
  const FeedStreamCounts& counts() const { return counts_; }

 private:
  struct Later {
    bool operator()(const Observation& a, const Observation& b) const {
      if (a.time_s != b.time_s) return a.time_s > b.time_s;
      if (a.sensor != b.sensor) return a.sensor > b.sensor;
      return a.record > b.record;
    }
  };
  void read_ahead();
  bool ready() const;
  // The observations waiting: those read in order (each after the one before) in run_, the others in
  // heap_; the next is the earlier of their fronts. A feed already in order never pays for the heap.
  void push(const Observation& o);
  const Observation& top() const;
  void pop();
  bool waiting() const { return !run_.empty() || !heap_.empty(); }

  ObservationSource& reader_;
  std::int64_t lateness_s_;
  TimeMapping mapping_;
  std::deque<Observation> run_;
  std::priority_queue<Observation, std::vector<Observation>, Later> heap_;
  std::int64_t newest_read_ = INT64_MIN;
  std::int64_t watermark_ = INT64_MIN;  ///< time of the last observation given out
  std::vector<std::int64_t> last_time_;  ///< per sensor, of the last one given out
  bool exhausted_ = false;
  FeedStreamCounts counts_;
};

}  // namespace citytwin
