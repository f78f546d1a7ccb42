#pragma once
/// Rooftop photovoltaics: plane-of-array irradiance (Perez, weather/solar.hpp), reflection losses of the
/// module's glass cover (the glazing model's angular transmittance of one pane, normalised at normal
/// incidence), cell temperature by the NOCT model and a linear power temperature coefficient
/// (J. A. Duffie, W. A. Beckman, Solar Engineering of Thermal Processes, 4th ed., 2013, sec. 23.3),
/// flat system losses (wiring, inverter, soiling).
#include <cstdint>
#include <vector>

#include "models/energy/io/epw.hpp"

namespace citytwin::energy {

struct PvParams {
  double tilt_deg = 10;        ///< flat roofs: modules on racks at this tilt
  double azimuth_deg = 0;      ///< from south, west positive
  double efficiency = 0.20;    ///< module efficiency at STC (1000 W/m2, 25 C cell)
  double temperature_coefficient = -0.0035;  ///< per K of cell temperature above 25 C
  double noct_c = 45;          ///< nominal operating cell temperature (800 W/m2, 20 C air, 1 m/s)
  double system_losses = 0.14;
  double roof_usable = 0.5;    ///< share of a roof's area covered by modules when equipped
};

/// Irradiance on the modules for every record: total and after the cover's reflection losses (W/m2).
struct PvIrradiance {
  std::vector<double> poa_wm2, effective_wm2;
};
PvIrradiance pv_irradiance(const Weather& w, const PvParams& p);

/// DC-after-losses power per m2 of module (W/m2) for a plane-of-array irradiance and air temperature.
double pv_power_w_m2(const PvParams& p, double poa_wm2, double effective_wm2, double air_c);

/// Whether building i is among the share of equipped roofs: a per-building uniform number from the seed,
/// compared with the share (so raising the share only adds roofs).
double pv_rank(std::uint64_t seed, size_t building);

}  // namespace citytwin::energy
