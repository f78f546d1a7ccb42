#define BOOST_TEST_MODULE citytwin sweep
// `citytwin sweep` and `citytwin run --set` on the baseline shortened to two daytime hours: a sweep's rows
// are the KPIs of single runs with the same keys set; the rows are the same at 1 and 2 threads, after a
// kill -9 and --resume, and from two shards merged; bad sweeps exit 2 with one line at the sweep's line.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/integration/cli_scratch.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kCli = CITYTWIN_CLI;
const std::string kSource = CITYTWIN_SOURCE_DIR;

using citytwin::test::slurp;

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> f;
  std::stringstream ss(line);
  std::string x;
  while (std::getline(ss, x, ',')) f.push_back(x);
  if (!line.empty() && line.back() == ',') f.push_back("");
  return f;
}

/// runs.csv without its wall_s column (the one thing that differs between two sweeps; the runs here do not
/// fail, so no field is quoted).
std::string without_wall_time(const fs::path& runs) {
  std::istringstream in(slurp(runs));
  std::string line, out;
  size_t wall = 0;
  for (bool header = true; std::getline(in, line); header = false) {
    auto f = split(line);
    if (header)
      for (size_t i = 0; i < f.size(); ++i)
        if (f[i] == "wall_s") wall = i;
    BOOST_REQUIRE(wall > 0 && wall < f.size());
    f.erase(f.begin() + static_cast<std::ptrdiff_t>(wall));
    for (size_t i = 0; i < f.size(); ++i) out += (i ? "," : "") + f[i];
    out += "\n";
  }
  return out;
}

size_t line_count(const fs::path& p) {
  const std::string s = slurp(p);
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

/// The shortest text of a double, as runs.csv writes it.
std::string shortest(double v) {
  char buf[40];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

struct Scratch : citytwin::test::CliScratch {
  Scratch() : CliScratch("citytwin_sweep_") {}
  /// A PV-share sweep of the baseline over two hours of a July day (the sun up: PV changes the KPIs).
  fs::path pv_sweep(const std::string& name, int steps) const {
    return write(name, "base = \"" + kSource + "/scenarios/baseline.toml\"\n"
                       "[set]\n\"period.start\" = \"2026-07-13T11:00+02:00\"\n\"period.duration\" = \"2h\"\n"
                       "[[parameters]]\nkey = \"models.energy.pv_share\"\nrange = [0.0, 1.0]\nsteps = " +
                           std::to_string(steps) + "\n");
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(sweep, Scratch)

BOOST_AUTO_TEST_CASE(a_sweep_row_has_the_kpis_of_a_single_run_with_the_same_keys_set) {
  const auto sweep = pv_sweep("pv.toml", 3);
  BOOST_REQUIRE(run("sweep -q " + sweep.string() + " -o " + (dir / "s").string()) == 0);
  std::istringstream rows(slurp(dir / "s" / "runs.csv"));
  std::string header_line, row_line;
  std::getline(rows, header_line);
  const auto header = split(header_line);
  BOOST_TEST(header_line.starts_with("run,status,seed,models.energy.pv_share,"));
  BOOST_TEST(header_line.ends_with(",wall_s,error"));
  BOOST_TEST(line_count(dir / "s" / "runs.csv") == 4u);
  for (const char* share : {"0", "0.5", "1"}) {
    BOOST_REQUIRE(std::getline(rows, row_line));
    const auto row = split(row_line);
    BOOST_TEST(row[1] == "ok");
    BOOST_TEST(row[2] == "42");  // the baseline's seed
    BOOST_TEST(row[3] == share);
    const fs::path single = dir / (std::string("single_") + share);
    BOOST_REQUIRE(run("run -q " + kSource + "/scenarios/baseline.toml --set period.start=2026-07-13T11:00+02:00"
                      " --set period.duration=2h --set models.energy.pv_share=" + share + " -o " + single.string()) == 0);
    const auto kpis = nlohmann::json::parse(slurp(single / "kpis.json"))["kpis"];
    size_t compared = 0;
    for (size_t i = 4; i + 2 < header.size(); ++i) {
      BOOST_TEST(row[i] == shortest(kpis[header[i]]["value"].get<double>()), header[i] << " at pv_share " << share);
      ++compared;
    }
    BOOST_TEST(compared == kpis.size());
  }
  // PV changes what the grid draws at noon.
  BOOST_TEST(slurp(dir / "single_0" / "kpis.json") != slurp(dir / "single_1" / "kpis.json"));
  // The results' copy of the scenario names what was set.
  BOOST_TEST(slurp(dir / "single_1" / "scenario.toml").find("models.energy.pv_share = 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(same_rows_at_1_and_2_threads_after_kill_9_and_resume_and_from_two_shards) {
  const auto sweep = pv_sweep("pv.toml", 8);
  BOOST_REQUIRE(run("sweep -q -t 1 " + sweep.string() + " -o " + (dir / "t1").string()) == 0);
  BOOST_REQUIRE(run("sweep -q -t 2 " + sweep.string() + " -o " + (dir / "t2").string()) == 0);
  const std::string expected = without_wall_time(dir / "t1" / "runs.csv");
  BOOST_TEST(line_count(dir / "t1" / "runs.csv") == 9u);
  BOOST_TEST(without_wall_time(dir / "t2" / "runs.csv") == expected);

  // kill -9 once two runs are in runs.csv, then --resume: only the missing runs run.
  const fs::path killed = dir / "killed";
  const pid_t pid = fork();
  if (pid == 0) {
    execl(kCli.c_str(), kCli.c_str(), "sweep", "-q", "-t", "1", sweep.c_str(), "-o", killed.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  BOOST_REQUIRE(pid > 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (line_count(killed / "runs.csv") < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  BOOST_TEST(WIFSIGNALED(status));
  const size_t before = line_count(killed / "runs.csv") - 1;
  BOOST_TEST_MESSAGE("killed after " << before << " of 8 runs");
  BOOST_TEST(before >= 2u);
  BOOST_TEST(before < 8u);
  BOOST_REQUIRE(run("sweep -q -t 2 --resume " + sweep.string() + " -o " + killed.string()) == 0);
  BOOST_TEST(slurp(dir / "out.txt").find(std::to_string(8 - before) + " to run") != std::string::npos);
  BOOST_TEST(without_wall_time(killed / "runs.csv") == expected);
  // A resume of a complete sweep runs nothing and leaves the rows as they are.
  BOOST_REQUIRE(run("sweep -q --resume " + sweep.string() + " -o " + killed.string()) == 0);
  BOOST_TEST(slurp(dir / "out.txt").find("0 to run") != std::string::npos);
  BOOST_TEST(without_wall_time(killed / "runs.csv") == expected);

  // Two shards (a Slurm array of two tasks) merged.
  const fs::path sharded = dir / "sharded";
  std::string err;
  BOOST_REQUIRE(run("sweep -q --shard 2/2 " + sweep.string() + " -o " + sharded.string()) == 0);
  BOOST_TEST(run("sweep merge " + sharded.string(), &err) == 2);
  BOOST_TEST(err.find("4 of 8 runs in no shard's file (runs 1 3 5 7)") != std::string::npos, err);
  BOOST_REQUIRE(run("sweep -q --shard 1/2 " + sweep.string() + " -o " + sharded.string() + " --resume") == 0);
  BOOST_TEST(line_count(sharded / "runs-1-of-2.csv") == 5u);
  BOOST_REQUIRE(run("sweep merge " + sharded.string()) == 0);
  BOOST_TEST(without_wall_time(sharded / "runs.csv") == expected);
}

BOOST_AUTO_TEST_CASE(bad_sweeps_exit_2_with_one_line_at_the_sweep_file_line_and_write_nothing) {
  const std::string base = "base = \"" + kSource + "/scenarios/baseline.toml\"\n[[parameters]]\n";
  struct Case {
    std::string entry, expected;
  };
  const std::vector<Case> cases = {
      {"key = \"models.energy.pv_shar\"\nvalues = [0.5]\n", "bad.toml:3: key 'models.energy.pv_shar': unknown key"},
      {"key = \"models.energy.pv_share\"\nvalues = [1.5]\n", "bad.toml:3: key 'models.energy.pv_share': expected a number between 0 and 1, got 1.5"},
      {"key = \"models.energy.pv_share\"\nrange = [\"a\", \"b\"]\nsteps = 3\n",
       "bad.toml:3: key 'models.energy.pv_share': range: expected two numbers [min, max], got [\"a\", \"b\"]"},
      {"key = \"models.traffic.trips_per_day\"\nrange = [0.5, 1.5]\nsteps = 3\n",
       "bad.toml:3: key 'models.traffic.trips_per_day': the scenario's value is an integer (line 21), not 0.5"},
      {"key = \"models.nothing.x\"\nvalues = [1]\n", "bad.toml:3: key 'models.nothing.x': the scenario has no [models.nothing]"},
      {"key = \"models.energy.pv_share\"\nrange = [0.0, 1.0]\n[design]\ntype = \"lhs\"\nsamples = 1\n", "bad.toml:7: design.samples: a Latin hypercube needs samples = 2 or more"},
  };
  for (const auto& c : cases) {
    const auto file = write("bad.toml", base + c.entry);
    std::string err;
    BOOST_TEST(run("sweep -q " + file.string() + " -o " + (dir / "bad").string(), &err) == 2, c.entry);
    BOOST_TEST(err.find(c.expected) != std::string::npos, err);
    BOOST_TEST(std::count(err.begin(), err.end(), '\n') == 1, err);
    BOOST_TEST(!fs::exists(dir / "bad"));
  }
  // --resume on the folder of another sweep: at the line of the key that differs.
  BOOST_REQUIRE(run("sweep -q " + pv_sweep("pv.toml", 2).string() + " -o " + (dir / "pv").string()) == 0);
  const std::string runs = slurp(dir / "pv" / "runs.csv");
  std::string other = slurp(dir / "pv.toml");
  other.replace(other.find("pv_share"), 8, "ev_share");
  std::string err;
  BOOST_TEST(run("sweep -q --resume " + write("other.toml", other).string() + " -o " + (dir / "pv").string(), &err) == 2);
  BOOST_TEST(err.find("other.toml:6: key 'models.energy.ev_share': not a parameter of the sweep in") != std::string::npos, err);
  BOOST_TEST(run("sweep -q " + (dir / "pv.toml").string() + " -o " + (dir / "pv").string(), &err) == 2);
  BOOST_TEST(err.find("holds a sweep already") != std::string::npos, err);
  BOOST_TEST(slurp(dir / "pv" / "runs.csv") == runs);
  // --set of a key the scenario does not have.
  BOOST_TEST(run("run -q " + kSource + "/scenarios/baseline.toml --set models.energy.pv_shar=0.5 -o " + (dir / "r").string(), &err) == 2);
  BOOST_TEST(err.find("--set: key 'models.energy.pv_shar': unknown key") != std::string::npos, err);
  BOOST_TEST(!fs::exists(dir / "r"));
}

BOOST_AUTO_TEST_SUITE_END()
