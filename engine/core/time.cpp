#include "engine/core/time.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <date/date.h>
#include <date/tz.h>

namespace citytwin {
namespace {

std::optional<double> to_number(std::string_view s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool to_int(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::optional<std::int64_t> parse_utc_datetime(std::string_view text);

}  // namespace

std::optional<double> parse_duration_s(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  auto number = to_number(text.substr(0, i));
  if (!number || *number < 0) return std::nullopt;
  std::string_view unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  double scale = 0;
  if (unit.empty() || unit == "s" || unit == "sec") scale = 1;
  else if (unit == "min" || unit == "m") scale = 60;
  else if (unit == "h") scale = 3600;
  else if (unit == "d") scale = 86400;
  else return std::nullopt;
  return *number * scale;
}

std::optional<std::int64_t> parse_datetime(std::string_view text) {
  // Without an offset: UTC.
  const auto t = parse_iso8601(text);
  if (!t) return std::nullopt;
  return t->seconds;
}

namespace {

std::optional<std::int64_t> parse_utc_datetime(std::string_view text) {
  if (text.size() != 16 && text.size() != 19) return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') || text[13] != ':')
    return std::nullopt;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!to_int(text.substr(0, 4), y) || !to_int(text.substr(5, 2), mo) || !to_int(text.substr(8, 2), d) ||
      !to_int(text.substr(11, 2), h) || !to_int(text.substr(14, 2), mi))
    return std::nullopt;
  if (text.size() == 19 && (text[16] != ':' || !to_int(text.substr(17, 2), s))) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  auto days = sys_days(ymd).time_since_epoch().count();
  return static_cast<std::int64_t>(days) * 86400 + h * 3600 + mi * 60 + s;
}

}  // namespace

std::optional<IsoDateTime> parse_iso8601(std::string_view text) {
  IsoDateTime r;
  int offset_s = 0;
  if (!text.empty() && text.back() == 'Z') {
    text.remove_suffix(1);
    r.has_offset = true;
  } else if (text.size() > 16) {
    // An offset starts at the last '+' or '-' after the time of day began (position 11).
    const size_t sign = text.find_last_of("+-");
    if (sign != std::string_view::npos && sign > 12) {
      std::string_view off = text.substr(sign + 1);
      int oh = 0, om = 0;
      const bool ok = (off.size() == 2 && to_int(off, oh)) ||
                      (off.size() == 4 && to_int(off.substr(0, 2), oh) && to_int(off.substr(2, 2), om)) ||
                      (off.size() == 5 && off[2] == ':' && to_int(off.substr(0, 2), oh) && to_int(off.substr(3, 2), om));
      if (!ok || oh > 14 || om > 59) return std::nullopt;
      offset_s = (oh * 3600 + om * 60) * (text[sign] == '-' ? -1 : 1);
      text = text.substr(0, sign);
      r.has_offset = true;
    }
  }
  // Fractions of a second are dropped (feeds are read to the second).
  if (text.size() > 20 && text[19] == '.') {
    for (char c : text.substr(20))
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    text = text.substr(0, 19);
  }
  auto t = parse_utc_datetime(text);
  if (!t) return std::nullopt;
  r.seconds = *t - offset_s;
  return r;
}

std::optional<std::int64_t> parse_local_datetime(std::string_view text, const std::string& format) {
  std::istringstream in{std::string(text)};
  date::local_seconds t;
  in >> date::parse(format, t);
  if (in.fail()) return std::nullopt;
  in >> std::ws;
  if (!in.eof()) return std::nullopt;
  return t.time_since_epoch().count();
}

std::string format_datetime(std::int64_t unix_s) {
  using namespace std::chrono;
  std::int64_t days = unix_s >= 0 ? unix_s / 86400 : (unix_s - 86399) / 86400;
  std::int64_t rest = unix_s - days * 86400;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return buf;
}

std::optional<std::int64_t> parse_date(std::string_view text) {
  std::string midnight(text);
  midnight += "T00:00";
  const auto t = parse_utc_datetime(midnight);
  if (!t) return std::nullopt;
  return *t / 86400;
}

std::optional<double> resolve_time_s(std::string_view text, std::int64_t start_unix_s, const TimeZone& zone) {
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') return parse_duration_s(text.substr(1));
  if (auto dt = parse_datetime(text)) return static_cast<double>(*dt - start_unix_s);
  if (text.size() == 5 && text[2] == ':') {
    int h = 0, m = 0;
    if (!to_int(text.substr(0, 2), h) || !to_int(text.substr(3, 2), m) || h > 24 || m > 59) return std::nullopt;
    const std::int64_t local_start = start_unix_s + zone.utc_offset_s(start_unix_s);
    const std::int64_t local = local_start - ((local_start % 86400) + 86400) % 86400 + h * 3600 + m * 60;
    // The offset in force at that local time (it differs from the start's across a daylight saving change).
    const std::int64_t utc = local - zone.utc_offset_s(local - zone.utc_offset_s(local_start));
    return static_cast<double>(utc - start_unix_s);
  }
  return to_number(text);
}

std::optional<TimeZone> TimeZone::find(const std::string& name) {
  TimeZone z;
  if (name == "UTC") return z;
  try {
    z.zone_ = date::locate_zone(name);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  z.name_ = name;
  return z;
}

TimeZone TimeZone::fixed(int offset_s) {
  TimeZone z;
  z.fixed_offset_s_ = offset_s;
  if (offset_s != 0) {
    const int m = std::abs(offset_s) / 60;
    char buf[16];
    std::snprintf(buf, sizeof buf, "UTC%c%02d:%02d", offset_s < 0 ? '-' : '+', m / 60 % 100, m % 60);
    z.name_ = buf;
  }
  return z;
}

int TimeZone::utc_offset_s(std::int64_t unix_s) const {
  if (!zone_) return fixed_offset_s_;
  const auto info = static_cast<const date::time_zone*>(zone_)->get_info(date::sys_seconds{std::chrono::seconds{unix_s}});
  return static_cast<int>(info.offset.count());
}

TimeZone::Instants TimeZone::to_utc(std::int64_t local_s) const {
  Instants r;
  if (!zone_) {
    r.earlier = r.later = local_s - fixed_offset_s_;
    return r;
  }
  const auto info = static_cast<const date::time_zone*>(zone_)->get_info(date::local_seconds{std::chrono::seconds{local_s}});
  if (info.result == date::local_info::nonexistent) {
    r.count = 0;
    return r;
  }
  r.earlier = local_s - info.first.offset.count();
  r.later = r.earlier;
  if (info.result == date::local_info::ambiguous) {
    r.count = 2;
    r.later = local_s - info.second.offset.count();
  }
  return r;
}

std::string TimeZone::abbreviation(std::int64_t unix_s) const {
  if (!zone_) return name_;
  return static_cast<const date::time_zone*>(zone_)->get_info(date::sys_seconds{std::chrono::seconds{unix_s}}).abbrev;
}

std::string format_clock(std::int64_t unix_s, const TimeZone& zone) {
  std::string s = format_datetime(unix_s + zone.utc_offset_s(unix_s)).substr(0, 16);
  s[10] = ' ';
  return s + " " + zone.abbreviation(unix_s);
}

std::string format_local_datetime(std::int64_t unix_s, const TimeZone& zone) {
  const int offset = zone.utc_offset_s(unix_s);
  const int minutes = std::abs(offset) / 60;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset < 0 ? '-' : '+', minutes / 60 % 100, minutes % 60);
  return format_datetime(unix_s + offset) + buf;
}

CalendarTime local_time(double unix_s, const TimeZone& zone, std::span<const std::int64_t> holidays) {
  const double whole = std::floor(unix_s);
  const double local = unix_s + zone.utc_offset_s(static_cast<std::int64_t>(whole));
  const double days = std::floor(local / 86400);
  const double rest = local - days * 86400;
  CalendarTime c;
  c.hour_frac = rest / 3600.0;
  c.hour = std::min(23, static_cast<int>(c.hour_frac));
  // 1970-01-01 was a Thursday (index 3 with Monday = 0).
  const auto d = static_cast<std::int64_t>(days);
  c.weekday = static_cast<int>(((d % 7) + 7 + 3) % 7);
  c.local_hours = local / 3600.0;
  c.local_day = d;
  using namespace std::chrono;
  const year_month_day ymd{sys_days{std::chrono::days{d}}};
  c.day_of_year = static_cast<int>(d - sys_days{ymd.year() / January / 1}.time_since_epoch().count());
  c.leap_year = ymd.year().is_leap();
  c.holiday = std::binary_search(holidays.begin(), holidays.end(), d);
  return c;
}

}  // namespace citytwin
