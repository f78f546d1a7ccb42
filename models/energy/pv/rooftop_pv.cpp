#include "models/energy/pv/rooftop_pv.hpp"

#include <algorithm>
#include <numbers>

#include "engine/core/random.hpp"
#include "models/energy/building/glazing.hpp"
#include "models/energy/weather/solar.hpp"

namespace citytwin::energy {

PvIrradiance pv_irradiance(const Weather& w, const PvParams& p) {
  const double deg = std::numbers::pi / 180;
  const Plane plane{p.tilt_deg * deg, p.azimuth_deg * deg};
  const auto sun = sun_hours(w, irradiance_time_shift_h(w));
  // Low-iron solar glass cover: normal transmittance 0.91, reflectance 0.08 (one pane).
  const Glazing cover(PaneSpec{0.91, 0.08, 0.0032, 1.0, 0.84}, 1, 0);
  const double t0 = cover.transmittance(1.0);
  double diffuse_sum = 0;  // hemispherical average of the normalised transmittance
  const int kSteps = 90;
  for (int i = 0; i < kSteps; ++i) {
    double th = (i + 0.5) * (std::numbers::pi / 2) / kSteps;
    diffuse_sum += cover.transmittance(std::cos(th)) / t0 * std::sin(th) * std::cos(th);
  }
  const double iam_diffuse = 2 * diffuse_sum * (std::numbers::pi / 2) / kSteps;
  PvIrradiance out;
  out.poa_wm2.resize(w.size());
  out.effective_wm2.resize(w.size());
  for (size_t t = 0; t < w.size(); ++t) {
    auto irr = plane_irradiance(sun[t], plane, w.dni_wm2[t], w.dhi_wm2[t], w.ghi_wm2[t], 0.2);
    out.poa_wm2[t] = irr.total();
    out.effective_wm2[t] = irr.beam_wm2 * cover.transmittance(irr.cos_incidence) / t0 +
                           (irr.sky_diffuse_wm2 + irr.ground_wm2) * iam_diffuse;
  }
  return out;
}

double pv_power_w_m2(const PvParams& p, double poa_wm2, double effective_wm2, double air_c) {
  const double cell_c = air_c + (p.noct_c - 20) / 800 * poa_wm2;
  const double derate = std::max(0.0, 1 + p.temperature_coefficient * (cell_c - 25));
  return p.efficiency * effective_wm2 * derate * (1 - p.system_losses);
}

double pv_rank(std::uint64_t seed, size_t building) {
  auto rng = random_stream(seed, 0x70766f6f66ULL, building);  // purpose: "pvroof"
  return uniform01(rng);
}

}  // namespace citytwin::energy
