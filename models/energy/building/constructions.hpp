#pragma once
/// Opaque constructions as layers: thermal transmittance (EN ISO 6946) and internal areal heat capacity
/// (EN ISO 13786 simplified "effective thickness" method, as ISO 13790 sec. 12.3.1.2 uses it).
#include <string>
#include <vector>

namespace citytwin::energy {

/// Surface resistances of EN ISO 6946:2017 Table 7 (m2K/W).
constexpr double kRseOutside = 0.04;
constexpr double kRsiWall = 0.13;   ///< horizontal heat flow
constexpr double kRsiRoof = 0.10;   ///< upward heat flow
constexpr double kRsiFloor = 0.17;  ///< downward heat flow

struct MaterialLayer {
  std::string name;
  double thickness_m = 0;
  double conductivity_w_mk = 0;  ///< 0 with resistance set: a no-mass resistive layer
  double density_kg_m3 = 0;
  double heat_capacity_j_kgk = 0;
  double resistance_m2k_w = 0;   ///< used when conductivity is 0

  double resistance() const { return conductivity_w_mk > 0 ? thickness_m / conductivity_w_mk : resistance_m2k_w; }
};

struct Construction {
  std::string name;
  std::vector<MaterialLayer> layers;  ///< outside to inside

  /// Sum of the layers' resistances (no surface films), m2K/W.
  double layers_resistance() const;
  /// U-value with the given inside and outside surface resistances, W/m2K.
  double u_value(double r_si, double r_se = kRseOutside) const;
  /// Areal heat capacity of the layers that exchange with the room (J/m2K): from the inside, up to the first
  /// insulating layer (conductivity below 0.1 W/mK or a no-mass layer), half the construction's thickness, or
  /// 0.10 m, whichever comes first (EN ISO 13786:2017 Annex C / ISO 13790 sec. 12.3.1.2).
  double internal_heat_capacity() const;
};

}  // namespace citytwin::energy
