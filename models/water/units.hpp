#pragma once
/// Unit systems of EPANET input files and the conversion factors to the SI units used inside
/// (metres, seconds, cubic metres per second, watts, metres of head).
///
/// EPANET 2.2 converts user units to feet and cubic feet per second with its own factors (e.g. 448.831
/// GPM per cfs, 28.317 L/s per cfs). To reproduce EPANET's numbers exactly we go through the same
/// factors and then to SI with the exact foot (0.3048 m): a flow in L/s therefore becomes
/// q / 28.317 * 0.3048^3 m3/s, which differs from q / 1000 by about 5e-6 relative.
#include <string>

namespace citytwin::water {

/// Metres per foot and cubic metres per cubic foot (exact).
inline constexpr double kMetresPerFoot = 0.3048;
inline constexpr double kCubicMetresPerCubicFoot = 0.3048 * 0.3048 * 0.3048;
/// EPANET's psi per foot of water (SpGrav 1) and kPa per psi.
inline constexpr double kPsiPerFoot = 0.4333;
inline constexpr double kKpaPerPsi = 6.895;
/// EPANET's kW per horsepower.
inline constexpr double kKwPerHp = 0.7457;
/// EPANET's water-horsepower constant: q[cfs] * h[ft] / 8.814 = hp.
inline constexpr double kCfsFtPerHp = 8.814;

/// Flow units of an .inp file ([OPTIONS] UNITS).
enum class FlowUnits { CFS, GPM, MGD, IMGD, AFD, LPS, LPM, MLD, CMH, CMD, CMS };
/// Pressure units ([OPTIONS] PRESSURE); US networks always report psi.
enum class PressureUnits { PSI, KPA, METERS };

/// The conversions of one network's units. Multiply a user value by a factor to get SI.
struct UnitSystem {
  FlowUnits flow_units = FlowUnits::GPM;
  PressureUnits pressure_units = PressureUnits::PSI;
  bool si = false;               ///< metric file (LPS, LPM, MLD, CMH, CMD, CMS)
  double specific_gravity = 1.0;

  /// m3/s per user flow unit.
  double flow() const;
  /// m per user length / elevation / head unit (ft or m).
  double length() const { return si ? 1.0 : kMetresPerFoot; }
  /// m per user diameter unit (in or mm).
  double diameter() const { return si ? 0.001 : kMetresPerFoot / 12.0; }
  /// m3 per user volume unit (ft3 or m3).
  double volume() const { return si ? 1.0 : kCubicMetresPerCubicFoot; }
  /// m of head per user pressure unit, for this network's specific gravity.
  double pressure_head() const;
  /// W per user power unit (hp or kW).
  double power() const { return si ? 1000.0 : kKwPerHp * 1000.0; }

  std::string flow_name() const;
  std::string pressure_name() const;
  std::string length_name() const { return si ? "m" : "ft"; }
};

/// EPANET's user-units-per-cfs factor for a flow unit.
double flow_units_per_cfs(FlowUnits units);
/// Parses a flow unit keyword (case-insensitive); false if unknown.
bool parse_flow_units(const std::string& word, FlowUnits& out);

}  // namespace citytwin::water
