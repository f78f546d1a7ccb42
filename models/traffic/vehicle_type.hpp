#pragma once
/// Vehicle types and the Intelligent Driver Model (Treiber, Hennecke, Helbing 2000, Phys. Rev. E 62, 1805).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace citytwin::traffic {

/// Parameters of one vehicle type. The defaults are SUMO's passenger car with its IDM (SUMO 1.15
/// vType defaults: accel 2.6, decel 4.5, tau 1, minGap 2.5, length 5, delta 4, speedDev 0.1).
struct VehicleType {
  std::string id = "car";
  double length_m = 5.0;
  double min_gap_m = 2.5;      ///< IDM s0: gap kept when standing
  double max_speed_mps = 55.55;
  double accel_mps2 = 2.6;     ///< IDM a
  double decel_mps2 = 4.5;     ///< IDM b, comfortable deceleration
  double emergency_decel_mps2 = 9.0;
  double headway_s = 1.0;      ///< IDM T
  double delta = 4.0;          ///< IDM acceleration exponent
  double speed_factor = 1.0;   ///< mean multiplier of the lane speed limit
  double speed_dev = 0.1;      ///< its standard deviation (drawn per vehicle, clipped to +-2 sigma)
  double politeness = 0.1;     ///< MOBIL p
  double change_threshold_mps2 = 0.2;  ///< MOBIL delta a_th
  double keep_right_mps2 = 0.1;        ///< MOBIL bias towards the right lane
};

/// IDM acceleration (m/s^2) at speed v, desired speed v0, with a leader at bumper gap s moving at speed vl.
/// Pass s = +inf for a free road. Equation (2)-(3) of Treiber et al. (2000).
inline double idm_accel(const VehicleType& t, double v, double v0, double s, double vl) {
  const double r = std::max(v, 0.0) / std::max(v0, 0.1);
  const double free = 1.0 - (t.delta == 4.0 ? (r * r) * (r * r) : std::pow(r, t.delta));
  if (!std::isfinite(s)) return t.accel_mps2 * free;
  const double s_star =
      t.min_gap_m + std::max(0.0, v * t.headway_s + v * (v - vl) / (2.0 * std::sqrt(t.accel_mps2 * t.decel_mps2)));
  const double ratio = s_star / std::max(s, 0.01);
  return t.accel_mps2 * (free - ratio * ratio);
}

/// The equilibrium gap of IDM at speed v (Treiber & Kesting, Traffic Flow Dynamics, 2013, eq. 11.23).
inline double idm_equilibrium_gap(const VehicleType& t, double v, double v0) {
  const double r = 1.0 - std::pow(v / v0, t.delta);
  return r <= 0 ? INFINITY : (t.min_gap_m + v * t.headway_s) / std::sqrt(r);
}

}  // namespace citytwin::traffic
