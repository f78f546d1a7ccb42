#include "models/energy/building/bestest.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "models/energy/building/glazing.hpp"
#include "models/energy/building/rc_zone.hpp"
#include "models/energy/weather/solar.hpp"

namespace citytwin::energy {
namespace {

constexpr double kSigma = 5.670374419e-8;
constexpr double kAirCp = 1006.0;        // J/kgK, dry air
constexpr double kAirGasConstant = 287.05;  // J/kgK
constexpr double kPi = std::numbers::pi;

// Geometry: 8 m (E-W) x 6 m (N-S) x 2.7 m, two 3 m x 2 m windows in the south wall.
constexpr double kLength = 8, kDepth = 6, kHeight = 2.7, kWindowArea = 12;
constexpr double kSolarAbsorptance = 0.6, kOpaqueEmissivity = 0.9;
constexpr double kInternalGains = 200, kConvectiveFraction = 0.4;
constexpr double kAirChangesPerHour = 0.5;
constexpr double kHeatSet = 20, kCoolSet = 27;
constexpr double kGroundAlbedo = 0.2;

/// Radiative coefficient between a surface and the sky (linearised sigma T^4 at their mean temperature).
double radiative_h(double emissivity, double theta_a_c, double theta_b_c) {
  double tm = 0.5 * (theta_a_c + theta_b_c) + 273.15;
  return 4 * emissivity * kSigma * tm * tm * tm;
}

}  // namespace

BestestConstructions bestest_constructions(BestestCase c) {
  BestestConstructions k;
  k.roof = {"roof", {{"roof deck", 0.019, 0.14, 530, 900}, {"fibreglass quilt", 0.1118, 0.040, 12, 840},
                     {"plasterboard", 0.010, 0.16, 950, 840}}};
  if (c == BestestCase::case600) {
    k.wall = {"600 wall", {{"wood siding", 0.009, 0.14, 530, 900}, {"fibreglass quilt", 0.066, 0.040, 12, 840},
                           {"plasterboard", 0.012, 0.16, 950, 840}}};
    k.floor = {"600 floor", {{"insulation", 1.003, 0, 0, 0, 25.075}, {"timber flooring", 0.025, 0.14, 650, 1200}}};
  } else {
    k.wall = {"900 wall", {{"wood siding", 0.009, 0.14, 530, 900}, {"foam insulation", 0.0615, 0.040, 10, 1400},
                           {"concrete block", 0.100, 0.51, 1400, 1000}}};
    k.floor = {"900 floor", {{"insulation", 1.007, 0, 0, 0, 25.175}, {"concrete slab", 0.080, 1.13, 1400, 1000}}};
  }
  return k;
}

BestestResult run_bestest(BestestCase which, const Weather& w, bool free_float) {
  const BestestConstructions k = bestest_constructions(which);
  const double floor_area = kLength * kDepth, volume = floor_area * kHeight;
  const double a_south = kLength * kHeight - kWindowArea, a_north = kLength * kHeight;
  const double a_east = kDepth * kHeight, a_west = a_east, a_roof = floor_area, a_floor = floor_area;
  const double a_walls = a_south + a_north + a_east + a_west;

  // The floor's underside faces outdoor air without sun or wind: still-air film like an inside surface.
  const double u_wall = k.wall.u_value(kRsiWall), u_roof = k.roof.u_value(kRsiRoof);
  const double u_floor = k.floor.u_value(kRsiFloor, kRsiFloor);
  const double h_op = u_wall * a_walls + u_roof * a_roof + u_floor * a_floor;

  // 140-2020 glass: 3.048 mm panes, T 0.834, R 0.075, 12 mm air gap.
  const Glazing glass(PaneSpec{0.834, 0.075, 0.003048, 1.0, 0.84}, 2, 0.012, kRsiWall, kRseOutside);
  const double h_w = glass.u_value() * kWindowArea;

  // ISO 13790 sec. 12.3.1.2: C_m = sum kappa_j A_j, A_m = C_m^2 / sum(A_j kappa_j^2).
  const double kw = k.wall.internal_heat_capacity(), kr = k.roof.internal_heat_capacity(),
               kf = k.floor.internal_heat_capacity();
  const double c_m = kw * a_walls + kr * a_roof + kf * a_floor;
  const double a_m = c_m * c_m / (a_walls * kw * kw + a_roof * kr * kr + a_floor * kf * kf);
  const double a_t = a_walls + kWindowArea + a_roof + a_floor;
  const ZoneRc rc = make_zone_rc(floor_area, h_op, h_w, a_m, c_m, a_t);
  const ZoneStepper stepper(rc, w.step_s());

  const auto sun = sun_hours(w);
  const Plane south{kPi / 2, 0}, north{kPi / 2, kPi}, east{kPi / 2, -kPi / 2}, west{kPi / 2, kPi / 2}, roof{0, 0};
  const auto i_s = plane_series(w, sun, south, kGroundAlbedo), i_n = plane_series(w, sun, north, kGroundAlbedo),
             i_e = plane_series(w, sun, east, kGroundAlbedo), i_w = plane_series(w, sun, west, kGroundAlbedo),
             i_r = plane_series(w, sun, roof, kGroundAlbedo);

  const double wall_sky = sky_long_wave_fraction(kPi / 2), roof_sky = sky_long_wave_fraction(0);
  BestestResult res;
  double previous_air_c = kHeatSet;
  res.window_u = glass.u_value();
  res.window_shgc_normal = glass.shgc(1.0);
  res.air_temperature_c.resize(w.size());
  res.load_w.resize(w.size());
  ZoneState state{20.0};
  double h_ve_sum = 0;
  const double hours_per_record = w.step_s() / 3600.0;

  for (size_t t = 0; t < w.size(); ++t) {
    const double te = w.dry_bulb_c[t];
    const double tsky = sky_temperature_c(w.horizontal_ir_wm2[t]);
    // Sol-air temperatures (ISO 13790 eq. 44-46 as temperatures): absorbed solar and long-wave exchange with
    // the sky over the outside surface resistance.
    const double hr = radiative_h(kOpaqueEmissivity, te, tsky);
    auto sol_air = [&](double irr, double f_sky) {
      return kRseOutside * (kSolarAbsorptance * irr - f_sky * hr * (te - tsky));
    };
    const double lift = u_wall * (a_south * sol_air(i_s[t].total(), wall_sky) + a_north * sol_air(i_n[t].total(), wall_sky) +
                                  a_east * sol_air(i_e[t].total(), wall_sky) + a_west * sol_air(i_w[t].total(), wall_sky)) +
                        u_roof * a_roof * sol_air(i_r[t].total(), roof_sky);
    ZoneInputs in;
    in.theta_e_em = te + lift / h_op;
    in.theta_e_w = te - wall_sky * radiative_h(0.84, te, tsky) * kRseOutside * (te - tsky);
    in.theta_sup = te;
    // Air changes are of the zone's air: the mass exchanged is at the zone's density (station pressure, the
    // air temperature of the previous step).
    const double rho = w.pressure_pa[t] / (kAirGasConstant * (previous_air_c + 273.15));
    in.h_ve = rho * kAirCp * kAirChangesPerHour * volume / 3600.0;
    h_ve_sum += in.h_ve;
    const double solar = kWindowArea * (glass.shgc(i_s[t].cos_incidence) * i_s[t].beam_wm2 +
                                        glass.shgc_diffuse() * (i_s[t].sky_diffuse_wm2 + i_s[t].ground_wm2));
    const GainSplit g = split_gains(rc, kInternalGains, kConvectiveFraction, solar);
    in.phi_ia = g.phi_ia;
    in.phi_st = g.phi_st;
    in.phi_m = g.phi_m;
    in.heat_set_c = free_float ? -1e30 : kHeatSet;
    in.cool_set_c = free_float ? 1e30 : kCoolSet;

    const double tm_prev = state.theta_m;
    const ZoneStepResult r = stepper.step(in, state);
    // Energy balance of the whole network over the step: what enters = what leaves + what is stored.
    const double in_w = r.phi_hc_w + in.phi_ia + in.phi_st + in.phi_m;
    const double out_w = in.h_ve * (r.theta_air - in.theta_sup) + rc.h_tr_w * (r.theta_s - in.theta_e_w) +
                         rc.h_tr_em * (r.theta_m_mean - in.theta_e_em) + rc.c_m * (state.theta_m - tm_prev) / w.step_s();
    res.max_balance_error_w = std::max(res.max_balance_error_w, std::abs(in_w - out_w));

    res.air_temperature_c[t] = r.theta_air;
    previous_air_c = r.theta_air;
    res.load_w[t] = r.phi_hc_w;
    const double wh = r.phi_hc_w * hours_per_record;
    if (r.phi_hc_w > 0) res.heating_mwh += wh / 1e6;
    else res.cooling_mwh -= wh / 1e6;
    if (r.phi_hc_w / 1e3 > res.peak_heating_kw) {
      res.peak_heating_kw = r.phi_hc_w / 1e3;
      res.peak_heating_hour = static_cast<int>(t);
    }
    if (-r.phi_hc_w / 1e3 > res.peak_cooling_kw) {
      res.peak_cooling_kw = -r.phi_hc_w / 1e3;
      res.peak_cooling_hour = static_cast<int>(t);
    }
  }
  res.ua_w_k = h_op + h_w + h_ve_sum / std::max<size_t>(w.size(), 1);
  return res;
}

}  // namespace citytwin::energy
