#pragma once
/// Readers of recorded feeds: CSV long (`time,sensor,value[,quality]`), CSV wide (a time column and one
/// column per sensor), JSON Lines, and OGC SensorThings API Observation documents (pages of `value` arrays
/// linked by `@iot.nextLink`, one file per page). They stream: one record in memory at a time. Values come
/// out in the sensor's model unit, times as UTC Unix seconds.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/time.hpp"
#include "engine/data/sensor_registry.hpp"

namespace citytwin {

enum class FeedFormat { csv_long, csv_wide, jsonl, sensorthings };
std::optional<FeedFormat> feed_format_from(std::string_view name);
const char* to_string(FeedFormat f);

struct FeedSpec {
  std::vector<std::string> files;  ///< read in this order (SensorThings: the pages in order)
  FeedFormat format = FeedFormat::csv_long;
  /// Zone of times without a UTC offset (and of every time read with time_format).
  TimeZone zone;
  /// strftime-style format of the time column ("%d/%m/%Y %H:%M"); empty: ISO 8601.
  std::string time_format;
  std::string time_column = "time";
  /// CSV: lines before the header in each file (a counter's export preamble).
  int skip_lines = 0;
  std::string sensor_column = "sensor";  ///< CSV long and JSON Lines
  std::string value_column = "value";
  std::string quality_column = "quality";  ///< optional in the data
  /// A feed's own names (wide columns, datastream IDs, sensor names) to registry IDs. Empty: the names are
  /// registry IDs. For CSV wide, when given, only the mapped columns are read.
  std::map<std::string, std::string> sensor_map;
  /// Quality flags that count as good; empty: every record is good.
  std::vector<std::string> good_quality;
};

struct Observation {
  std::int64_t time_s = 0;   ///< UTC Unix seconds
  std::uint32_t sensor = 0;  ///< index in the registry
  double value = 0;          ///< in the sensor's model unit
  std::uint64_t record = 0;  ///< order of reading (0, 1, ...), to keep the first of duplicates
};

struct FeedReadCounts {
  std::uint64_t records = 0;       ///< lines or documents' entries read
  std::uint64_t observations = 0;  ///< values given out
  std::uint64_t missing = 0;       ///< empty, NaN or null values (no observation: a gap, never a zero)
  std::uint64_t bad_quality = 0;   ///< records with a quality flag not in good_quality (left out)
  std::uint64_t ignored_columns = 0;  ///< wide columns not in sensor_map
  std::vector<std::uint64_t> missing_by_sensor;  ///< per registry sensor
};

/// Observations of one feed in file order, with what reading them counted: the feed's files
/// (FeedReader) or their observation cache (engine/data/feed_cache.hpp), which give the same.
class ObservationSource {
 public:
  virtual ~ObservationSource() = default;
  /// The next observation in file order; false at the end. Throws InputError naming the file, the line (or
  /// record) and what is wrong.
  virtual bool next(Observation& out) = 0;
  /// What was read so far (after the last next()).
  virtual const FeedReadCounts& counts() const = 0;
  /// Where the record last read comes from ("file:line"), for messages.
  virtual std::string where() const = 0;
};

class FeedReader : public ObservationSource {
 public:
  /// Opens the first file and reads its header. Throws InputError (file, line, what).
  FeedReader(FeedSpec spec, const SensorRegistry& registry);
  ~FeedReader() override;
  FeedReader(const FeedReader&) = delete;
  FeedReader& operator=(const FeedReader&) = delete;

  /// The next observation in file order; false at the end of the last file. Throws InputError naming the
  /// file, the line (or record) and what is wrong: a malformed time, an unknown sensor, a non-numeric value.
  bool next(Observation& out) override;
  const FeedReadCounts& counts() const override;
  /// "file:line" of the record last read, for messages.
  std::string where() const override;
  /// Called with the sensor of each missing value as it is read (the cache records where they fall).
  void on_missing(std::function<void(std::uint32_t sensor)> listener);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace citytwin
