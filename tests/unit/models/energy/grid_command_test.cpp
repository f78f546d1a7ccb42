#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <sys/wait.h>

#include "test_util.hpp"

using namespace citytwin::energy::test;

namespace {

int run(const std::string& args) {
  std::string cmd = std::string(CITYTWIN_CLI) + " " + args + " > /dev/null 2>&1";
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(grid_command)

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
