// Hand-checkable cases: one pipe, one valve, one emitter, one pressure-driven junction, a tank's mass
// balance. Each expected value comes from the governing equation solved here by bisection, not from the
// solver under test.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <functional>
#include <string>

#include "models/water/io/inp_reader.hpp"
#include "models/water/report.hpp"

using namespace citytwin::water;

namespace {

// Root of a monotone function on [lo, hi].
double bisect(const std::function<double(double)>& f, double lo, double hi) {
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if ((f(lo) < 0) == (f(mid) < 0)) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// Hazen-Williams in SI as EPANET writes it (4.727 in ft-cfs units): h = r q^1.852.
double hw_resistance(double length_m, double diameter_m, double c) {
  const double ft = 0.3048, cf = ft * ft * ft;
  return 4.727 * (length_m / ft) / std::pow(c, 1.852) / std::pow(diameter_m / ft, 4.871) * ft / std::pow(cf, 1.852);
}

const double kLpsToM3s = 0.028316846592 / 28.317;  // EPANET's L/s

struct Solved {
  Network net;
  HydraulicState state;
};

Solved solve_text(const std::string& text) {
  Solved s{parse_inp(text, "case.inp"), {}};
  HydraulicRun run(s.net);
  run.run();
  BOOST_REQUIRE(run.last_solve().converged);
  s.state = run.state();
  return s;
}

double head(const Solved& s, const std::string& node) { return s.state.head_m[s.net.node_index.at(node)]; }
double flow(const Solved& s, const std::string& link) { return s.state.flow_m3s[s.net.link_index.at(link)]; }

const char* kOptions = "[OPTIONS]\nUnits LPS\nHeadloss H-W\nAccuracy 0.000001\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(analytic)

BOOST_AUTO_TEST_CASE(single_pipe_hazen_williams) {
  const Solved s = solve_text(std::string(kOptions) +
                              "[RESERVOIRS]\nR 100\n[JUNCTIONS]\nJ 10 20\n[PIPES]\nP R J 1000 200 100\n");
  const double q = 20 * kLpsToM3s;
  BOOST_CHECK_CLOSE(flow(s, "P"), q, 1e-6);
  BOOST_CHECK_CLOSE(head(s, "J"), 100.0 - hw_resistance(1000, 0.2, 100) * std::pow(q, 1.852), 1e-6);
}

BOOST_AUTO_TEST_CASE(prv_holds_its_downstream_pressure) {
  // 100 m reservoir, PRV set to 30 m at a junction at elevation 5 m: head 35 m downstream whatever the pipe.
  const Solved s = solve_text(std::string(kOptions) +
                              "[RESERVOIRS]\nR 100\n[JUNCTIONS]\nA 0 0\nB 5 0\nC 0 10\n[PIPES]\nP1 R A 100 300 120\n"
                              "P2 B C 500 150 120\n[VALVES]\nV A B 300 PRV 30 0\n");
  BOOST_CHECK_CLOSE(head(s, "B"), 35.0, 1e-6);
  BOOST_CHECK_CLOSE(flow(s, "V"), 10 * kLpsToM3s, 1e-6);
  BOOST_CHECK(s.state.status[s.net.link_index.at("V")] == LinkStatus::Active);
}

BOOST_AUTO_TEST_CASE(psv_holds_its_upstream_pressure) {
  // The PSV keeps 40 m at A (elevation 0); the pipe from the reservoir must then carry q with
  // r q^1.852 = 100 - 40, and all of it passes the valve to the low reservoir.
  const Solved s = solve_text(std::string(kOptions) +
                              "[RESERVOIRS]\nR 100\nL 0\n[JUNCTIONS]\nA 0 0\nB 0 0\n[PIPES]\nP1 R A 1000 200 100\n"
                              "P2 B L 10 400 140\n[VALVES]\nV A B 200 PSV 40 0\n");
  BOOST_CHECK_CLOSE(head(s, "A"), 40.0, 1e-6);
  const double q = std::pow(60.0 / hw_resistance(1000, 0.2, 100), 1.0 / 1.852);
  BOOST_CHECK_CLOSE(flow(s, "P1"), q, 1e-4);
}

BOOST_AUTO_TEST_CASE(fcv_limits_the_flow_and_pbv_the_head_drop) {
  const Solved f = solve_text(std::string(kOptions) +
                              "[RESERVOIRS]\nR 100\nL 0\n[JUNCTIONS]\nA 0 0\nB 0 0\n[PIPES]\nP1 R A 100 300 120\n"
                              "P2 B L 100 300 120\n[VALVES]\nV A B 300 FCV 25 0\n");
  // Within the leak of EPANET's closed-link conductance (1e-8 cfs/ft) across the valve.
  BOOST_CHECK_CLOSE(flow(f, "V"), 25 * kLpsToM3s, 1e-3);
  const Solved b = solve_text(std::string(kOptions) +
                              "[RESERVOIRS]\nR 100\nL 0\n[JUNCTIONS]\nA 0 0\nB 0 0\n[PIPES]\nP1 R A 1000 200 100\n"
                              "P2 B L 1000 200 100\n[VALVES]\nV A B 200 PBV 20 0\n");
  BOOST_CHECK_CLOSE(head(b, "A") - head(b, "B"), 20.0, 1e-4);
  // Both pipes equal: each loses (100 - 20) / 2.
  BOOST_CHECK_CLOSE(head(b, "A"), 60.0, 1e-4);
}

BOOST_AUTO_TEST_CASE(tcv_is_a_minor_loss) {
  // TCV with K = 50 on 200 mm: h = K v^2 / 2g (EPANET's 0.02517 constant in ft-cfs units).
  const Solved s = solve_text(std::string(kOptions) +
                              "[RESERVOIRS]\nR 100\nL 0\n[JUNCTIONS]\nA 0 0\nB 0 0\n[PIPES]\nP1 R A 1000 200 100\n"
                              "P2 B L 1000 200 100\n[VALVES]\nV A B 200 TCV 50 0\n");
  const double ft = 0.3048, cf = ft * ft * ft, d = 0.2 / ft;
  const double m = 0.02517 * 50 / (d * d * d * d) * ft / (cf * cf);
  const double r = hw_resistance(1000, 0.2, 100);
  const double q = bisect([&](double x) { return 2 * r * std::pow(x, 1.852) + m * x * x - 100.0; }, 0, 1);
  BOOST_CHECK_CLOSE(flow(s, "V"), q, 1e-3);
}

BOOST_AUTO_TEST_CASE(check_valve_blocks_reverse_flow) {
  // The pipe with a check valve points from the low reservoir to the high one: it must carry nothing.
  const Solved s = solve_text(std::string(kOptions) +
                              "[RESERVOIRS]\nHI 100\nLO 50\n[JUNCTIONS]\nA 0 10\n[PIPES]\nP1 HI A 500 200 100\n"
                              "P2 LO A 500 200 100 0 CV\n");
  BOOST_CHECK(is_closed(s.state.status[s.net.link_index.at("P2")]));
  // A closed link keeps EPANET's 1e-8 cfs/ft conductance: a leak of about 5e-8 m3/s here.
  BOOST_CHECK_CLOSE(flow(s, "P1"), 10 * kLpsToM3s, 1e-3);
  BOOST_CHECK_CLOSE(head(s, "A"), 100.0 - hw_resistance(500, 0.2, 100) * std::pow(10 * kLpsToM3s, 1.852), 1e-5);
}

BOOST_AUTO_TEST_CASE(emitter_discharges_c_times_root_pressure) {
  // q = C p^0.5 (C in L/s per m^0.5) at the end of one pipe: H_R - r q^1.852 - z = (q / C)^2.
  const Solved s = solve_text(std::string(kOptions) +
                              "[RESERVOIRS]\nR 60\n[JUNCTIONS]\nJ 10 0\n[PIPES]\nP R J 800 150 110\n[EMITTERS]\nJ 2.0\n");
  const double r = hw_resistance(800, 0.15, 110), c = 2.0 * kLpsToM3s;
  const double q = bisect([&](double x) { return 50.0 - r * std::pow(x, 1.852) - (x / c) * (x / c); }, 0, 1);
  BOOST_CHECK_CLOSE(flow(s, "P"), q, 1e-4);
  BOOST_CHECK_CLOSE(s.state.emitter_flow_m3s[s.net.node_index.at("J")], q, 1e-4);
}

BOOST_AUTO_TEST_CASE(pressure_driven_demand_follows_wagner) {
  // Wagner: d = D ((p - pmin) / (preq - pmin))^0.5 for pmin < p < preq. A 100 L/s demand behind a long
  // thin pipe cannot get its required 30 m.
  const Solved s = solve_text(std::string(kOptions) +
                              "Demand Model PDA\nMinimum Pressure 5\nRequired Pressure 30\nPressure Exponent 0.5\n"
                              "[RESERVOIRS]\nR 40\n[JUNCTIONS]\nJ 0 100\n[PIPES]\nP R J 2000 200 100\n");
  const double r = hw_resistance(2000, 0.2, 100), dfull = 100 * kLpsToM3s;
  const double d = bisect(
      [&](double x) {
        const double p = 40.0 - r * std::pow(x, 1.852);
        return x - dfull * std::sqrt(std::max(0.0, (p - 5.0) / 25.0));
      },
      0, dfull);
  BOOST_CHECK_CLOSE(flow(s, "P"), d, 1e-3);
  BOOST_CHECK_LT(flow(s, "P"), dfull);
}

BOOST_AUTO_TEST_CASE(tank_volume_is_the_integral_of_its_inflow) {
  // Net1's tank: V(t) - V(0) = sum of inflow x step over the run (EPANET's mass balance).
  const Network net = read_inp(std::string(CITYTWIN_TEST_DATA) + "/water/Net1.inp");
  HydraulicRun run(net);
  const int tank = 1;  // tanks[1] is tank "2"
  const int node = net.tanks[tank].node;
  double integral = 0;
  const double v0 = run.state().tank_volume_m3[tank];
  long step = 0;
  do {
    run.run();
    const double inflow = run.state().demand_m3s[node];
    step = run.next();
    integral += inflow * static_cast<double>(step);
  } while (step > 0);
  BOOST_CHECK_CLOSE(run.state().tank_volume_m3[tank] - v0, integral, 1e-6);
  BOOST_CHECK_GT(std::abs(integral), 100.0);  // the tank does move
}

BOOST_AUTO_TEST_SUITE_END()
