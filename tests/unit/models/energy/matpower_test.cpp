#define BOOST_TEST_MODULE energy_grid
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <fstream>
#include <functional>
#include <numbers>
#include <string>
#include <vector>

#include "engine/core/error.hpp"
#include "models/energy/grid/power_flow.hpp"
#include "models/energy/io/matpower.hpp"
#include "test_util.hpp"

using namespace citytwin;
using namespace citytwin::energy;
using namespace citytwin::energy::test;

namespace {

/// The message of the InputError that parsing text throws ("" when none is thrown).
std::string parse_error(const std::string& text) {
  try {
    parse_matpower(text, "bad.m");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const char* kTiny = R"(function mpc = tiny
mpc.version = '2';
mpc.baseMVA = 100;
mpc.bus = [
	1	3	0	0	0	0	1	1	0	135	1	1.05	0.95;
	2	1	50, 10	0	5	1	1	0	135	1	1.05	0.95  % comment after a row
];
mpc.gen = [ 1 0 0 100 -100 1.02 100 1 200 0 ];
mpc.branch = [
	1	2	0.01	0.1	0.02	150	0	0	0	0	1	-360	360;
];
mpc.gencost = [ 2 0 0 3 0.1 20 0 ];
mpc.bus_name = {
	'one';
	'two';
};
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(matpower_reader)

BOOST_AUTO_TEST_CASE(reads_case14_tables_in_si_units) {
  GridCase c = read_matpower(data_path("case14.m"));
  BOOST_TEST(c.buses.size() == 14u);
  BOOST_TEST(c.generators.size() == 5u);
  BOOST_TEST(c.branches.size() == 20u);
  BOOST_TEST(c.base_va == 100e6);
  const GridBus& b2 = c.buses[c.bus_index.at(2)];
  BOOST_TEST((b2.type == BusType::pv));
  BOOST_TEST(b2.pd_w == 21.7e6, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(b2.qd_var == 12.7e6, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(b2.va_rad == -4.98 * std::numbers::pi / 180, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(c.buses[c.bus_index.at(9)].bs_var == 19e6, boost::test_tools::tolerance(1e-12));
  // Branch 4-7 is a transformer with ratio 0.978.
  const GridBranch& t = c.branches[7];
  BOOST_TEST(c.buses[t.from].id == 4);
  BOOST_TEST(c.buses[t.to].id == 7);
  BOOST_TEST(t.tap == 0.978);
  BOOST_TEST(c.generators[0].qmax_var == 10e6, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(c.generators[0].vg_pu == 1.06);
}

BOOST_AUTO_TEST_CASE(commas_comments_and_ignored_fields) {
  GridCase c = parse_matpower(kTiny, "tiny.m");
  BOOST_TEST(c.buses.size() == 2u);
  BOOST_TEST(c.buses[1].pd_w == 50e6);
  BOOST_TEST(c.buses[1].bs_var == 5e6);
  BOOST_TEST(c.generators.size() == 1u);
  BOOST_TEST(c.branches.size() == 1u);
  BOOST_TEST(c.branches[0].rate_a_va == 150e6);
  BOOST_TEST(c.branches[0].b_pu == 0.02);
}

BOOST_AUTO_TEST_CASE(errors_name_file_and_line) {
  std::string bad_number = replace_once(kTiny, "0.01\t0.1", "0.01\tx0.1");
  BOOST_TEST(parse_error(bad_number).find("bad.m:10: expected a number, got 'x0.1'") != std::string::npos);

  std::string unknown_bus = replace_once(kTiny, "\t1\t2\t0.01", "\t1\t7\t0.01");
  BOOST_TEST(parse_error(unknown_bus).find("bad.m:10: branch to bus 7 is not in the bus table") != std::string::npos);

  std::string duplicate = replace_once(kTiny, "\t2\t1\t50", "\t1\t1\t50");
  BOOST_TEST(parse_error(duplicate).find("bad.m:6: bus 1 is defined twice") != std::string::npos);

  std::string bad_type = replace_once(kTiny, "\t2\t1\t50", "\t2\t5\t50");
  BOOST_TEST(parse_error(bad_type).find("bad.m:6: bus 2: type must be") != std::string::npos);

  std::string short_row = replace_once(kTiny, "1 0 0 100 -100 1.02 100 1 200 0", "1 0 0 100");
  BOOST_TEST(parse_error(short_row).find("bad.m:8: gen row has 4 columns, expected at least 10") != std::string::npos);

  std::string version1 = replace_once(kTiny, "'2'", "'1'");
  BOOST_TEST(parse_error(version1).find("bad.m:2: only MATPOWER case format version 2") != std::string::npos);

  std::string unclosed = replace_once(kTiny, "];\nmpc.gen", "\nmpc.gen");
  BOOST_TEST(!parse_error(unclosed).empty());

  std::string zero_z = replace_once(kTiny, "0.01\t0.1", "0\t0");
  BOOST_TEST(parse_error(zero_z).find("bad.m:10: branch: zero impedance") != std::string::npos);

  BOOST_TEST(parse_error("mpc.baseMVA = 100;\n").find("no mpc.bus table") != std::string::npos);
  BOOST_TEST(parse_error("garbage here\n").find("bad.m:1: expected 'mpc.FIELD = ...'") != std::string::npos);
  BOOST_CHECK_THROW(read_matpower(data_path("no_such_case.m")), InputError);
}

BOOST_AUTO_TEST_CASE(every_error_of_a_file_is_reported) {
  std::string two = replace_once(replace_once(kTiny, "0.01\t0.1", "0.01\tx"), "1.02 100", "1.02 y");
  std::string msg = parse_error(two);
  BOOST_TEST(msg.find("bad.m:8:") != std::string::npos);
  BOOST_TEST(msg.find("bad.m:10:") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- tolerance: the forms MATPOWER's loadcase reads ------------------------------------------------------
BOOST_AUTO_TEST_SUITE(matpower_tolerance)

namespace {

/// case14.m rewritten line by line: `row` maps each row of a numeric matrix (without its ';'), `other`
/// every other line; `eol` ends the lines.
std::string rewrite_case14(const std::function<std::string(const std::string&)>& row,
                           const std::function<std::string(const std::string&)>& other, const std::string& eol) {
  std::ifstream in(data_path("case14.m"));
  std::string line, out;
  bool in_matrix = false;
  while (std::getline(in, line)) {
    if (in_matrix && line.find("];") != std::string::npos) in_matrix = false;
    if (in_matrix && !line.empty() && line[0] == '\t') {
      std::string r = line;
      const size_t semi = r.rfind(';');
      if (semi != std::string::npos) r.erase(semi, 1);
      out += row(r) + eol;
    } else {
      out += other(line) + eol;
    }
    if (line.find("= [") != std::string::npos && line.find("];") == std::string::npos) in_matrix = true;
  }
  return out;
}

std::vector<double> solved_vm(const GridCase& c) {
  PowerFlow pf(c);
  const PowerFlowResult r = pf.solve({});
  BOOST_REQUIRE(r.converged);
  std::vector<double> v = r.vm_pu;
  v.insert(v.end(), r.va_rad.begin(), r.va_rad.end());
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(tolerant_forms_solve_to_the_strict_voltages) {
  const GridCase strict = read_matpower(data_path("case14.m"));
  const auto ref = solved_vm(strict);
  auto same = [](const std::string& s) { return s; };
  std::vector<std::pair<std::string, std::string>> forms;
  // Rows ended by ';' (the strict file ends them so), by the line end alone, or both, with commas.
  forms.emplace_back("no ';' between rows, commas", rewrite_case14([](const std::string& r) {
    std::string c;
    for (char ch : r) c += ch == '\t' ? std::string(", ") : std::string(1, ch);
    return c;
  }, same, "\n"));
  // MATLAB continuations inside a row, with a comment after the dots.
  forms.emplace_back("... continuations", rewrite_case14([](const std::string& r) {
    const size_t cut = r.find('\t', r.find('\t', 1) + 1);
    return r.substr(0, cut) + " ... the row goes on\n\t\t" + r.substr(cut) + ";";
  }, same, "\n"));
  // Columns MATPOWER ignores or fills itself (OPF results after the last standard column), comments.
  forms.emplace_back("extra columns and comments", rewrite_case14([](const std::string& r) {
    return r + "\t0\t0\t0\t0;  % results of an OPF";
  }, same, "\n"));
  // Other headers, CR-LF, a block comment, an `end` closing the function.
  forms.emplace_back("header variants, CR-LF, block comment, end", rewrite_case14(
      [](const std::string& r) { return r + ";"; },
      [](const std::string& l) {
        if (l.rfind("function", 0) == 0) return std::string("function [mpc] = case14_variant()\n%{\nnot code\n%}");
        return l;
      },
      "\r\n") + "end\r\n");
  for (const auto& [what, text] : forms) {
    const GridCase c = parse_matpower(text, "variant.m");
    BOOST_REQUIRE_EQUAL(c.buses.size(), strict.buses.size());
    BOOST_REQUIRE_EQUAL(c.branches.size(), strict.branches.size());
    BOOST_REQUIRE_EQUAL(c.generators.size(), strict.generators.size());
    const auto v = solved_vm(c);
    double worst = 0;
    for (size_t i = 0; i < v.size(); ++i) worst = std::max(worst, std::abs(v[i] - ref[i]));
    BOOST_CHECK_MESSAGE(worst == 0.0, what << ": voltages differ by " << worst);
  }
}

BOOST_AUTO_TEST_SUITE_END()
