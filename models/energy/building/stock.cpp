#include "models/energy/building/stock.hpp"

#include <oneapi/tbb/parallel_for.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "engine/geo/geometry.hpp"
#include "models/energy/building/constructions.hpp"
#include "models/energy/building/rc_zone.hpp"

namespace citytwin::energy {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kSigma = 5.670374419e-8;
constexpr double kAirCp = 1006.0, kAirGasConstant = 287.05;
constexpr double kConvectiveFraction = 0.5;  // ISO 13790 eq. C.1: half the internal gains to the air node

/// A 24-hour profile: `base` outside [from, to), `peak` inside.
std::array<double, 24> profile(double base, int from, int to, double peak) {
  std::array<double, 24> p{};
  for (int h = 0; h < 24; ++h) p[h] = (h >= from && h < to) ? peak : base;
  return p;
}

std::array<double, 24> residential_profile() {
  // After ISO 13790:2008 Table G.8 (dwellings): low at night, moderate by day, high in the evening.
  std::array<double, 24> p{};
  for (int h = 0; h < 24; ++h) p[h] = h < 7 || h >= 23 ? 2.0 : h < 17 ? 3.0 : 8.0;
  return p;
}

// Defaults by use class (order of UseClass): residential, commercial, office, industrial, public, other.
// Gains (W per m2 of floor): residential after ISO 13790 Table G.8, office 20 W/m2 in working hours after
// Table G.9; the others are assumptions of the same order. Set points 20 / 26 C: EN 16798-1 category II.
const UseDefaults kUseDefaults[kUseClassCount] = {
    {0.20, 0.5, residential_profile(), residential_profile(), 0.7, 20, 26},
    {0.40, 1.0, profile(2, 8, 20, 15), profile(2, 9, 19, 12), 0.8, 20, 26},
    {0.40, 1.0, profile(2, 7, 17, 20), profile(2, 0, 0, 2), 0.8, 20, 26},
    {0.15, 0.5, profile(2, 7, 17, 10), profile(2, 0, 0, 2), 0.8, 18, 28},
    {0.30, 1.0, profile(2, 8, 18, 12), profile(2, 0, 0, 2), 0.8, 20, 26},
    {0.20, 0.5, profile(2, 0, 0, 2), profile(2, 0, 0, 2), 0.7, 20, 26},
};

/// Facade bin of an outward normal (east, north): 0 south, 1 west, 2 north, 3 east.
int facade_of(double nx, double ny) {
  double azimuth = std::atan2(-nx, -ny);  // from south, west positive
  int bin = static_cast<int>(std::floor((azimuth + kPi / 4) / (kPi / 2)));
  return ((bin % 4) + 4) % 4;
}

/// Adds each edge of a ring to the facade lengths (outward normals whatever the ring's winding).
void add_ring(const Ring& ring, std::array<double, kFacades>& length) {
  const size_t n = ring.size();
  if (n < 3) return;
  const double sign = signed_area(ring) >= 0 ? 1.0 : -1.0;  // counter-clockwise: outward normal is (dy, -dx)
  for (size_t k = 0; k < n; ++k) {
    const Point2 &a = ring[k], &b = ring[(k + 1) % n];
    double dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
    if (len <= 0) continue;
    length[facade_of(sign * dy / len, -sign * dx / len)] += len;
  }
}

}  // namespace

const UseDefaults& use_defaults(UseClass use) { return kUseDefaults[static_cast<int>(use)]; }

BuildingStock make_stock(const City& city, const EnvelopeDefaults& env) {
  BuildingStock s;
  s.envelope = env;
  const size_t n = city.buildings.size();
  s.use.resize(n);
  for (auto* v : {&s.floor_area_m2, &s.roof_area_m2, &s.volume_m3, &s.roof_ua_w_k, &s.floor_ua_w_k, &s.h_op_w_k,
                  &s.h_w_w_k, &s.h_tr_em, &s.h_tr_ms, &s.h_tr_is, &s.c_m, &s.a_m_m2, &s.a_t_m2})
    v->assign(n, 0.0);
  s.wall_ua_w_k.assign(n, {});
  s.window_area_m2.assign(n, {});
  const Glazing glass(PaneSpec{}, 2, 0.012, kRsiWall, kRseOutside);
  for (size_t i = 0; i < n; ++i) {
    const Building& b = city.buildings[i];
    const UseDefaults& u = use_defaults(b.use);
    s.use[i] = static_cast<std::uint8_t>(b.use);
    std::array<double, kFacades> length{};
    for (const auto& poly : b.footprint) {
      add_ring(poly.outer, length);
      for (const auto& hole : poly.holes) add_ring(hole, length);
    }
    const double footprint = std::max(b.area_m2, 1.0);
    const double height = std::max(b.height_m, 3.0);
    const double floor_area = std::max(b.floor_area_m2, footprint);
    s.floor_area_m2[i] = floor_area;
    s.roof_area_m2[i] = footprint;
    s.volume_m3[i] = footprint * height;
    double walls_ua = 0, window_area = 0;
    for (int f = 0; f < kFacades; ++f) {
      const double gross = length[f] * height;
      const double openings = u.window_to_wall * gross;
      s.window_area_m2[i][f] = openings * (1 - env.frame_fraction);
      s.wall_ua_w_k[i][f] = env.u_wall * (gross - openings);
      walls_ua += s.wall_ua_w_k[i][f];
      window_area += openings;
    }
    s.roof_ua_w_k[i] = env.u_roof * footprint;
    s.floor_ua_w_k[i] = env.u_ground_floor * footprint;
    s.h_op_w_k[i] = walls_ua + s.roof_ua_w_k[i] + s.floor_ua_w_k[i];
    s.h_w_w_k[i] = glass.u_value() * window_area;
    const ZoneRc rc = make_zone_rc(floor_area, s.h_op_w_k[i], s.h_w_w_k[i], env.a_m_per_floor_area * floor_area,
                                   env.kappa_per_floor_area * floor_area, env.a_t_per_floor_area * floor_area);
    s.h_tr_em[i] = rc.h_tr_em;
    s.h_tr_ms[i] = rc.h_tr_ms;
    s.h_tr_is[i] = rc.h_tr_is;
    s.c_m[i] = rc.c_m;
    s.a_m_m2[i] = rc.a_m_m2;
    s.a_t_m2[i] = rc.a_t_m2;
  }
  return s;
}

std::vector<ClimateHour> climate_hours(const Weather& w, const EnvelopeDefaults& env) {
  const auto sun = sun_hours(w, irradiance_time_shift_h(w));
  const Glazing glass(PaneSpec{}, 2, 0.012, kRsiWall, kRseOutside);
  const double wall_sky = sky_long_wave_fraction(kPi / 2), roof_sky = sky_long_wave_fraction(0);
  const Plane facades[kFacades] = {{kPi / 2, 0}, {kPi / 2, kPi / 2}, {kPi / 2, kPi}, {kPi / 2, -kPi / 2}};
  std::vector<ClimateHour> out(w.size());
  for (size_t t = 0; t < w.size(); ++t) {
    ClimateHour& c = out[t];
    const double te = w.dry_bulb_c[t], tsky = sky_temperature_c(w.horizontal_ir_wm2[t]);
    auto h_r = [&](double eps) {
      double tm = 0.5 * (te + tsky) + 273.15;
      return 4 * eps * kSigma * tm * tm * tm;
    };
    c.theta_e = te;
    c.pressure_pa = w.pressure_pa[t];
    for (int f = 0; f < kFacades; ++f) {
      auto irr = plane_irradiance(sun[t], facades[f], w.dni_wm2[t], w.dhi_wm2[t], w.ghi_wm2[t], 0.2);
      c.sol_air_lift[f] = kRseOutside * (env.solar_absorptance * irr.total() - wall_sky * h_r(env.emissivity) * (te - tsky));
      c.window_gain_w_m2[f] = glass.shgc(irr.cos_incidence) * irr.beam_wm2 +
                              glass.shgc_diffuse() * (irr.sky_diffuse_wm2 + irr.ground_wm2);
    }
    auto roof = plane_irradiance(sun[t], Plane{0, 0}, w.dni_wm2[t], w.dhi_wm2[t], w.ghi_wm2[t], 0.2);
    c.roof_sol_air_lift = kRseOutside * (env.solar_absorptance * roof.total() - roof_sky * h_r(env.emissivity) * (te - tsky));
    c.window_sky_lift = -wall_sky * h_r(0.84) * kRseOutside * (te - tsky);
  }
  return out;
}

StockState::StockState(size_t n)
    : theta_m(n, 20.0), theta_air(n, 20.0), heating_w(n, 0.0), cooling_w(n, 0.0), electric_w(n, 0.0) {}

namespace {

/// The 5R1C step of ISO 13790 Annex C (rc_zone.cpp) with its per-building constants factored out: the
/// node equations are linear with constant conductances, so only the inputs change from hour to hour.
void prepare(const BuildingStock& s, double dt_s, double pressure_pa, StockState::Coefficients& k) {
  const size_t n = s.size();
  for (auto* v : {&k.h_ve, &k.h1, &k.h1_over_hve, &k.k_sup, &k.k_w, &k.k_em, &k.k_st, &k.k_air, &k.inv_den, &k.num, &k.inv_s, &k.inv_a,
                  &k.d_m_end, &k.to_mass, &k.to_surface, &k.inv_h_op, &k.heat_set_c, &k.cool_set_c,
                  &k.electric_share, &k.inv_d_air})
    v->assign(n, 0.0);
  const double rho = pressure_pa / (kAirGasConstant * (20.0 + 273.15));
  tbb::parallel_for(size_t{0}, n, [&](size_t i) {
    const UseDefaults& u = kUseDefaults[s.use[i]];
    const double h_ve = std::max(rho * kAirCp * u.air_changes_h * s.volume_m3[i] / 3600.0, 1e-9);
    const double h_is = s.h_tr_is[i], h_ms = s.h_tr_ms[i], h_w = s.h_w_w_k[i], h_em = s.h_tr_em[i];
    const double h1 = 1 / (1 / h_ve + 1 / h_is), h2 = h1 + h_w, h3 = 1 / (1 / h2 + 1 / h_ms);
    const double c_dt = s.c_m[i] / dt_s;
    k.h_ve[i] = h_ve;
    k.h1[i] = h1;
    k.h1_over_hve[i] = h1 / h_ve;
    // phi_mtot = phi_m + h_em te_em + h3/h2 (phi_st + h_w te_w + h1 (phi_air / h_ve + te_sup))
    k.k_em[i] = h_em;
    k.k_st[i] = h3 / h2;
    k.k_w[i] = h3 / h2 * h_w;
    k.k_sup[i] = h3 / h2 * h1;
    k.k_air[i] = h3 / h2 * h1 / h_ve;
    k.inv_den[i] = 1 / (c_dt + 0.5 * (h3 + h_em));
    k.num[i] = c_dt - 0.5 * (h3 + h_em);
    k.inv_s[i] = 1 / (h_ms + h_w + h1);
    k.inv_a[i] = 1 / (h_is + h_ve);
    k.d_m_end[i] = k.k_air[i] * k.inv_den[i];
    const double d_s = (h_ms * 0.5 * k.d_m_end[i] + h1 / h_ve) * k.inv_s[i];
    const double d_air = (h_is * d_s + 1) * k.inv_a[i];
    k.to_mass[i] = s.a_m_m2[i] / s.a_t_m2[i];
    k.to_surface[i] = 1 - k.to_mass[i] - h_w / (9.1 * s.a_t_m2[i]);
    k.inv_h_op[i] = 1 / s.h_op_w_k[i];
    k.heat_set_c[i] = u.heat_set_c;
    k.cool_set_c[i] = u.cool_set_c;
    k.electric_share[i] = u.electric_share;
    k.inv_d_air[i] = 1 / d_air;
  });
  k.dt_s = dt_s;
  k.pressure_pa = pressure_pa;
}

}  // namespace

void step_stock(const BuildingStock& s, const StockStepInputs& in, StockState& st) {
  run_stock(s, std::span<const StockStepInputs>(&in, 1), st);
}

namespace {

// A block of buildings keeps about 40 doubles each (static data, coefficients, state) in cache while it is
// carried through kChunkSteps steps. The block size depends on the number of buildings only (never on the
// thread count), so the per-block partial sums, and with them the totals, are the same at any thread count:
// at most kMaxBlock buildings, and at least 64 blocks when the city allows, so that two or more threads get
// an even share of a small city.
constexpr size_t kMaxBlock = 256, kMinBlock = 16, kTargetBlocks = 64;
constexpr size_t kChunkSteps = 168;

size_t block_size(size_t buildings) {
  return std::clamp((buildings + kTargetBlocks - 1) / kTargetBlocks, kMinBlock, kMaxBlock);
}

/// What one step gives every building alike.
struct StepDrivers {
  double te, te_w, ground_c, roof_lift;
  std::array<double, kFacades> wall_lift, window_gain;
  std::array<double, kUseClassCount> gains_w_m2;
};

}  // namespace

void run_stock(const BuildingStock& s, std::span<const StockStepInputs> steps, StockState& st, StockTotals* totals,
               std::span<double> electric_j, std::span<double> electric_peak_w) {
  if (steps.empty()) return;
  const double dt_s = steps[0].dt_s, pressure_pa = steps[0].reference_pressure_pa;
  for (const auto& in : steps)
    if (in.dt_s != dt_s || in.reference_pressure_pa != pressure_pa)
      throw std::invalid_argument("run_stock: every step needs the same dt_s and reference pressure");
  if ((!electric_j.empty() && electric_j.size() != s.size()) ||
      (!electric_peak_w.empty() && electric_peak_w.size() != s.size()))
    throw std::invalid_argument("run_stock: electric_j and electric_peak_w need one entry per building");
  auto& k = st.coeff;
  if (k.dt_s != dt_s || k.pressure_pa != pressure_pa) prepare(s, dt_s, pressure_pa, k);

  std::vector<StepDrivers> drivers(steps.size());
  for (size_t t = 0; t < steps.size(); ++t) {
    const StockStepInputs& in = steps[t];
    const ClimateHour& c = *in.climate;
    StepDrivers& d = drivers[t];
    d.te = c.theta_e + in.temperature_offset_c;
    d.te_w = d.te + c.window_sky_lift;
    d.ground_c = in.ground_c;
    d.roof_lift = c.roof_sol_air_lift;
    d.wall_lift = c.sol_air_lift;
    d.window_gain = c.window_gain_w_m2;
    for (int u = 0; u < kUseClassCount; ++u)
      d.gains_w_m2[u] = (in.weekend ? kUseDefaults[u].gains_weekend_w_m2 : kUseDefaults[u].gains_weekday_w_m2)[in.hour_of_day];
  }
  if (totals) {
    for (auto* v : {&totals->heating_w, &totals->cooling_w, &totals->electric_w}) v->assign(steps.size(), 0.0);
  }

  const size_t n = s.size(), block = block_size(n), blocks = (n + block - 1) / block;
  const EnvelopeDefaults& env = s.envelope;
  const double inv_cop = 1 / env.heating_cop, inv_eer = 1 / env.cooling_eer;
  std::vector<double> partial;  // [block][step of the chunk][heating, cooling, electricity]
  for (size_t c0 = 0; c0 < steps.size(); c0 += kChunkSteps) {
    const size_t c1 = std::min(steps.size(), c0 + kChunkSteps), m = c1 - c0;
    if (totals) partial.assign(blocks * m * 3, 0.0);
    tbb::parallel_for(tbb::blocked_range<size_t>(0, blocks, 1), [&](const tbb::blocked_range<size_t>& range) {
      for (size_t b = range.begin(); b != range.end(); ++b) {
        const size_t i0 = b * block, i1 = std::min(n, i0 + block);
        for (size_t t = c0; t < c1; ++t) {
          const StepDrivers& d = drivers[t];
          const double te = d.te, te_w = d.te_w, dt = dt_s;
          const bool last = t + 1 == steps.size();  // the state keeps the last step's outputs only
          double sum_heat = 0, sum_cool = 0, sum_elec = 0;
          for (size_t i = i0; i < i1; ++i) {
            double lift = s.roof_ua_w_k[i] * d.roof_lift + s.floor_ua_w_k[i] * (d.ground_c - te);
            double solar = 0;
            for (int f = 0; f < kFacades; ++f) {
              lift += s.wall_ua_w_k[i][f] * d.wall_lift[f];
              solar += s.window_area_m2[i][f] * d.window_gain[f];
            }
            const double te_em = te + lift * k.inv_h_op[i];
            const double gains = d.gains_w_m2[s.use[i]] * s.floor_area_m2[i];
            // ISO 13790 eq. C.1-C.3 (split_gains in rc_zone.cpp).
            const double radiant = (1 - kConvectiveFraction) * gains + solar;
            const double phi_ia = kConvectiveFraction * gains, phi_m = k.to_mass[i] * radiant,
                         phi_st = k.to_surface[i] * radiant;
            // Free-floating step, eq. C.4-C.11.
            const double tm_prev = st.theta_m[i];
            const double phi_mtot = phi_m + k.k_em[i] * te_em + k.k_st[i] * phi_st + k.k_w[i] * te_w +
                                    k.k_sup[i] * te + k.k_air[i] * phi_ia;
            double tm = (tm_prev * k.num[i] + phi_mtot) * k.inv_den[i];
            const double ts = (s.h_tr_ms[i] * 0.5 * (tm + tm_prev) + phi_st + s.h_w_w_k[i] * te_w + k.h1[i] * te +
                               k.h1_over_hve[i] * phi_ia) *
                              k.inv_s[i];
            double ta = (s.h_tr_is[i] * ts + k.h_ve[i] * te + phi_ia) * k.inv_a[i];
            // Ideal control to the set points by linearity (sec. C.4.2), without branches: at most one of
            // the two terms is non-zero (heating set point below cooling set point).
            const double heat_air = std::max(k.heat_set_c[i] - ta, 0.0), cool_air = std::max(ta - k.cool_set_c[i], 0.0);
            const double heat = heat_air * k.inv_d_air[i], cool = cool_air * k.inv_d_air[i];
            const double phi = heat - cool;
            tm += k.d_m_end[i] * phi;
            ta += heat_air - cool_air;
            const double elec = heat * inv_cop + cool * inv_eer + k.electric_share[i] * gains;
            st.theta_m[i] = tm;
            st.theta_air[i] = ta;
            if (last) {
              st.heating_w[i] = heat;
              st.cooling_w[i] = cool;
              st.electric_w[i] = elec;
            }
            sum_heat += heat;
            sum_cool += cool;
            sum_elec += elec;
            if (!electric_j.empty()) electric_j[i] += elec * dt;
            if (!electric_peak_w.empty()) electric_peak_w[i] = std::max(electric_peak_w[i], elec);
          }
          if (totals) {
            double* p = &partial[(b * m + (t - c0)) * 3];
            p[0] = sum_heat;
            p[1] = sum_cool;
            p[2] = sum_elec;
          }
        }
      }
    });
    if (!totals) continue;
    for (size_t b = 0; b < blocks; ++b)
      for (size_t t = 0; t < m; ++t) {
        const double* p = &partial[(b * m + t) * 3];
        totals->heating_w[c0 + t] += p[0];
        totals->cooling_w[c0 + t] += p[1];
        totals->electric_w[c0 + t] += p[2];
      }
  }
}

}  // namespace citytwin::energy
