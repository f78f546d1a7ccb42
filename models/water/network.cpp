#include "models/water/network.hpp"

#include <cmath>
#include <numbers>

#include "engine/core/error.hpp"

namespace citytwin::water {
namespace {

constexpr double kFt = kMetresPerFoot;
constexpr double kCf = kCubicMetresPerCubicFoot;
constexpr double kTinyUs = 1.0e-6;

// Fits h = a + b q^c through (0,h0), (q1,h1), (q2,h2) (EPANET 2.2 powercurve()). Inputs in SI.
bool power_curve(double h0, double h1, double h2, double q1, double q2, double& a, double& b, double& c) {
  const double tiny_h = kTinyUs * kFt, tiny_q = kTinyUs * kCf;
  if (h0 < tiny_h || h0 - h1 < tiny_h || h1 - h2 < tiny_h || q1 < tiny_q || q2 - q1 < tiny_q) return false;
  a = h0;
  const double h4 = h0 - h1, h5 = h0 - h2;
  c = std::log(h5 / h4) / std::log(q2 / q1);
  if (c <= 0.0 || c > 20.0) return false;
  b = -h4 / std::pow(q1, c);
  return b < 0.0;
}

}  // namespace

double interpolate(const std::vector<double>& x, const std::vector<double>& y, double at) {
  const size_t n = x.size();
  if (n == 0) return 0.0;
  if (at <= x[0]) return y[0];
  for (size_t k = 1; k < n; ++k) {
    if (x[k] >= at) {
      const double dx = x[k] - x[k - 1];
      if (std::abs(dx) < kTinyUs) return y[k];
      return y[k] - (x[k] - at) * (y[k] - y[k - 1]) / dx;
    }
  }
  return y[n - 1];
}

double Network::tank_volume(int t, double head_m) const {
  const Tank& tank = tanks[t];
  if (tank.volume_curve < 0) return tank.min_volume_m3 + (head_m - tank.min_head_m) * tank.area_m2;
  const Curve& c = curves[tank.volume_curve];
  const double level_user = (head_m - elevation_m[tank.node]) / units.length();
  return interpolate(c.x, c.y, level_user) * units.volume();
}

double Network::tank_head(int t, double volume_m3) const {
  const Tank& tank = tanks[t];
  if (tank.volume_curve < 0) return tank.min_head_m + (volume_m3 - tank.min_volume_m3) / tank.area_m2;
  const Curve& c = curves[tank.volume_curve];
  return elevation_m[tank.node] + interpolate(c.y, c.x, volume_m3 / units.volume()) * units.length();
}

double Network::pattern_factor(int pattern, long period) const {
  if (pattern < 0) return 1.0;
  const auto& f = patterns[pattern].factors;
  if (f.empty()) return 1.0;
  return f[static_cast<size_t>(period % static_cast<long>(f.size()))];
}

void Network::finalize() {
  const int nl = num_links();
  resistance.assign(nl, 0.0);
  minor_coeff.assign(nl, 0.0);
  link_pump.assign(nl, -1);
  for (size_t p = 0; p < pumps.size(); ++p) link_pump[pumps[p].link] = static_cast<int>(p);
  const double nexp = headloss_exponent();
  for (int k = 0; k < nl; ++k) {
    const LinkType t = link_type[k];
    if (t == LinkType::Pump) continue;
    const double d = diameter_m[k] / kFt;  // EPANET's formulas are in feet and cfs
    // Minor loss h = K v^2 / 2g = 0.02517 K q^2 / d^4 (EPANET 2.2, ft and cfs).
    minor_coeff[k] = 0.02517 * minor_loss[k] / (d * d * d * d) * kFt / (kCf * kCf);
    if (t != LinkType::Pipe && t != LinkType::CVPipe) continue;
    const double len = length_m[k] / kFt;
    const double e = roughness[k];
    double r_us = 0;
    switch (options.headloss) {
      case HeadlossFormula::HazenWilliams:  // h = 4.727 L q^1.852 / (C^1.852 d^4.871)
        r_us = 4.727 * len / std::pow(e, 1.852) / std::pow(d, 4.871);
        break;
      case HeadlossFormula::DarcyWeisbach: {  // h = f L v^2 / (2 g d), f applied in the solver
        const double area = std::numbers::pi * d * d / 4.0;
        r_us = len / 2.0 / 32.2 / d / (area * area);
        break;
      }
      case HeadlossFormula::ChezyManning: {  // h = (4 n / (1.49 pi d^2))^2 (d/4)^-1.333 L q^2
        const double s = 4.0 * e / (1.49 * std::numbers::pi * d * d);
        r_us = s * s * std::pow(d / 4.0, -1.333) * len;
        break;
      }
    }
    resistance[k] = r_us * kFt / std::pow(kCf, nexp);
  }

  // Pump curves (EPANET 2.2 updatepumpparams()), in SI.
  for (auto& pump : pumps) {
    if (pump.type == PumpCurveType::ConstantPower) continue;
    if (pump.head_curve < 0) continue;
    const Curve& c = curves[pump.head_curve];
    const double fq = units.flow(), fh = units.length();
    const size_t n = c.x.size();
    double h0 = 0, h1 = 0, h2 = 0, q1 = 0, q2 = 0;
    if (n == 1) {
      pump.type = PumpCurveType::PowerFunction;
      q1 = c.x[0] * fq;
      h1 = c.y[0] * fh;
      h0 = 1.33334 * h1;
      q2 = 2.0 * q1;
      h2 = 0.0;
    } else if (n == 3 && c.x[0] == 0.0) {
      pump.type = PumpCurveType::PowerFunction;
      h0 = c.y[0] * fh;
      q1 = c.x[1] * fq;
      h1 = c.y[1] * fh;
      q2 = c.x[2] * fq;
      h2 = c.y[2] * fh;
    } else {
      pump.type = PumpCurveType::Custom;
    }
    const std::string& id = link_ids[pump.link];
    if (pump.type == PumpCurveType::PowerFunction) {
      double a = 0, b = 0, cexp = 0;
      if (!power_curve(h0, h1, h2, q1, q2, a, b, cexp))
        throw InputError("pump " + id + ": curve " + c.id + " gives no valid power function");
      pump.h0 = -a;
      pump.r = -b;
      pump.n = cexp;
      pump.q0_m3s = q1;
      pump.qmax_m3s = std::pow(-a / b, 1.0 / cexp);
      pump.hmax_m = h0;
    } else {
      if (n < 2) throw InputError("pump " + id + ": curve " + c.id + " needs at least 2 points");
      for (size_t m = 1; m < n; ++m) {
        if (c.y[m] >= c.y[m - 1])
          throw InputError("pump " + id + ": curve " + c.id + ": heads must decrease with flow");
      }
      pump.curve_q_m3s.resize(n);
      pump.curve_h_m.resize(n);
      for (size_t m = 0; m < n; ++m) {
        pump.curve_q_m3s[m] = c.x[m] * fq;
        pump.curve_h_m[m] = c.y[m] * fh;
      }
      pump.qmax_m3s = pump.curve_q_m3s[n - 1];
      pump.q0_m3s = (pump.curve_q_m3s[0] + pump.qmax_m3s) / 2.0;
      pump.hmax_m = pump.curve_h_m[0];
    }
  }
}

}  // namespace citytwin::water
