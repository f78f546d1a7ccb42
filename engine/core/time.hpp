#pragma once
/// Simulation time: seconds (double) from the scenario start; calendar times as UTC Unix seconds.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace citytwin {

/// The length of a day as a duration (rates per day, limits on durations). Never a time of day: those come
/// from local_time().
inline constexpr double kSecondsPerDay = 86400.0;

/// Parses a duration such as "15min", "1h", "30s", "0.5s", "2d" or a plain number of seconds.
std::optional<double> parse_duration_s(std::string_view text);

/// Parses a date "YYYY-MM-DD" as days since 1970-01-01.
std::optional<std::int64_t> parse_date(std::string_view text);

/// Parses an ISO 8601 date-time (parse_iso8601's forms) as UTC when it has no offset; returns Unix seconds.
std::optional<std::int64_t> parse_datetime(std::string_view text);

/// An ISO 8601 date-time as a feed writes it: "YYYY-MM-DD[T ]HH:MM[:SS[.fff]]" followed by "Z", "+HH:MM",
/// "+HHMM", "+HH" or nothing. seconds: Unix seconds when an offset is given, else local (wall-clock) seconds
/// since 1970-01-01 00:00 for the reader to place in its time zone.
struct IsoDateTime {
  std::int64_t seconds = 0;
  bool has_offset = false;
};
std::optional<IsoDateTime> parse_iso8601(std::string_view text);

/// A wall-clock time in a declared strftime-style format ("%d/%m/%Y %H:%M", read by the date library):
/// local seconds since 1970-01-01 00:00. The whole text must match (trailing spaces allowed).
std::optional<std::int64_t> parse_local_datetime(std::string_view text, const std::string& format);

/// Formats Unix seconds as "YYYY-MM-DDTHH:MM:SS".
std::string format_datetime(std::int64_t unix_s);

class TimeZone;
/// Resolves a time given on the command line against a run's start: "HH:MM" (local time of day in zone on
/// the first local day), "+2h" (offset), a full datetime, or a plain number of seconds from the start.
std::optional<double> resolve_time_s(std::string_view text, std::int64_t start_unix_s, const TimeZone& zone);

/// A time zone of the system's tz database (an IANA name such as "Europe/Monaco"), daylight saving time
/// included. The default is UTC.
class TimeZone {
 public:
  TimeZone() = default;
  /// The zone of that name; nullopt when the tz database has no such zone.
  static std::optional<TimeZone> find(const std::string& name);
  /// A fixed offset from UTC without daylight saving time (a weather file's local standard time).
  static TimeZone fixed(int offset_s);
  /// The zone of that name, or UTC (for names read back from results this build wrote).
  static TimeZone find_or_utc(const std::string& name) { return find(name).value_or(TimeZone{}); }
  const std::string& name() const { return name_; }
  /// Seconds to add to UTC for local (civil) time at an instant.
  int utc_offset_s(std::int64_t unix_s) const;
  /// The abbreviation in use at an instant ("CEST", "JST", "UTC").
  std::string abbreviation(std::int64_t unix_s) const;

  /// The UTC instants a wall-clock time (local seconds since 1970-01-01 00:00 local) stands for: none in the
  /// hour skipped when daylight saving time starts, two in the hour repeated when it ends.
  struct Instants {
    int count = 1;               ///< 0, 1 or 2
    std::int64_t earlier = 0;    ///< Unix seconds (the only one when count == 1)
    std::int64_t later = 0;      ///< the second instant of a repeated hour
  };
  Instants to_utc(std::int64_t local_s) const;

 private:
  const void* zone_ = nullptr;  ///< a date::time_zone of the tz database; null = the fixed offset
  int fixed_offset_s_ = 0;
  std::string name_ = "UTC";
};

/// Formats Unix seconds as a clock in a zone reads it, for people: "2026-07-13 08:30 CEST".
std::string format_clock(std::int64_t unix_s, const TimeZone& zone);

/// Formats Unix seconds as local time in a zone with its UTC offset, ISO 8601: "2026-07-13T00:00:00+02:00".
std::string format_local_datetime(std::int64_t unix_s, const TimeZone& zone);

/// Calendar facts of an instant in local time, for profiles by hour of day and day of week.
struct CalendarTime {
  int hour = 0;          ///< 0..23
  double hour_frac = 0;  ///< hour of day with fraction, 0..24
  int weekday = 0;       ///< 0 = Monday .. 6 = Sunday
  double local_hours = 0;  ///< local time as hours since 1970-01-01 00:00 local (for daily profiles across days)
  std::int64_t local_day = 0;  ///< local date as days since 1970-01-01
  int day_of_year = 0;         ///< 0 = 1 January
  bool leap_year = false;
  bool holiday = false;        ///< the local date is one of the scenario's holidays
  /// Weekend and holiday schedules apply.
  bool day_off() const { return weekday >= 5 || holiday; }
};
/// The one function through which every model takes its time of day: the local time of a UTC instant
/// (Unix seconds, with fraction) in a zone; holidays are local dates (days since 1970-01-01, sorted).
CalendarTime local_time(double unix_s, const TimeZone& zone, std::span<const std::int64_t> holidays = {});

}  // namespace citytwin
