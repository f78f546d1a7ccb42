// `citytwin water ...` end to end: the CSV it writes holds EPANET's numbers; bad input exits 2 with
// file:line.
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace {

struct Result {
  int code = -1;
  std::string output;
};

Result run_cli(const std::string& args) {
  const std::string cmd = std::string(CITYTWIN_CLI) + " " + args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  BOOST_REQUIRE(p);
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::map<std::string, double> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::map<std::string, double> v;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto comma = line.rfind(',');
    v[line.substr(0, comma)] = std::stod(line.substr(comma + 1));
  }
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(water_cli)

BOOST_AUTO_TEST_CASE(solve_writes_epanet_values) {
  const std::string data = std::string(CITYTWIN_TEST_DATA) + "/water/";
  const auto dir = std::filesystem::temp_directory_path() / ("water_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string csv = (dir / "net1.csv").string();
  const Result r = run_cli("water solve " + data + "Net1.inp --csv " + csv);
  BOOST_CHECK_EQUAL(r.code, 0);
  BOOST_CHECK(r.output.find("25 reporting periods, 27 hydraulic solutions") != std::string::npos);
  BOOST_CHECK(r.output.find("no warnings") != std::string::npos);
  const auto ours = read_csv(csv);
  const auto ref = read_csv(data + "Net1.reference.csv");
  size_t compared = 0;
  for (const auto& [key, v] : ref) {
    const auto it = ours.find(key);
    BOOST_REQUIRE_MESSAGE(it != ours.end(), "missing " << key);
    BOOST_CHECK_SMALL(it->second - v, key.find(",flow") != std::string::npos ? 0.01 : 1e-4);
    ++compared;
  }
  BOOST_CHECK_EQUAL(compared, 875u);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(bad_input_exits_2_with_file_and_line) {
  const auto path = std::filesystem::temp_directory_path() / ("bad_" + std::to_string(::getpid()) + ".inp");
  {
    std::ofstream out(path);
    out << "[JUNCTIONS]\nA 1\n[RESERVOIRS]\nR 10\n[PIPES]\nP A R 100 -5 100\n";
  }
  const Result r = run_cli("water solve " + path.string());
  BOOST_CHECK_EQUAL(r.code, 2);
  BOOST_CHECK(r.output.find(path.string() + ":6: pipe P: length, diameter and roughness must be positive") !=
              std::string::npos);
  std::filesystem::remove(path);
  const Result missing = run_cli("water solve /nonexistent/net.inp");
  BOOST_CHECK_EQUAL(missing.code, 2);
}

BOOST_AUTO_TEST_CASE(criticality_ranks_the_pump_main_first) {
  const Result r = run_cli("water criticality " + std::string(CITYTWIN_TEST_DATA) +
                           "/water/Net1.inp --required-pressure 120 --threads 2 --top 3");
  BOOST_CHECK_EQUAL(r.code, 0);
  // Pipe 10 carries the pump's whole output: closing it starves the network (EPANET agrees, see
  // criticality_test.cpp).
  BOOST_CHECK(r.output.find("    1  10 ") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
