#include "engine/data/feed_reader.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/data/csv_io.hpp"

namespace citytwin {

std::optional<FeedFormat> feed_format_from(std::string_view name) {
  if (name == "csv_long") return FeedFormat::csv_long;
  if (name == "csv_wide") return FeedFormat::csv_wide;
  if (name == "jsonl") return FeedFormat::jsonl;
  if (name == "sensorthings") return FeedFormat::sensorthings;
  return std::nullopt;
}

const char* to_string(FeedFormat f) {
  switch (f) {
    case FeedFormat::csv_long: return "csv_long";
    case FeedFormat::csv_wide: return "csv_wide";
    case FeedFormat::jsonl: return "jsonl";
    case FeedFormat::sensorthings: return "sensorthings";
  }
  return "?";
}

namespace {

constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();

/// Splits a CSV line into views; lines with quotes go through csv_split (kept in storage).
void split_line(std::string_view line, std::vector<std::string_view>& out, std::vector<std::string>& storage) {
  out.clear();
  if (line.find('"') != std::string_view::npos) {
    storage = csv_split(line);
    for (const auto& s : storage) out.push_back(trim(s));
    return;
  }
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    out.push_back(trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
}

bool is_missing_text(std::string_view s) {
  return s.empty() || s == "NaN" || s == "nan" || s == "NA" || s == "null" || s == "NULL";
}

}  // namespace

struct FeedReader::Impl {
  FeedSpec spec;
  const SensorRegistry& registry;
  FeedReadCounts counts;

  size_t file_index = 0;
  std::ifstream in;
  std::string line;
  int line_no = 0;
  std::string record_label;  ///< SensorThings: "value[N]"
  bool open = false;

  // CSV header.
  int time_col = -1, sensor_col = -1, value_col = -1, quality_col = -1;
  std::vector<int> wide_sensor;  ///< per column: registry index, -1 ignored, -2 the time column
  std::vector<std::string_view> fields;
  std::vector<std::string> field_storage;

  // SensorThings page.
  nlohmann::json page;
  size_t page_pos = 0;

  // Repeated local hours are told apart by order: per sensor (or per file for wide rows).
  std::vector<std::int64_t> last_utc;
  std::int64_t last_row_utc = kNoTime;

  std::vector<Observation> pending;
  size_t pending_pos = 0;
  std::function<void(std::uint32_t)> missing_listener;

  Impl(FeedSpec s, const SensorRegistry& r) : spec(std::move(s)), registry(r) {
    counts.missing_by_sensor.assign(registry.sensors.size(), 0);
    last_utc.assign(registry.sensors.size(), kNoTime);
  }

  const std::string& file() const { return spec.files[std::min(file_index, spec.files.size() - 1)]; }
  SourceLocation here() const { return {file(), record_label.empty() ? line_no : 0, record_label}; }
  [[noreturn]] void fail(const std::string& message) const { throw InputError(here(), message); }

  bool open_next_file() {
    if (open) {
      in.close();
      ++file_index;
      open = false;
    }
    if (file_index >= spec.files.size()) return false;
    in = std::ifstream(file(), std::ios::binary);
    if (!in) throw InputError({file(), 0, ""}, "cannot open the feed file");
    open = true;
    line_no = 0;
    record_label.clear();
    last_row_utc = kNoTime;
    if (spec.format == FeedFormat::csv_long || spec.format == FeedFormat::csv_wide) read_header();
    if (spec.format == FeedFormat::sensorthings) read_page();
    return true;
  }

  bool next_line() {
    while (std::getline(in, line)) {
      ++line_no;
      if (!trim(line).empty()) return true;
    }
    return false;
  }

  int column_of(const std::string& name, bool required) {
    for (size_t i = 0; i < fields.size(); ++i)
      if (fields[i] == name) return static_cast<int>(i);
    if (required) fail("the header has no column \"" + name + "\"");
    return -1;
  }

  std::optional<size_t> sensor_named(std::string_view name) const {
    if (!spec.sensor_map.empty()) {
      auto it = spec.sensor_map.find(std::string(name));
      if (it == spec.sensor_map.end()) return std::nullopt;
      name = it->second;
    }
    return registry.find(name);
  }

  size_t require_sensor(std::string_view name) const {
    auto s = sensor_named(name);
    if (!s) fail("unknown sensor \"" + std::string(name) + "\" (not in the registry " + registry.file + ")");
    return *s;
  }

  void read_header() {
    for (int i = 0; i < spec.skip_lines; ++i)
      if (!next_line()) fail("the file ends within the " + std::to_string(spec.skip_lines) + " lines skip_lines leaves out");
    if (!next_line()) fail("empty feed file: no header");
    split_line(line, fields, field_storage);
    if (!fields.empty() && fields[0].starts_with("\xEF\xBB\xBF")) fields[0].remove_prefix(3);
    time_col = column_of(spec.time_column, true);
    if (spec.format == FeedFormat::csv_long) {
      sensor_col = column_of(spec.sensor_column, true);
      value_col = column_of(spec.value_column, true);
      quality_col = column_of(spec.quality_column, false);
      return;
    }
    wide_sensor.assign(fields.size(), -1);
    wide_sensor[time_col] = -2;
    for (auto& [column, id] : spec.sensor_map)
      if (std::find(fields.begin(), fields.end(), column) == fields.end())
        fail("the header has no column \"" + column + "\" (named in the feed's columns)");
    for (size_t i = 0; i < fields.size(); ++i) {
      if (static_cast<int>(i) == time_col) continue;
      if (!spec.sensor_map.empty() && !spec.sensor_map.count(std::string(fields[i]))) {
        ++counts.ignored_columns;
        continue;
      }
      wide_sensor[i] = static_cast<int>(require_sensor(fields[i]));
    }
  }

  void read_page() {
    std::stringstream buf;
    buf << in.rdbuf();
    try {
      page = nlohmann::json::parse(buf.str());
    } catch (const nlohmann::json::exception& e) {
      fail(std::string("not valid JSON: ") + e.what());
    }
    if (!page.is_object() || !page.contains("value") || !page["value"].is_array())
      fail("a SensorThings Observations document ({\"value\": [...]}) expected");
    const bool has_next = page.contains("@iot.nextLink");
    const bool last_file = file_index + 1 == spec.files.size();
    if (has_next && last_file) fail("the last page has an @iot.nextLink: a page is missing from the feed's files");
    if (!has_next && !last_file) fail("this page has no @iot.nextLink but more files follow");
    page_pos = 0;
  }

  /// Local wall-clock seconds to UTC in the feed's zone; a repeated hour's second occurrence is the later one.
  std::int64_t place_local(std::int64_t local, std::int64_t& last, std::string_view text) const {
    const auto inst = spec.zone.to_utc(local);
    if (inst.count == 0) fail("time \"" + std::string(text) + "\" does not exist in " + spec.zone.name() + " (skipped when daylight saving time starts)");
    std::int64_t utc = inst.earlier;
    if (inst.count == 2 && last != kNoTime && inst.earlier <= last) utc = inst.later;
    return utc;
  }

  std::int64_t parse_time(std::string_view text, std::int64_t& last) const {
    text = trim(text);
    std::int64_t utc = 0;
    if (spec.time_format.empty()) {
      auto t = parse_iso8601(text);
      if (!t) fail("malformed time \"" + std::string(text) + "\" (ISO 8601 expected, or give the feed a time_format)");
      utc = t->has_offset ? t->seconds : place_local(t->seconds, last, text);
    } else {
      auto t = parse_local_datetime(text, spec.time_format);
      if (!t) fail("malformed time \"" + std::string(text) + "\" (format \"" + spec.time_format + "\")");
      utc = place_local(*t, last, text);
    }
    last = utc;
    return utc;
  }

  /// A value in the sensor's model unit, or nullopt when missing.
  std::optional<double> parse_value(std::string_view text, size_t sensor) const {
    text = trim(text);
    if (is_missing_text(text)) return std::nullopt;
    const auto v = parse_number(text);
    if (!v) fail("value \"" + std::string(text) + "\" of sensor \"" + registry.sensors[sensor].id + "\" is not a number");
    return registry.sensors[sensor].to_model.apply(*v);
  }

  bool good(std::string_view quality) const {
    if (spec.good_quality.empty()) return true;
    quality = trim(quality);
    return std::find(spec.good_quality.begin(), spec.good_quality.end(), quality) != spec.good_quality.end();
  }

  void emit(size_t sensor, std::int64_t time, std::optional<double> value) {
    if (!value) {
      ++counts.missing;
      ++counts.missing_by_sensor[sensor];
      if (missing_listener) missing_listener(static_cast<std::uint32_t>(sensor));
      return;
    }
    pending.push_back({time, static_cast<std::uint32_t>(sensor), *value, counts.observations++});
  }

  void csv_long_record() {
    split_line(line, fields, field_storage);
    const int need = std::max({time_col, sensor_col, value_col, quality_col});
    if (static_cast<int>(fields.size()) <= need)
      fail(std::to_string(fields.size()) + " fields, fewer than the header names");
    const size_t s = require_sensor(fields[sensor_col]);
    if (quality_col >= 0 && !good(fields[quality_col])) {
      ++counts.bad_quality;
      return;
    }
    const std::int64_t t = parse_time(fields[time_col], last_utc[s]);
    emit(s, t, parse_value(fields[value_col], s));
  }

  void csv_wide_record() {
    split_line(line, fields, field_storage);
    if (fields.size() != wide_sensor.size())
      fail(std::to_string(fields.size()) + " fields where the header has " + std::to_string(wide_sensor.size()));
    const std::int64_t t = parse_time(fields[time_col], last_row_utc);
    for (size_t i = 0; i < fields.size(); ++i)
      if (wide_sensor[i] >= 0) emit(static_cast<size_t>(wide_sensor[i]), t, parse_value(fields[i], static_cast<size_t>(wide_sensor[i])));
  }

  static std::string text_of(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    if (v.is_number()) return v.dump();
    return {};
  }

  /// One JSON observation: sensor (or datastream) key, time, value, optional quality.
  void json_record(const nlohmann::json& o, const std::string& sensor_key, const std::string& time_key,
                   const std::string& value_key, const std::string& quality_key) {
    if (!o.is_object()) fail("a JSON object expected");
    if (!o.contains(sensor_key)) fail("no \"" + sensor_key + "\"");
    const std::string name = text_of(o[sensor_key]);
    if (name.empty()) fail("\"" + sensor_key + "\" must be a string or an integer");
    const size_t s = require_sensor(name);
    if (o.contains(quality_key) && !good(text_of(o[quality_key]))) {
      ++counts.bad_quality;
      return;
    }
    if (!o.contains(time_key) || !o[time_key].is_string()) fail("no \"" + time_key + "\" string");
    std::string time = o[time_key].get<std::string>();
    // An interval "start/end" (SensorThings phenomenonTime of a count): the end, when the value is complete.
    if (const size_t slash = time.find('/'); slash != std::string::npos) time = time.substr(slash + 1);
    const std::int64_t t = parse_time(time, last_utc[s]);
    if (!o.contains(value_key)) fail("no \"" + value_key + "\"");
    const auto& v = o[value_key];
    std::optional<double> value;
    if (v.is_number()) {
      value = registry.sensors[s].to_model.apply(v.get<double>());
    } else if (v.is_string()) {
      value = parse_value(v.get<std::string>(), s);
    } else if (!v.is_null()) {
      fail("\"" + value_key + "\" of sensor \"" + registry.sensors[s].id + "\" is not a number");
    }
    emit(s, t, value);
  }

  void jsonl_record() {
    nlohmann::json o;
    try {
      o = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      fail(std::string("not valid JSON: ") + e.what());
    }
    try {
      json_record(o, spec.sensor_column, spec.time_column, spec.value_column, spec.quality_column);
    } catch (const nlohmann::json::exception& e) {
      fail(std::string("malformed observation: ") + e.what());
    }
  }

  /// Reads records until some produce observations; false at the end of the last file.
  bool fill() {
    pending.clear();
    pending_pos = 0;
    while (pending.empty()) {
      if (!open && !open_next_file()) return false;
      if (spec.format == FeedFormat::sensorthings) {
        const auto& values = page["value"];
        if (page_pos >= values.size()) {
          if (!open_next_file()) return false;
          continue;
        }
        record_label = "value[" + std::to_string(page_pos) + "]";
        ++counts.records;
        try {
          json_record(values[page_pos++], "Datastream@iot.id", "phenomenonTime", "result", "resultQuality");
        } catch (const nlohmann::json::exception& e) {
          fail(std::string("malformed observation: ") + e.what());
        }
        continue;
      }
      if (!next_line()) {
        if (!open_next_file()) return false;
        continue;
      }
      ++counts.records;
      switch (spec.format) {
        case FeedFormat::csv_long: csv_long_record(); break;
        case FeedFormat::csv_wide: csv_wide_record(); break;
        case FeedFormat::jsonl: jsonl_record(); break;
        case FeedFormat::sensorthings: break;
      }
    }
    return true;
  }
};

FeedReader::FeedReader(FeedSpec spec, const SensorRegistry& registry)
    : impl_(std::make_unique<Impl>(std::move(spec), registry)) {
  if (impl_->spec.files.empty()) throw InputError("a feed without files");
  impl_->open_next_file();
}

FeedReader::~FeedReader() = default;

bool FeedReader::next(Observation& out) {
  if (impl_->pending_pos >= impl_->pending.size() && !impl_->fill()) return false;
  out = impl_->pending[impl_->pending_pos++];
  return true;
}

const FeedReadCounts& FeedReader::counts() const { return impl_->counts; }

std::string FeedReader::where() const { return impl_->here().str(); }

void FeedReader::on_missing(std::function<void(std::uint32_t sensor)> listener) {
  impl_->missing_listener = std::move(listener);
}

}  // namespace citytwin
