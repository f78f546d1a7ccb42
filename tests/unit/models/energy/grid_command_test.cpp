#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "models/energy/grid/power_flow.hpp"
#include "models/energy/io/matpower.hpp"
#include "test_util.hpp"

using namespace citytwin::energy;
using namespace citytwin::energy::test;
namespace tt = boost::test_tools;

namespace {

int run(const std::string& args, const std::string& output = "/dev/null") {
  std::string cmd = std::string(CITYTWIN_CLI) + " " + args + " > " + output + " 2>&1";
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Runs the CLI with stdout and stderr in one string; returns the exit code.
int run_capture(const std::string& args, std::string& output) {
  const auto log = std::filesystem::temp_directory_path() / ("citytwin_grid_out_" + std::to_string(::getpid()));
  const int code = run(args, log.string());
  output = read_text(log.string());
  std::filesystem::remove(log);
  return code;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(grid_command)

// The summary lines: iterations and losses as the library computes them, losses equal to generation less
// load (an independent balance), the mismatch below the tolerance.
BOOST_AUTO_TEST_CASE(solve_prints_iterations_mismatch_and_losses) {
  std::string out;
  BOOST_TEST_REQUIRE(run_capture("grid solve " + data_path("case30.m"), out) == 0);
  const GridCase c = read_matpower(data_path("case30.m"));
  const PowerFlowResult r = PowerFlow(c).solve({});
  int iterations = -1;
  double mismatch = 1, losses_mw = -1, losses_mvar = -1;
  const auto line = out.find("converged in");
  BOOST_TEST_REQUIRE(line != std::string::npos, out);
  BOOST_TEST_REQUIRE(std::sscanf(out.c_str() + line, "converged in %d iterations, largest mismatch %lf p.u.", &iterations, &mismatch) == 2);
  const auto loss = out.find("losses:");
  BOOST_TEST_REQUIRE(loss != std::string::npos, out);
  BOOST_TEST_REQUIRE(std::sscanf(out.c_str() + loss, "losses: %lf MW, %lf MVAr", &losses_mw, &losses_mvar) == 2);
  BOOST_TEST(iterations == r.iterations);
  BOOST_TEST(mismatch < 1e-8);
  double generation = 0, load = 0;
  for (double p : r.pg_w) generation += p;
  for (const auto& b : c.buses) load += b.pd_w;
  BOOST_TEST(losses_mw == r.losses_w / 1e6, tt::tolerance(1e-4));
  BOOST_TEST(losses_mw == (generation - load) / 1e6, tt::tolerance(1e-4));
}

BOOST_AUTO_TEST_CASE(islands_non_convergence_and_q_limits_are_reported) {
  std::string out;
  // Bus 8 hangs on branch 7-8 only: out of service, it is an island; the rest still solves.
  const std::string text = read_text(data_path("case14.m"));
  TempFile island("island.m", replace_once(text, "7\t8\t0\t0.17615\t0\t0\t0\t0\t0\t0\t1", "7\t8\t0\t0.17615\t0\t0\t0\t0\t0\t0\t0"));
  BOOST_TEST(run_capture("grid solve " + island.path, out) == 0);
  BOOST_TEST(out.find("warning: 1 buses have no path to a reference bus and are not energized: 8") != std::string::npos, out);
  BOOST_TEST(out.find("converged in") != std::string::npos, out);

  BOOST_TEST(run_capture("grid solve " + data_path("case30.m") + " --max-iterations 1", out) == 2);
  BOOST_TEST(out.find("case30.m: power flow did not converge") != std::string::npos, out);
  BOOST_TEST(std::count(out.begin(), out.end(), '\n') == 2);  // the summary line and the error line

  TempFile noref("noref.m", replace_once(text, "\t1\t3\t0", "\t1\t2\t0"));
  BOOST_TEST(run_capture("grid solve " + noref.path, out) == 2);
  BOOST_TEST(out.find("14 buses have no path to a reference bus") != std::string::npos, out);

  // Bus 8's generator needs 17.6 MVAr; with Qmax = 10 MVAr only --enforce-q-limits holds it at the limit.
  TempFile qlim("qlim.m", replace_once(text, "8\t0\t17.4\t24", "8\t0\t17.4\t10"));
  BOOST_TEST(run_capture("grid solve " + qlim.path, out) == 0);
  BOOST_TEST(out.find("reactive limit") == std::string::npos, out);
  BOOST_TEST(run_capture("grid solve " + qlim.path + " --enforce-q-limits", out) == 0);
  BOOST_TEST(out.find("generators held at a reactive limit (bus): 8") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(solve_writes_the_bus_csv) {
  auto dir = std::filesystem::temp_directory_path() / ("citytwin_grid_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto out = (dir / "case30.csv").string();
  BOOST_TEST_REQUIRE(run("grid solve " + data_path("case30.m") + " --csv " + out) == 0);
  auto got = read_csv(out), ref = read_csv(data_path("case30.reference.csv"));
  BOOST_TEST_REQUIRE(got.size() == ref.size());
  for (size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST(got[i].at("bus_id") == ref[i].at("bus_id"));
    BOOST_TEST(std::abs(std::stod(got[i].at("vm_pu")) - std::stod(ref[i].at("vm_pu"))) < 1e-4);
    BOOST_TEST(std::abs(std::stod(got[i].at("va_deg")) - std::stod(ref[i].at("va_deg"))) < 0.01);
  }
  BOOST_TEST(!std::filesystem::exists(out + ".tmp"));
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(bad_input_exits_2) {
  BOOST_TEST(run("grid solve " + data_path("no_such_case.m")) == 2);
  BOOST_TEST(run("grid solve " + data_path("case14.reference.csv")) == 2);
}

BOOST_AUTO_TEST_SUITE_END()
