#include <boost/test/unit_test.hpp>
#include <cmath>
#include <numbers>

#include "models/energy/grid/power_flow.hpp"
#include "models/energy/grid/synthetic_grid.hpp"
#include "models/energy/io/matpower.hpp"
#include "test_util.hpp"

using namespace citytwin::energy;
using namespace citytwin::energy::test;

namespace {

constexpr double kRadToDeg = 180.0 / std::numbers::pi;

/// Every bus within 1e-4 p.u. and 0.01 degrees of MATPOWER's runpf solution.
void check_against_reference(const std::string& name) {
  GridCase c = read_matpower(data_path(name + ".m"));
  PowerFlow pf(c);
  PowerFlowResult r = pf.solve({});
  BOOST_TEST_REQUIRE(r.converged);
  BOOST_TEST(r.max_mismatch_pu < 1e-8);
  auto ref = read_csv(data_path(name + ".reference.csv"));
  BOOST_TEST_REQUIRE(ref.size() == c.buses.size());
  double worst_vm = 0, worst_va = 0;
  for (const auto& row : ref) {
    int i = c.bus_index.at(std::stol(row.at("bus_id")));
    worst_vm = std::max(worst_vm, std::abs(r.vm_pu[i] - std::stod(row.at("vm_pu"))));
    worst_va = std::max(worst_va, std::abs(r.va_rad[i] * kRadToDeg - std::stod(row.at("va_deg"))));
  }
  BOOST_TEST_MESSAGE(name << ": largest |dVm| " << worst_vm << " p.u., |dVa| " << worst_va << " deg, "
                          << r.iterations << " iterations");
  BOOST_TEST(worst_vm < 1e-4);
  BOOST_TEST(worst_va < 0.01);
}

/// Conservation: generation = load + shunt consumption + series losses, for P.
double power_balance_error_w(const GridCase& c, const PowerFlowResult& r) {
  double gen = 0, load = 0;
  for (size_t k = 0; k < c.generators.size(); ++k) gen += r.pg_w[k];
  for (size_t i = 0; i < c.buses.size(); ++i)
    if (r.energized[i]) load += c.buses[i].pd_w + c.buses[i].gs_w * r.vm_pu[i] * r.vm_pu[i];
  return gen - load - r.losses_w;
}

/// A two-bus case: slack bus 1, PV bus 2 drawing p_mw through one line (r, x) with tap and shift.
std::string two_bus(double p_mw, double r, double x, double tap, double shift_deg) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "mpc.version = '2';\nmpc.baseMVA = 100;\nmpc.bus = [\n1 3 0 0 0 0 1 1 0 20 1 1.1 0.9;\n"
                "2 2 %g 0 0 0 1 1 0 20 1 1.1 0.9;\n];\nmpc.gen = [\n1 0 0 999 -999 1 100 1 999 0;\n"
                "2 0 0 999 -999 1 100 1 999 0;\n];\nmpc.branch = [\n1 2 %g %g 0 0 0 0 %g %g 1 -360 360;\n];\n",
                p_mw, r, x, tap, shift_deg);
  return buf;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(power_flow)

BOOST_AUTO_TEST_CASE(case14_matches_matpower) { check_against_reference("case14"); }
BOOST_AUTO_TEST_CASE(case30_matches_matpower) { check_against_reference("case30"); }

BOOST_AUTO_TEST_CASE(power_balance_and_branch_flows_close) {
  for (std::string name : {"case14", "case30"}) {
    GridCase c = read_matpower(data_path(name + ".m"));
    PowerFlowResult r = PowerFlow(c).solve({});
    BOOST_TEST_REQUIRE(r.converged);
    BOOST_TEST(std::abs(power_balance_error_w(c, r)) < 1e-3 * c.base_va * 1e-6);
    // Branch end powers: their sum is the series loss (P) of each branch.
    double sum = 0;
    for (size_t k = 0; k < c.branches.size(); ++k) sum += r.p_from_w[k] + r.p_to_w[k];
    BOOST_TEST(sum == r.losses_w, boost::test_tools::tolerance(1e-9));
  }
  // MATPOWER's printed summary for case14: 13.393 MW losses.
  GridCase c14 = read_matpower(data_path("case14.m"));
  BOOST_TEST(PowerFlow(c14).solve({}).losses_w / 1e6 == 13.393, boost::test_tools::tolerance(1e-4));
}

BOOST_AUTO_TEST_CASE(phase_shifter_and_tap_match_the_two_bus_closed_form) {
  // Lossless line: P = (V1 / tap) V2 sin(theta1 - shift - theta2) / x  =>  theta2 = -shift - asin(P x tap / (V1 V2)).
  const double p_pu = 0.5, x = 0.2, tap = 1.05, shift_deg = 10;
  GridCase c = parse_matpower(two_bus(p_pu * 100, 0, x, tap, shift_deg), "two_bus.m");
  PowerFlowResult r = PowerFlow(c).solve({});
  BOOST_TEST_REQUIRE(r.converged);
  double expected = -shift_deg * std::numbers::pi / 180 - std::asin(p_pu * x * tap);
  BOOST_TEST(r.va_rad[1] == expected, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(r.losses_w == 0.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(r.pg_w[0] == p_pu * 100e6, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(islanded_buses_are_reported_not_solved) {
  // Bus 8 hangs on branch 7-8 only: take it out of service.
  std::string text = read_text(data_path("case14.m"));
  text = replace_once(text, "7\t8\t0\t0.17615\t0\t0\t0\t0\t0\t0\t1", "7\t8\t0\t0.17615\t0\t0\t0\t0\t0\t0\t0");
  GridCase c = parse_matpower(text, "case14_islanded.m");
  PowerFlowResult r = PowerFlow(c).solve({});
  BOOST_TEST_REQUIRE(r.converged);
  BOOST_TEST_REQUIRE(r.islanded_buses.size() == 1u);
  BOOST_TEST(c.buses[r.islanded_buses[0]].id == 8);
  BOOST_TEST(r.vm_pu[c.bus_index.at(8)] == 0.0);
  BOOST_TEST(!r.energized[c.bus_index.at(8)]);
  BOOST_TEST(r.pg_w[4] == 0.0);  // the generator of bus 8
  BOOST_TEST(std::abs(power_balance_error_w(c, r)) < 1e-3);
}

BOOST_AUTO_TEST_CASE(no_reference_bus_means_nothing_energized) {
  std::string text = replace_once(read_text(data_path("case14.m")), "\t1\t3\t0", "\t1\t2\t0");
  PowerFlowResult r = PowerFlow(parse_matpower(text, "noref.m")).solve({});
  BOOST_TEST(!r.converged);
  BOOST_TEST(r.islanded_buses.size() == 14u);
  BOOST_TEST(!r.message.empty());
}

BOOST_AUTO_TEST_CASE(non_convergence_is_reported) {
  GridCase c = read_matpower(data_path("case14.m"));
  std::vector<double> pd(c.buses.size()), qd(c.buses.size());
  for (size_t i = 0; i < c.buses.size(); ++i) {
    pd[i] = c.buses[i].pd_w * 20;
    qd[i] = c.buses[i].qd_var * 20;
  }
  PowerFlowResult r = PowerFlow(c).solve({}, pd, qd);
  BOOST_TEST(!r.converged);
  BOOST_TEST(r.message.find("did not converge") != std::string::npos);
  BOOST_TEST(r.worst_bus >= 0);
}

BOOST_AUTO_TEST_CASE(q_limits_switch_pv_to_pq) {
  // Bus 8's generator makes 17.6 MVAr at 1.09 p.u.; with Qmax = 10 MVAr it must stop at its limit.
  std::string text = replace_once(read_text(data_path("case14.m")), "8\t0\t17.4\t24", "8\t0\t17.4\t10");
  GridCase c = parse_matpower(text, "case14_qlim.m");
  PowerFlowOptions off, on;
  on.enforce_q_limits = true;
  PowerFlowResult free = PowerFlow(c).solve(off);
  PowerFlowResult held = PowerFlow(c).solve(on);
  BOOST_TEST_REQUIRE(free.converged);
  BOOST_TEST_REQUIRE(held.converged);
  BOOST_TEST(free.qg_var[4] > 10e6);          // off by default: the limit is ignored
  BOOST_TEST(free.vm_pu[c.bus_index.at(8)] == 1.09, boost::test_tools::tolerance(1e-12));
  BOOST_TEST_REQUIRE(held.q_limited.size() == 1u);
  BOOST_TEST(held.q_limited[0] == 4);
  BOOST_TEST(held.qg_var[4] == 10e6, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(held.vm_pu[c.bus_index.at(8)] < 1.09);
  for (size_t k = 1; k < c.generators.size(); ++k) {
    BOOST_TEST(held.qg_var[k] <= c.generators[k].qmax_var + 1e3);
    BOOST_TEST(held.qg_var[k] >= c.generators[k].qmin_var - 1e3);
  }
  // Independent path: the same case written with bus 8 as a PQ bus whose generator injects 10 MVAr.
  std::string pq = replace_once(replace_once(text, "\t8\t2\t0", "\t8\t1\t0"), "8\t0\t17.4\t10", "8\t0\t10\t10");
  GridCase cpq = parse_matpower(pq, "case14_pq.m");
  PowerFlowResult r = PowerFlow(cpq).solve(off);
  BOOST_TEST_REQUIRE(r.converged);
  for (size_t i = 0; i < c.buses.size(); ++i) {
    BOOST_TEST(held.vm_pu[i] == r.vm_pu[i], boost::test_tools::tolerance(1e-7));
    BOOST_TEST(held.va_rad[i] == r.va_rad[i], boost::test_tools::tolerance(1e-7));
  }
}

BOOST_AUTO_TEST_CASE(per_bus_loads_override_the_case) {
  GridCase c = read_matpower(data_path("case14.m"));
  std::vector<double> pd(c.buses.size()), qd(c.buses.size());
  for (size_t i = 0; i < c.buses.size(); ++i) {
    pd[i] = c.buses[i].pd_w;
    qd[i] = c.buses[i].qd_var;
  }
  PowerFlow pf(c);
  PowerFlowResult same = pf.solve({}, pd, qd), base = pf.solve({});
  BOOST_TEST(same.va_rad == base.va_rad);
  pd[c.bus_index.at(14)] += 10e6;
  PowerFlowResult more = pf.solve({}, pd, qd);
  BOOST_TEST(more.va_rad[c.bus_index.at(14)] < base.va_rad[c.bus_index.at(14)]);
  BOOST_TEST(more.pg_w[0] > base.pg_w[0] + 10e6);  // the slack covers the load and the extra losses
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(synthetic_grids)

BOOST_AUTO_TEST_CASE(generated_grid_solves_and_balances) {
  GridCase c = synthetic_grid(1000, 5);
  BOOST_TEST(c.buses.size() == 1000u);
  const double per_bus = static_cast<double>(c.branches.size()) / c.buses.size();
  BOOST_TEST(per_bus > 1.1);
  BOOST_TEST(per_bus < 1.4);
  PowerFlowResult r = PowerFlow(c).solve({});
  BOOST_TEST_REQUIRE(r.converged);
  BOOST_TEST(r.islanded_buses.empty());
  BOOST_TEST(std::abs(power_balance_error_w(c, r)) < 1e-3 * c.base_va * 1e-6);
  // Same seed, same grid.
  GridCase again = synthetic_grid(1000, 5);
  BOOST_TEST(again.branches.size() == c.branches.size());
  BOOST_TEST(again.branches.back().x_pu == c.branches.back().x_pu);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(workspace)

// Repeated solves with a workspace (pattern, analysis and pivots reused) give the same solution as fresh ones,
// also when the loads change and when Q-limit switching changes the bus types in between.
BOOST_AUTO_TEST_CASE(reused_workspace_gives_the_same_solutions) {
  GridCase c = synthetic_grid(500, 9);
  PowerFlow pf(c);
  PowerFlowWorkspace ws;
  std::vector<double> pd(c.buses.size()), qd(c.buses.size());
  for (int round = 0; round < 4; ++round) {
    for (size_t i = 0; i < c.buses.size(); ++i) {
      pd[i] = c.buses[i].pd_w * (0.6 + 0.2 * round);
      qd[i] = c.buses[i].qd_var * (0.6 + 0.2 * round);
    }
    PowerFlowOptions opt;
    opt.enforce_q_limits = round == 2;
    PowerFlowResult fresh = pf.solve(opt, pd, qd), reused = pf.solve(opt, pd, qd, &ws);
    BOOST_TEST_REQUIRE(fresh.converged);
    BOOST_TEST_REQUIRE(reused.converged);
    for (size_t i = 0; i < c.buses.size(); ++i) {
      BOOST_TEST(reused.vm_pu[i] == fresh.vm_pu[i], boost::test_tools::tolerance(1e-9));
      BOOST_TEST(reused.va_rad[i] == fresh.va_rad[i], boost::test_tools::tolerance(1e-9));
    }
  }
  // A workspace from another network is detected and rebuilt.
  GridCase other = synthetic_grid(300, 2);
  PowerFlow pf2(other);
  PowerFlowResult r2 = pf2.solve({}, {}, {}, &ws), f2 = pf2.solve({});
  BOOST_TEST_REQUIRE(r2.converged);
  BOOST_TEST(r2.vm_pu[100] == f2.vm_pu[100], boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_SUITE_END()
