#include "models/energy/building/rc_zone.hpp"

#include <algorithm>

namespace citytwin::energy {

namespace {
constexpr double kHms = 9.1;   // W/m2K, ISO 13790 eq. 64
constexpr double kHis = 3.45;  // W/m2K, ISO 13790 eq. 9
}  // namespace

ZoneRc make_zone_rc(double floor_area_m2, double h_tr_op, double h_tr_w, double a_m_m2, double c_m, double a_t_m2) {
  ZoneRc z;
  z.floor_area_m2 = floor_area_m2;
  z.h_tr_w = h_tr_w;
  z.a_m_m2 = a_m_m2;
  z.a_t_m2 = a_t_m2;
  z.c_m = c_m;
  z.h_tr_ms = kHms * a_m_m2;
  z.h_tr_is = kHis * a_t_m2;
  // ISO 13790 eq. 63: 1/H_tr,em = 1/H_tr,op - 1/H_tr,ms. A light zone with a large H_tr,op would make it
  // negative: the mass coupling then bounds the opaque conductance.
  double inv = 1 / h_tr_op - 1 / z.h_tr_ms;
  z.h_tr_em = inv > 1e-9 ? 1 / inv : 1e9;
  return z;
}

GainSplit split_gains(const ZoneRc& z, double internal_w, double convective_fraction, double solar_w) {
  double radiant = (1 - convective_fraction) * internal_w + solar_w;
  double to_mass = z.a_m_m2 / z.a_t_m2;
  double lost = z.h_tr_w / (kHms * z.a_t_m2);
  GainSplit g;
  g.phi_ia = convective_fraction * internal_w;
  g.phi_m = to_mass * radiant;
  g.phi_lost = lost * radiant;
  g.phi_st = radiant - g.phi_m - g.phi_lost;
  return g;
}

ZoneStepResult ZoneStepper::evaluate(const ZoneInputs& in, const ZoneState& state, double phi_hc,
                                     double& theta_m_end) const {
  // ISO 13790 eq. C.1-C.11, with separate outside temperatures for H_tr,w and H_tr,em.
  const ZoneRc& z = rc;
  const double h_ve = std::max(in.h_ve, 1e-9);
  const double h1 = 1 / (1 / h_ve + 1 / z.h_tr_is);
  const double h2 = h1 + z.h_tr_w;
  const double h3 = 1 / (1 / h2 + 1 / z.h_tr_ms);
  const double phi_air = in.phi_ia + phi_hc;
  const double phi_mtot = in.phi_m + z.h_tr_em * in.theta_e_em +
                          h3 * (in.phi_st + z.h_tr_w * in.theta_e_w + h1 * (phi_air / h_ve + in.theta_sup)) / h2;
  const double c_dt = z.c_m / dt_s;
  theta_m_end = (state.theta_m * (c_dt - 0.5 * (h3 + z.h_tr_em)) + phi_mtot) / (c_dt + 0.5 * (h3 + z.h_tr_em));
  ZoneStepResult r;
  r.phi_hc_w = phi_hc;
  r.theta_m_mean = 0.5 * (theta_m_end + state.theta_m);
  r.theta_s = (z.h_tr_ms * r.theta_m_mean + in.phi_st + z.h_tr_w * in.theta_e_w + h1 * (in.theta_sup + phi_air / h_ve)) /
              (z.h_tr_ms + z.h_tr_w + h1);
  r.theta_air = (z.h_tr_is * r.theta_s + h_ve * in.theta_sup + phi_air) / (z.h_tr_is + h_ve);
  return r;
}

ZoneStepResult ZoneStepper::step(const ZoneInputs& in, ZoneState& state) const {
  // ISO 13790 sec. C.4.2: free-floating first; if outside the set-point band, the power that brings the air
  // exactly to the set point follows from the network's linearity. The derivatives of the node temperatures
  // with respect to the heating power come from eq. C.4-C.11 differentiated (they do not depend on the inputs).
  double tm0 = 0;
  ZoneStepResult r = evaluate(in, state, 0.0, tm0);
  double target;
  if (r.theta_air < in.heat_set_c) target = in.heat_set_c;
  else if (r.theta_air > in.cool_set_c) target = in.cool_set_c;
  else {
    state.theta_m = tm0;
    return r;
  }
  const ZoneRc& z = rc;
  const double h_ve = std::max(in.h_ve, 1e-9);
  const double h1 = 1 / (1 / h_ve + 1 / z.h_tr_is);
  const double h2 = h1 + z.h_tr_w;
  const double h3 = 1 / (1 / h2 + 1 / z.h_tr_ms);
  const double d_m_end = (h3 * h1 / (h2 * h_ve)) / (z.c_m / dt_s + 0.5 * (h3 + z.h_tr_em));
  const double d_s = (z.h_tr_ms * 0.5 * d_m_end + h1 / h_ve) / (z.h_tr_ms + z.h_tr_w + h1);
  const double d_air = (z.h_tr_is * d_s + 1) / (z.h_tr_is + h_ve);
  const double phi = std::clamp((target - r.theta_air) / d_air, -in.cool_max_w, in.heat_max_w);
  r.phi_hc_w = phi;
  r.theta_air += d_air * phi;
  r.theta_s += d_s * phi;
  r.theta_m_mean += 0.5 * d_m_end * phi;
  state.theta_m = tm0 + d_m_end * phi;
  return r;
}

}  // namespace citytwin::energy
