#pragma once
/// Simulation time: seconds (double) from the scenario start; calendar times as UTC Unix seconds.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace citytwin {

/// Parses a duration such as "15min", "1h", "30s", "0.5s", "2d" or a plain number of seconds.
std::optional<double> parse_duration_s(std::string_view text);

/// Parses "YYYY-MM-DDTHH:MM[:SS]" (or with a space) as UTC; returns Unix seconds.
std::optional<std::int64_t> parse_datetime(std::string_view text);

/// Formats Unix seconds as "YYYY-MM-DDTHH:MM:SS".
std::string format_datetime(std::int64_t unix_s);

/// Resolves a time given on the command line against a run's start: "HH:MM" (time of day on the first
/// day), "+2h" (offset), a full datetime, or a plain number of seconds from the start.
std::optional<double> resolve_time_s(std::string_view text, std::int64_t start_unix_s);

/// Calendar facts of an instant, for profiles by hour of day and day of week.
struct CalendarTime {
  int hour = 0;          ///< 0..23
  double hour_frac = 0;  ///< hour of day with fraction, 0..24
  int weekday = 0;       ///< 0 = Monday .. 6 = Sunday
};
CalendarTime calendar_time(std::int64_t unix_s);

}  // namespace citytwin
