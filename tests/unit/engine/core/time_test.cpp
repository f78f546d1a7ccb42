#include <boost/test/unit_test.hpp>

#include "engine/core/time.hpp"

using namespace citytwin;

BOOST_AUTO_TEST_SUITE(time_parsing)

BOOST_AUTO_TEST_CASE(durations) {
  BOOST_TEST(*parse_duration_s("15min") == 900.0);
  BOOST_TEST(*parse_duration_s("1h") == 3600.0);
  BOOST_TEST(*parse_duration_s("0.5s") == 0.5);
  BOOST_TEST(*parse_duration_s("2d") == 172800.0);
  BOOST_TEST(*parse_duration_s("30") == 30.0);
  BOOST_TEST(!parse_duration_s("ten minutes"));
  BOOST_TEST(!parse_duration_s("-5s"));
  BOOST_TEST(!parse_duration_s(""));
}

BOOST_AUTO_TEST_CASE(datetimes_against_known_unix_times) {
  // Unix times from `date -u -d 2026-07-13T00:00:00 +%s` (GNU coreutils).
  BOOST_TEST(*parse_datetime("2026-07-13T00:00:00") == 1783900800);
  BOOST_TEST(*parse_datetime("1970-01-01T00:00") == 0);
  BOOST_TEST(*parse_datetime("2000-02-29 12:30:15") == 951827415);
  BOOST_TEST(!parse_datetime("2026-02-30T00:00"));
  BOOST_TEST(!parse_datetime("2026-07-13"));
  BOOST_TEST(format_datetime(951827415) == "2000-02-29T12:30:15");
  // ISO 8601 offsets: local time minus the offset is UTC.
  BOOST_TEST(*parse_datetime("2026-07-13T00:00+02:00") == *parse_datetime("2026-07-12T22:00"));
  BOOST_TEST(*parse_datetime("2026-07-13T00:00-05:30") == *parse_datetime("2026-07-13T05:30"));
  BOOST_TEST(*parse_datetime("2026-07-13T00:00Z") == *parse_datetime("2026-07-13T00:00"));
  BOOST_TEST(!parse_datetime("2026-07-13T00:00+2:00"));
  BOOST_TEST(!parse_datetime("2026-07-13T00:00+15:00"));
}

BOOST_AUTO_TEST_CASE(calendar) {
  // 2026-07-13 is a Monday.
  auto c = local_time(static_cast<double>(*parse_datetime("2026-07-13T08:30")), TimeZone{});
  BOOST_TEST(c.weekday == 0);
  BOOST_TEST(c.hour == 8);
  BOOST_TEST(c.hour_frac == 8.5);
  BOOST_TEST(local_time(static_cast<double>(*parse_datetime("2026-07-19T23:00")), TimeZone{}).weekday == 6);
}

// Offsets from the tz database: Monaco is UTC+1 in winter, UTC+2 in summer (EU rule: the change is at 01:00
// UTC on the last Sunday of March, 2026-03-29); Tokyo has no daylight saving time; Minneapolis is UTC-5 in summer (America/Chicago).
BOOST_AUTO_TEST_CASE(local_time_follows_the_tz_database) {
  const auto monaco = TimeZone::find("Europe/Monaco");
  BOOST_REQUIRE(monaco);
  BOOST_TEST(monaco->name() == "Europe/Monaco");
  BOOST_TEST(monaco->utc_offset_s(*parse_datetime("2026-01-15T12:00")) == 3600);
  BOOST_TEST(monaco->utc_offset_s(*parse_datetime("2026-03-29T00:59:59")) == 3600);
  BOOST_TEST(monaco->utc_offset_s(*parse_datetime("2026-03-29T01:00")) == 7200);
  BOOST_TEST(monaco->abbreviation(*parse_datetime("2026-07-13T00:00")) == "CEST");
  // 2026-07-12 22:30 UTC is Monday 00:30 in Monaco.
  const auto c = local_time(static_cast<double>(*parse_datetime("2026-07-12T22:30")), *monaco);
  BOOST_TEST(c.weekday == 0);
  BOOST_TEST(c.hour_frac == 0.5);
  const auto tokyo = TimeZone::find("Asia/Tokyo");
  BOOST_REQUIRE(tokyo);
  BOOST_TEST(tokyo->utc_offset_s(*parse_datetime("2026-07-13T00:00")) == 9 * 3600);
  BOOST_TEST(TimeZone::find("America/Chicago")->utc_offset_s(*parse_datetime("2026-07-13T00:00")) == -5 * 3600);
  BOOST_TEST(!TimeZone::find("Europe/Atlantis"));
  BOOST_TEST(TimeZone::find("UTC")->utc_offset_s(0) == 0);
}

BOOST_AUTO_TEST_CASE(times_relative_to_a_start) {
  const auto start = *parse_datetime("2026-07-13T06:00");
  BOOST_TEST(*resolve_time_s("12:00", start, TimeZone{}) == 6 * 3600.0);
  BOOST_TEST(*resolve_time_s("+2h", start, TimeZone{}) == 7200.0);
  BOOST_TEST(*resolve_time_s("2026-07-14T06:00", start, TimeZone{}) == 86400.0);
  BOOST_TEST(*resolve_time_s("90", start, TimeZone{}) == 90.0);
  BOOST_TEST(!resolve_time_s("noon", start, TimeZone{}));
  // "HH:MM" is local time on the first local day: 06:00 UTC is 08:00 in Monaco (CEST), so 12:00 local is
  // 4 h after the start and 00:30 local is 7 h 30 min before it (the local day began at 22:00 UTC).
  const auto monaco = *TimeZone::find("Europe/Monaco");
  BOOST_TEST(*resolve_time_s("12:00", start, monaco) == 4 * 3600.0);
  BOOST_TEST(*resolve_time_s("00:30", start, monaco) == -7.5 * 3600);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(clocks_read_in_the_zone) {
  const auto t = *parse_datetime("2026-07-13T06:30");
  BOOST_TEST(format_clock(t, *TimeZone::find("Europe/Monaco")) == "2026-07-13 08:30 CEST");
  BOOST_TEST(format_clock(t, TimeZone{}) == "2026-07-13 06:30 UTC");
  BOOST_TEST(format_local_datetime(t, *TimeZone::find("America/Chicago")) == "2026-07-13T01:30:00-05:00");
  BOOST_TEST(TimeZone::find_or_utc("Nowhere/Else").name() == "UTC");
}

BOOST_AUTO_TEST_CASE(holidays_are_days_off) {
  const std::vector<std::int64_t> holidays{*parse_datetime("2026-07-14T00:00") / 86400};  // a Tuesday
  const auto monaco = *TimeZone::find("Europe/Monaco");
  // 2026-07-13 22:30 UTC is Tuesday 00:30 in Monaco: the holiday, though still Monday in UTC.
  const auto c = local_time(static_cast<double>(*parse_datetime("2026-07-13T22:30")), monaco, holidays);
  BOOST_TEST(c.weekday == 1);
  BOOST_TEST(c.holiday);
  BOOST_TEST(c.day_off());
  BOOST_TEST(!local_time(static_cast<double>(*parse_datetime("2026-07-13T22:30")), TimeZone{}, holidays).day_off());
}
