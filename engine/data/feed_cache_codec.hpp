#pragma once
/// The entries of an observation cache block (engine/data/feed_cache.hpp): observations and the counts that
/// reading the feed's files advanced before each, in reading order, packed into bytes. A block decodes on
/// its own (the previous sensor and time start afresh in each). Layout in engine/data/README.md.
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace citytwin {

/// Malformed cache bytes (a cache is then ignored and rebuilt, never trusted).
class FeedCacheCorrupt : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FeedCacheEntry {
  enum Kind : std::uint8_t {
    observation = 0,   ///< sensor, time_s, value; records_before: one record was read before it;
                       ///< counted: it adds one to the observations read (a wide row counts all its own
                       ///< with its first)
    missing = 1,       ///< a missing value of sensor was read
    records = 2,       ///< count more records were read
    bad_quality = 3,   ///< count more records of bad quality were read
    ignored_columns = 4,  ///< count more wide columns were ignored (a file's header)
    observations = 5,  ///< count more observations were read (the rest of a row, a record that failed)
  };
  Kind kind = observation;
  bool records_before = false;
  bool counted = false;
  std::uint32_t sensor = 0;
  std::int64_t time_s = 0;
  double value = 0;
  std::uint64_t count = 0;
};

/// Appends entries to a block's bytes.
class FeedCacheEncoder {
 public:
  void add(const FeedCacheEntry& e);
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  /// Starts a new block.
  void clear();

 private:
  std::vector<std::uint8_t> bytes_;
  std::int64_t last_sensor_ = -1;
  std::int64_t last_time_ = 0;
};

/// Reads a block's entries back; every byte is checked (FeedCacheCorrupt), so any input is safe.
class FeedCacheDecoder {
 public:
  /// sensors: the registry's size (a sensor index at or above it is corrupt).
  FeedCacheDecoder(std::span<const std::uint8_t> block, size_t sensors);
  /// The next entry; false at the end of the block.
  bool next(FeedCacheEntry& e);

 private:
  std::uint64_t varint();
  std::span<const std::uint8_t> bytes_;
  size_t pos_ = 0;
  size_t sensors_;
  std::int64_t last_sensor_ = -1;
  std::int64_t last_time_ = 0;
};

}  // namespace citytwin
