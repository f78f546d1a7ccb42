#include <boost/test/unit_test.hpp>
#include <cmath>
#include <random>

#include "models/energy/building/rc_zone.hpp"

using namespace citytwin::energy;
namespace tt = boost::test_tools;

namespace {

ZoneRc test_zone() { return make_zone_rc(100, 50, 30, 250, 16.5e6, 450); }

/// Residual of the whole network's energy balance over one step: in - out - stored.
double balance(const ZoneRc& z, const ZoneInputs& in, const ZoneStepResult& r, double tm_before, double tm_after, double dt) {
  double in_w = r.phi_hc_w + in.phi_ia + in.phi_st + in.phi_m;
  double out_w = in.h_ve * (r.theta_air - in.theta_sup) + z.h_tr_w * (r.theta_s - in.theta_e_w) +
                 z.h_tr_em * (r.theta_m_mean - in.theta_e_em) + z.c_m * (tm_after - tm_before) / dt;
  return in_w - out_w;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rc_zone)

BOOST_AUTO_TEST_CASE(opaque_conductance_is_preserved) {
  ZoneRc z = test_zone();
  BOOST_TEST(z.h_tr_op() == 50.0, tt::tolerance(1e-12));
  BOOST_TEST(z.h_tr_ms == 9.1 * 250, tt::tolerance(1e-12));
  BOOST_TEST(z.h_tr_is == 3.45 * 450, tt::tolerance(1e-12));
}

/// The network's steady-state heat-loss coefficient, from its topology (ISO 13790 Fig. C.1): ventilation in
/// parallel with [air-to-surface coupling in series with (windows in parallel with opaque)].
static double network_ua(const ZoneRc& z, double h_ve) { return h_ve + 1 / (1 / z.h_tr_is + 1 / (z.h_tr_w + z.h_tr_op())); }

// Steady state: the heating power equals UA times the temperature difference.
BOOST_AUTO_TEST_CASE(steady_state_heat_loss_is_ua_times_dt) {
  ZoneRc z = test_zone();
  ZoneStepper stepper(z, 3600);
  ZoneInputs in;
  in.theta_e_em = in.theta_e_w = in.theta_sup = -5;
  in.h_ve = 20;
  in.heat_set_c = 20;
  in.cool_set_c = 26;
  ZoneState s{10};
  ZoneStepResult r;
  for (int h = 0; h < 24 * 200; ++h) r = stepper.step(in, s);
  const double ua = network_ua(z, 20);
  BOOST_TEST(ua > 96);  // H_ve + H_tr,w + H_tr,op = 100, less the interior coupling in series
  BOOST_TEST(ua < 100);
  BOOST_TEST(r.phi_hc_w == ua * 25, tt::tolerance(1e-9));
  BOOST_TEST(r.theta_air == 20.0, tt::tolerance(1e-12));
  // Cooling: a hot day with large gains held at 26 C.
  in.theta_e_em = in.theta_e_w = in.theta_sup = 35;
  in.phi_ia = 2000;
  for (int h = 0; h < 24 * 200; ++h) r = stepper.step(in, s);
  BOOST_TEST(r.phi_hc_w == -(ua * 9 + 2000), tt::tolerance(1e-9));
  BOOST_TEST(r.theta_air == 26.0, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(free_floating_steady_state) {
  // No control, gains to the air node only: theta_air = theta_e + phi / UA.
  ZoneRc z = test_zone();
  ZoneStepper stepper(z, 3600);
  ZoneInputs in;
  in.theta_e_em = in.theta_e_w = in.theta_sup = 10;
  in.h_ve = 20;
  in.phi_ia = 1000;
  in.heat_set_c = -1e9;
  in.cool_set_c = 1e9;
  ZoneState s{10};
  ZoneStepResult r;
  for (int h = 0; h < 24 * 200; ++h) r = stepper.step(in, s);
  BOOST_TEST(r.phi_hc_w == 0.0);
  BOOST_TEST(r.theta_air == 10 + 1000 / network_ua(z, 20), tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(energy_balance_closes_every_step) {
  ZoneRc z = test_zone();
  ZoneStepper stepper(z, 3600);
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> temp(-15, 40), gain(0, 1500), ve(5, 80);
  ZoneState s{18};
  double worst = 0;
  int heating = 0, cooling = 0;
  for (int h = 0; h < 5000; ++h) {
    ZoneInputs in;
    in.theta_e_em = temp(rng);
    in.theta_e_w = in.theta_e_em - 2;
    in.theta_sup = in.theta_e_em - 1;
    in.h_ve = ve(rng);
    GainSplit g = split_gains(z, gain(rng), 0.4, gain(rng));
    in.phi_ia = g.phi_ia;
    in.phi_st = g.phi_st;
    in.phi_m = g.phi_m;
    in.heat_max_w = h % 7 == 0 ? 500 : 1e30;  // sometimes capacity-limited
    double before = s.theta_m;
    ZoneStepResult r = stepper.step(in, s);
    worst = std::max(worst, std::abs(balance(z, in, r, before, s.theta_m, 3600)));
    heating += r.phi_hc_w > 0;
    cooling += r.phi_hc_w < 0;
    if (r.phi_hc_w > 0 && r.phi_hc_w < in.heat_max_w) BOOST_TEST_REQUIRE(r.theta_air == 20.0, tt::tolerance(1e-9));
  }
  BOOST_TEST(heating > 100);
  BOOST_TEST(cooling > 100);
  BOOST_TEST(worst < 1e-6);
}

BOOST_AUTO_TEST_CASE(gain_split_sums_to_the_gains) {
  ZoneRc z = test_zone();
  GainSplit g = split_gains(z, 1000, 0.4, 600);
  BOOST_TEST(g.phi_ia + g.phi_st + g.phi_m + g.phi_lost == 1600.0, tt::tolerance(1e-12));
  BOOST_TEST(g.phi_ia == 400.0, tt::tolerance(1e-12));
  BOOST_TEST(g.phi_m == 250.0 / 450 * 1200, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_SUITE_END()
