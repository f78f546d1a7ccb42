#include "engine/data/feed_summary.hpp"

#include <algorithm>
#include <cstdio>

#include "engine/data/csv_io.hpp"

namespace citytwin {

FeedSummary summarize_feed(const FeedSpec& spec, const SensorRegistry& registry, std::int64_t lateness_s) {
  FeedReader reader(spec, registry);
  FeedStream stream(reader, registry.sensors.size(), lateness_s);
  FeedSummary s;
  s.sensors.resize(registry.sensors.size());
  std::vector<std::map<std::int64_t, std::uint64_t>> intervals(registry.sensors.size());
  Observation o;
  while (stream.next(o)) {
    auto& x = s.sensors[o.sensor];
    if (x.observations == 0) {
      x.first_s = o.time_s;
      x.min = x.max = o.value;
    } else {
      ++intervals[o.sensor][o.time_s - x.last_s];
    }
    x.last_s = o.time_s;
    x.min = std::min(x.min, o.value);
    x.max = std::max(x.max, o.value);
    ++x.observations;
  }
  s.read = reader.counts();
  s.stream = stream.counts();
  for (size_t i = 0; i < s.sensors.size(); ++i) {
    auto& x = s.sensors[i];
    x.missing = s.read.missing_by_sensor[i];
    x.duplicates = s.stream.duplicates_by_sensor[i];
    x.late = s.stream.late_by_sensor[i];
    std::uint64_t best = 0;
    for (const auto& [dt, n] : intervals[i])
      if (n > best) best = n, x.interval_s = dt;
    for (const auto& [dt, n] : intervals[i])
      if (dt > x.interval_s) {
        x.gaps += n;
        x.gap_points += n * static_cast<std::uint64_t>((dt + x.interval_s - 1) / x.interval_s - 1);
      }
  }
  return s;
}

std::string format_feed_summary(const FeedSummary& s, const SensorRegistry& registry, const TimeZone& zone) {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-24s %-28s %-17s %-17s %8s %8s %5s %7s %7s %5s %4s %12s %12s\n", "sensor", "quantity",
                "first", "last", "n", "interval", "gaps", "lacking", "missing", "dupl", "late", "min", "max");
  out += buf;
  for (size_t i = 0; i < s.sensors.size(); ++i) {
    const auto& x = s.sensors[i];
    const auto& sensor = registry.sensors[i];
    if (x.observations == 0 && x.missing == 0) continue;
    const std::string first = x.observations ? format_clock(x.first_s, zone).substr(0, 16) : "-";
    const std::string last = x.observations ? format_clock(x.last_s, zone).substr(0, 16) : "-";
    const std::string interval = x.interval_s ? format_number(x.interval_s / 60.0) + "min" : "-";
    const std::string quantity = sensor.quantity->name + " [" + sensor.quantity->unit + "]";
    std::snprintf(buf, sizeof buf, "%-24s %-28s %-17s %-17s %8llu %8s %5llu %7llu %7llu %5llu %4llu %12.4g %12.4g\n",
                  sensor.id.c_str(), quantity.c_str(), first.c_str(), last.c_str(),
                  static_cast<unsigned long long>(x.observations), interval.c_str(),
                  static_cast<unsigned long long>(x.gaps), static_cast<unsigned long long>(x.gap_points),
                  static_cast<unsigned long long>(x.missing), static_cast<unsigned long long>(x.duplicates),
                  static_cast<unsigned long long>(x.late), x.min, x.max);
    out += buf;
  }
  std::snprintf(buf, sizeof buf,
                "%llu records, %llu observations, %llu missing values, %llu bad quality, %llu duplicates, %llu late, "
                "%llu columns not mapped; times in %s\n",
                static_cast<unsigned long long>(s.read.records), static_cast<unsigned long long>(s.read.observations),
                static_cast<unsigned long long>(s.read.missing), static_cast<unsigned long long>(s.read.bad_quality),
                static_cast<unsigned long long>(s.stream.duplicates), static_cast<unsigned long long>(s.stream.late),
                static_cast<unsigned long long>(s.read.ignored_columns), zone.name().c_str());
  out += buf;
  return out;
}

}  // namespace citytwin
