#define BOOST_TEST_MODULE citytwin session on the bundled city
// A Session on the real bundled city with the real models: local time, thread counts, prepared data.
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <map>

#include "engine/sim/session.hpp"
#include "models/all_models.hpp"

using namespace citytwin;

namespace {

const std::string kMonaco = std::string(CITYTWIN_ASSETS) + "/monaco/monaco-2026-07-10.osm.pbf";
const std::string kWeather = std::string(CITYTWIN_ASSETS) + "/weather/PRT_Lisboa.085360_INETI.epw";

/// One Session for every test case: the city is loaded once.
const Session& session() {
  static Session s = [] {
    CitySource src;
    src.path = kMonaco;
    return Session::open(src, all_models());
  }();
  return s;
}

Scenario scenario(const std::string& period, const std::string& models) {
  return parse_scenario("name = \"t\"\nseed = 7\n[city]\nfile = \"" + kMonaco + "\"\n[period]\n" + period + models,
                        "session_test.toml");
}

const Series& series(const Results& r, const std::string& name) {
  for (const auto& s : r.series)
    if (s.name == name) return s;
  BOOST_FAIL("no series " + name);
  throw;
}

const Table& table(const Results& r, const std::string& name) {
  for (const auto& t : r.tables)
    if (t.name == name) return t;
  BOOST_FAIL("no table " + name);
  throw;
}

/// Departures per hour of the run, for hours [first, last).
std::vector<int> departures_per_hour(const Results& r, int first, int last) {
  const Table& trips = table(r, "traffic.trips");
  const size_t depart = *trips.column("depart_s");
  std::vector<int> count(static_cast<size_t>(last - first), 0);
  for (size_t i = 0; i < trips.rows(); ++i) {
    const int h = static_cast<int>(std::floor(trips.at(i, depart) / 3600));
    if (h >= first && h < last) ++count[static_cast<size_t>(h - first)];
  }
  return count;
}

/// CPU time (clock ticks, user + system) of every thread of this process but the calling one, from
/// /proc/self/task/TID/stat (fields 14 and 15).
long other_threads_cpu_ticks() {
  const std::string self = std::to_string(gettid());
  long ticks = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    if (task.path().filename() == self) continue;
    std::ifstream in(task.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));  // after "pid (comm) "
    std::string f;
    for (int i = 3; i <= 13; ++i) fields >> f;
    long utime = 0, stime = 0;
    fields >> utime >> stime;
    ticks += utime + stime;
  }
  return ticks;
}

const std::string kAllModels =
    "[models.occupancy]\n[models.traffic]\ntrips_per_day = 3000\n[models.water]\n"
    "[models.energy]\nweather = \"" + kWeather + "\"\nev_share = 0.5\n";

}  // namespace

// The same instants in Tokyo (UTC+9, no daylight saving time) are 9 hours later on the clock than in UTC:
// everything driven by the time of day happens 9 hours earlier in the run. Occupancy, trip departures and
// the standalone EV charging profile depend on nothing else, so the Tokyo run's value at t equals the UTC
// run's at t + 9 h.
BOOST_AUTO_TEST_CASE(time_of_day_follows_the_scenario_time_zone) {
  // Energy without traffic, so that EV charging follows its daily arrival profile, not traffic's arrivals.
  const std::string buildings =
      "[models.occupancy]\n[models.energy]\nweather = \"" + kWeather + "\"\ngrid = false\nev_share = 0.5\n";
  const std::string roads = "[models.occupancy]\n[models.traffic]\ntrips_per_day = 2000\n";
  const std::string period = "start = \"2026-07-13T00:00\"\nduration = \"48h\"\nstep = \"1h\"\n";
  auto run = [&](const std::string& zone, const std::string& models) {
    return session().run(scenario(period + "timezone = \"" + zone + "\"\n", models));
  };
  const Results utc = run("UTC", buildings), tokyo = run("Asia/Tokyo", buildings);
  BOOST_TEST(tokyo.info.timezone == "Asia/Tokyo");
  for (const char* name : {"occupancy.total_people", "occupancy.people.office", "energy.ev_charging"}) {
    const Series& u = series(utc, name);
    const Series& t = series(tokyo, name);
    BOOST_TEST_CONTEXT(name) {
      BOOST_REQUIRE_EQUAL(u.values.size(), 49u);
      for (size_t i = 1; i + 9 < u.values.size(); ++i)
        BOOST_TEST(t.values[i] == u.values[i + 9], boost::test_tools::tolerance(1e-12));
      // Not equal by accident: the series varies over the day.
      BOOST_TEST(u.values[10] != u.values[20]);
    }
  }
  // Trip departures per hour: Tokyo's hours [0, 39) are UTC's [9, 48).
  const auto u = departures_per_hour(run("UTC", roads), 9, 48);
  const auto t = departures_per_hour(run("Asia/Tokyo", roads), 0, 39);
  BOOST_TEST(u == t, boost::test_tools::per_element());
  // The second morning's rush (07:00-08:00, hour 31 of the run) against its night (03:00, hour 27).
  BOOST_TEST(u[31 - 9] > 10 * std::max(1, u[27 - 9]));
}

// --threads 1 reaches every model: while such a run works, no other thread of the process does (TBB's
// workers stay idle), while at 2 threads they take part of it (so the measurement does see them).
BOOST_AUTO_TEST_CASE(one_thread_means_one_busy_thread) {
  const std::string period = "start = \"2026-07-13T00:00\"\nduration = \"24h\"\nstep = \"15min\"\n";
  const Scenario sc = scenario(period, kAllModels);
  session().run(sc);  // prepares the static data and starts TBB's workers: only the runs below are measured
  auto others_busy = [&](int threads) {
    RunOptions o;
    o.threads = threads;
    const long before = other_threads_cpu_ticks();
    const auto start = std::clock();
    session().run(sc, o);
    const double own = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;  // the whole process
    const double others = static_cast<double>(other_threads_cpu_ticks() - before) / static_cast<double>(sysconf(_SC_CLK_TCK));
    BOOST_TEST_MESSAGE(threads << " threads: process CPU " << own << " s, other threads " << others << " s");
    return std::pair{others, own};
  };
  const auto [others_one, all_one] = others_busy(1);
  BOOST_TEST(others_one <= 0.02 + 0.02 * all_one);
  const auto [others_two, all_two] = others_busy(2);
  // How much the workers take depends on the machine's load (ctest runs tests side by side): some work is enough.
  BOOST_TEST(others_two > 0.0);
  BOOST_TEST(all_two > 0.0);
}

// Scenarios that differ only in run-time parameters (seed, demand, shares, interventions) share every
// model's prepared static data: each is built once on the Session.
BOOST_AUTO_TEST_CASE(runs_share_the_prepared_networks) {
  CitySource src;
  src.path = kMonaco;
  const Session fresh = Session::open(src, all_models());
  const std::string period = "start = \"2026-07-13T06:00\"\nduration = \"1h\"\nstep = \"15min\"\n";
  for (int seed = 1; seed <= 3; ++seed) {
    Scenario sc = scenario(period, kAllModels);
    sc.seed = static_cast<std::uint64_t>(seed);
    fresh.run(sc);
  }
  for (const char* model : {"traffic", "water", "energy"}) BOOST_TEST_CONTEXT(model) {
      BOOST_TEST(fresh.prepare_count(model) == 1u);
    }
}

// A holiday takes the weekend schedules: a Monday holiday after a Sunday repeats the Sunday hour by hour,
// an ordinary Monday does not.
BOOST_AUTO_TEST_CASE(a_holiday_is_a_day_off) {
  const std::string period = "start = \"2026-07-12T00:00\"\nduration = \"48h\"\nstep = \"1h\"\n";
  const auto people = [&](const std::string& extra) {
    return series(session().run(scenario(period + extra, "[models.occupancy]\n")), "occupancy.people.office").values;
  };
  const auto holiday = people("holidays = [\"2026-07-13\"]\n");
  const auto ordinary = people("");
  BOOST_REQUIRE_EQUAL(holiday.size(), 49u);
  for (size_t h = 0; h < 24; ++h) BOOST_TEST(holiday[h + 24] == holiday[h]);
  BOOST_TEST(ordinary[24 + 10] > 2 * ordinary[10]);  // offices full at 10:00 on a working Monday
}
