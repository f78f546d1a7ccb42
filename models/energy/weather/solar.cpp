#include "models/energy/weather/solar.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace citytwin::energy {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kDeg = kPi / 180.0;
constexpr double kSolarConstant = 1367.0;  // W/m2 (Iqbal 1983)
constexpr int kSubSteps = 6;

// Perez et al. 1990, Table 6: sky clearness bins (upper bounds) and F11, F12, F13, F21, F22, F23.
constexpr double kEpsilonBin[7] = {1.065, 1.230, 1.500, 1.950, 2.800, 4.500, 6.200};
constexpr double kPerez[8][6] = {
    {-0.008, 0.588, -0.062, -0.060, 0.072, -0.022}, {0.130, 0.683, -0.151, -0.019, 0.066, -0.029},
    {0.330, 0.487, -0.221, 0.055, -0.064, -0.026},  {0.568, 0.187, -0.295, 0.109, -0.152, -0.014},
    {0.873, -0.392, -0.362, 0.226, -0.462, 0.001},  {1.132, -1.237, -0.412, 0.288, -0.823, 0.056},
    {1.060, -1.600, -0.359, 0.264, -1.127, 0.131},  {0.678, -0.327, -0.250, 0.156, -1.377, 0.251}};

}  // namespace

double SunHour::cos_incidence(const Plane& p) const {
  // Plane normal in (east, north, up) with azimuth from south, west positive.
  double nx = -std::sin(p.tilt_rad) * std::sin(p.azimuth_rad);
  double ny = -std::sin(p.tilt_rad) * std::cos(p.azimuth_rad);
  double nz = std::cos(p.tilt_rad);
  return east * nx + north * ny + up * nz;
}

std::vector<SunHour> sun_hours(const Weather& w, double time_shift_h) {
  const double lat = w.location.latitude_deg * kDeg;
  const double record_h = 1.0 / w.records_per_hour;
  std::vector<SunHour> out(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    SunHour& s = out[i];
    int up_count = 0;
    double ex_sum = 0;
    for (int k = 0; k < kSubSteps; ++k) {
      // Local standard time from 1 January 0:00 (wrapped into the year).
      double t_h = (static_cast<double>(i) + (k + 0.5) / kSubSteps) * record_h + time_shift_h;
      t_h = std::fmod(t_h + 24.0 * 365, 24.0 * 365);
      double day = std::floor(t_h / 24.0);
      double hour = t_h - 24.0 * day;
      double b = 2 * kPi * (day + hour / 24.0) / 365.0;
      // Spencer 1971: declination (rad), equation of time (min), eccentricity correction.
      double decl = 0.006918 - 0.399912 * std::cos(b) + 0.070257 * std::sin(b) - 0.006758 * std::cos(2 * b) +
                    0.000907 * std::sin(2 * b) - 0.002697 * std::cos(3 * b) + 0.00148 * std::sin(3 * b);
      double eot_min = 229.18 * (0.000075 + 0.001868 * std::cos(b) - 0.032077 * std::sin(b) -
                                 0.014615 * std::cos(2 * b) - 0.04089 * std::sin(2 * b));
      double e0 = 1.000110 + 0.034221 * std::cos(b) + 0.001280 * std::sin(b) + 0.000719 * std::cos(2 * b) +
                  0.000077 * std::sin(2 * b);
      ex_sum += kSolarConstant * e0;
      double solar_h = hour + (4.0 * (w.location.longitude_deg - 15.0 * w.location.timezone_h) + eot_min) / 60.0;
      double omega = (solar_h - 12.0) * 15.0 * kDeg;
      double up = std::sin(lat) * std::sin(decl) + std::cos(lat) * std::cos(decl) * std::cos(omega);
      if (up <= 0) continue;
      ++up_count;
      s.east += -std::cos(decl) * std::sin(omega);
      s.north += std::cos(lat) * std::sin(decl) - std::sin(lat) * std::cos(decl) * std::cos(omega);
      s.up += up;
    }
    s.extraterrestrial_wm2 = ex_sum / kSubSteps;
    if (up_count > 0) {
      s.east /= up_count;
      s.north /= up_count;
      s.up /= up_count;
      s.is_up = true;
      s.cos_zenith = s.up;
      s.zenith_rad = std::acos(std::clamp(s.up, -1.0, 1.0));
    }
  }
  return out;
}

double irradiance_time_shift_h(const Weather& w) {
  double best_shift = 0, best_error = std::numeric_limits<double>::infinity();
  for (double shift : {0.0, -0.5, 0.5}) {
    auto sun = sun_hours(w, shift);
    double error = 0;
    for (size_t i = 0; i < w.size(); ++i)
      error += std::abs(w.dni_wm2[i] * sun[i].cos_zenith + w.dhi_wm2[i] - w.ghi_wm2[i]);
    if (error < best_error) {
      best_error = error;
      best_shift = shift;
    }
  }
  return best_shift;
}

PlaneIrradiance plane_irradiance(const SunHour& sun, const Plane& plane, double dni_wm2, double dhi_wm2,
                                 double ghi_wm2, double albedo) {
  PlaneIrradiance r;
  const double cos_tilt = std::cos(plane.tilt_rad);
  r.ground_wm2 = ghi_wm2 * albedo * (1 - cos_tilt) / 2;
  if (!sun.is_up) {
    r.sky_diffuse_wm2 = dhi_wm2 * (1 + cos_tilt) / 2;  // twilight: isotropic sky
    return r;
  }
  r.cos_incidence = sun.cos_incidence(plane);
  r.beam_wm2 = dni_wm2 * std::max(0.0, r.cos_incidence);
  if (dhi_wm2 <= 0) return r;
  const double z = sun.zenith_rad;
  const double z3 = 1.041 * z * z * z;
  const double epsilon = ((dhi_wm2 + dni_wm2) / dhi_wm2 + z3) / (1 + z3);
  const double zen_deg = z / kDeg;
  const double air_mass = 1.0 / (std::cos(z) + 0.50572 * std::pow(std::max(96.07995 - zen_deg, 1e-3), -1.6364));
  const double delta = air_mass * dhi_wm2 / sun.extraterrestrial_wm2;
  int bin = 0;
  while (bin < 7 && epsilon >= kEpsilonBin[bin]) ++bin;
  const double* f = kPerez[bin];
  const double f1 = std::max(0.0, f[0] + f[1] * delta + f[2] * z);
  const double f2 = f[3] + f[4] * delta + f[5] * z;
  const double a = std::max(0.0, r.cos_incidence);
  const double b = std::max(std::cos(85 * kDeg), std::cos(z));
  r.sky_diffuse_wm2 = std::max(0.0, dhi_wm2 * ((1 - f1) * (1 + cos_tilt) / 2 + f1 * a / b + f2 * std::sin(plane.tilt_rad)));
  return r;
}

std::vector<PlaneIrradiance> plane_series(const Weather& w, const std::vector<SunHour>& sun, const Plane& plane,
                                          double albedo) {
  std::vector<PlaneIrradiance> out(w.size());
  for (size_t i = 0; i < w.size(); ++i)
    out[i] = plane_irradiance(sun[i], plane, w.dni_wm2[i], w.dhi_wm2[i], w.ghi_wm2[i], albedo);
  return out;
}

double sky_temperature_c(double horizontal_ir_wm2) {
  constexpr double kSigma = 5.670374419e-8;
  return std::pow(std::max(horizontal_ir_wm2, 0.0) / kSigma, 0.25) - 273.15;
}

double sky_long_wave_fraction(double tilt_rad) {
  double f_sky = 0.5 * (1 + std::cos(tilt_rad));
  return f_sky * std::sqrt(f_sky);
}

}  // namespace citytwin::energy
