#include "models/energy/building/glazing.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace citytwin::energy {
namespace {

/// One pane for one polarisation: interface reflectance rho, internal transmittance tau_a.
struct Pane {
  double t, r, a;
};

Pane pane(double rho, double tau_a) {
  double d = 1 - rho * rho * tau_a * tau_a;
  double t = tau_a * (1 - rho) * (1 - rho) / d;
  double r = rho + rho * (1 - rho) * (1 - rho) * tau_a * tau_a / d;
  return {t, r, 1 - t - r};
}

}  // namespace

Glazing::Glazing(const PaneSpec& spec, int panes, double gap_m, double r_si, double r_se)
    : panes_(panes), thickness_(spec.thickness_m) {
  if (panes < 1 || panes > 2) throw std::invalid_argument("glazing: 1 or 2 panes");
  // Fit the interface reflectance rho0 (hence n) and tau_a0 to the pane's normal T and R by bisection on rho0;
  // for a given rho0, T(tau_a) is monotonic, solved in closed form (quadratic in tau_a).
  auto tau_for = [&](double rho) {
    double a = spec.solar_transmittance * rho * rho, b = (1 - rho) * (1 - rho), c = -spec.solar_transmittance;
    return a == 0 ? -c / b : (-b + std::sqrt(b * b - 4 * a * c)) / (2 * a);
  };
  double lo = 1e-4, hi = 0.3;
  for (int i = 0; i < 100; ++i) {
    double mid = 0.5 * (lo + hi);
    if (pane(mid, tau_for(mid)).r > spec.solar_reflectance) hi = mid;
    else lo = mid;
  }
  double rho0 = 0.5 * (lo + hi);
  tau_a0_ = std::min(tau_for(rho0), 1.0);
  n_ = (1 + std::sqrt(rho0)) / (1 - std::sqrt(rho0));

  // EN 673: gap conductance h_r + h_g at a mean temperature of 283 K, Nusselt number 1 (narrow air gap).
  constexpr double kSigma = 5.670374419e-8, kAirConductivity = 0.02496, kMeanT = 283.0;
  double r_gap = 0;
  if (panes == 2) {
    double e = spec.ir_emissivity;
    double h_r = 4 * kSigma / (2 / e - 1) * kMeanT * kMeanT * kMeanT;
    double h_g = kAirConductivity / gap_m;
    r_gap = 1 / (h_r + h_g);
  }
  double r_glass = spec.thickness_m / spec.conductivity_w_mk;
  double r_total = r_si + r_se + r_gap + panes * r_glass;
  u_value_ = 1 / r_total;
  inward_outer_ = (r_se + 0.5 * r_glass) / r_total;
  inward_inner_ = (r_se + r_gap + 1.5 * r_glass) / r_total;

  // Hemispherical average: 2 * integral of f(theta) sin(theta) cos(theta) d(theta).
  const int kSteps = 180;
  double sum = 0;
  for (int i = 0; i < kSteps; ++i) {
    double th = (i + 0.5) * (std::numbers::pi / 2) / kSteps;
    sum += shgc(std::cos(th)) * std::sin(th) * std::cos(th);
  }
  shgc_diffuse_ = 2 * sum * (std::numbers::pi / 2) / kSteps;
}

Glazing::Optics Glazing::optics(double cos_i) const {
  if (cos_i <= 0) return {0, 0, 0};
  cos_i = std::min(cos_i, 1.0);
  double sin_i = std::sqrt(1 - cos_i * cos_i);
  double sin_r = sin_i / n_, cos_r = std::sqrt(1 - sin_r * sin_r);
  double tau_a = std::pow(tau_a0_, 1 / cos_r);
  double rs = (cos_i - n_ * cos_r) / (cos_i + n_ * cos_r);
  double rp = (n_ * cos_i - cos_r) / (n_ * cos_i + cos_r);
  Optics o{0, 0, 0};
  for (double rho : {rs * rs, rp * rp}) {
    Pane p = pane(rho, tau_a);
    if (panes_ == 1) {
      o.t += 0.5 * p.t;
      o.a_inner += 0.5 * p.a;
    } else {
      double d = 1 - p.r * p.r;
      o.t += 0.5 * p.t * p.t / d;
      o.a_outer += 0.5 * p.a * (1 + p.t * p.r / d);
      o.a_inner += 0.5 * p.a * p.t / d;
    }
  }
  return o;
}

double Glazing::transmittance(double cos_i) const { return optics(cos_i).t; }

double Glazing::shgc(double cos_i) const {
  Optics o = optics(cos_i);
  if (panes_ == 1) return o.t + inward_outer_ * o.a_inner;
  return o.t + inward_outer_ * o.a_outer + inward_inner_ * o.a_inner;
}

}  // namespace citytwin::energy
