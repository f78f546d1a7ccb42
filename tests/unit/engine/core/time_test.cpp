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
}

BOOST_AUTO_TEST_CASE(calendar) {
  // 2026-07-13 is a Monday.
  auto c = calendar_time(*parse_datetime("2026-07-13T08:30"));
  BOOST_TEST(c.weekday == 0);
  BOOST_TEST(c.hour == 8);
  BOOST_TEST(c.hour_frac == 8.5);
  BOOST_TEST(calendar_time(*parse_datetime("2026-07-19T23:00")).weekday == 6);
}

BOOST_AUTO_TEST_CASE(times_relative_to_a_start) {
  const auto start = *parse_datetime("2026-07-13T06:00");
  BOOST_TEST(*resolve_time_s("12:00", start) == 6 * 3600.0);
  BOOST_TEST(*resolve_time_s("+2h", start) == 7200.0);
  BOOST_TEST(*resolve_time_s("2026-07-14T06:00", start) == 86400.0);
  BOOST_TEST(*resolve_time_s("90", start) == 90.0);
  BOOST_TEST(!resolve_time_s("noon", start));
}

BOOST_AUTO_TEST_SUITE_END()
