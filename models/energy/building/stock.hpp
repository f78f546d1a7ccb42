#pragma once
/// Every building of a City as a 5R1C zone (rc_zone.hpp): geometry from the footprint (wall area by facade
/// orientation, roof, floor), defaults by use class from the table in stock.cpp (documented in README.md),
/// static and shared; the per-run state is a StockState. Stepping is data-parallel (TBB) over buildings.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/city/city.hpp"
#include "models/energy/building/glazing.hpp"
#include "models/energy/io/epw.hpp"
#include "models/energy/weather/solar.hpp"

namespace citytwin::energy {

constexpr int kFacades = 4;  ///< south, west, north, east

/// Defaults of one use class (the table is in stock.cpp).
struct UseDefaults {
  double window_to_wall = 0.2;
  double air_changes_h = 0.5;
  std::array<double, 24> gains_weekday_w_m2{};  ///< internal gains per floor area, by hour of day
  std::array<double, 24> gains_weekend_w_m2{};
  double electric_share = 0.7;  ///< share of internal gains that is electricity (lighting, appliances)
  double heat_set_c = 20, cool_set_c = 26;
};
const UseDefaults& use_defaults(UseClass use);

/// Envelope defaults shared by every building (see README.md for sources).
struct EnvelopeDefaults {
  double u_wall = 1.1, u_roof = 0.9, u_ground_floor = 0.8;  ///< W/m2K
  double frame_fraction = 0.25;
  double kappa_per_floor_area = 165000;  ///< J/m2K of floor: ISO 13790 Table 12 "medium"
  double a_m_per_floor_area = 2.5;       ///< ISO 13790 Table 12 "medium"
  double a_t_per_floor_area = 4.5;       ///< ISO 13790 eq. 9
  double solar_absorptance = 0.6, emissivity = 0.9;
  double heating_cop = 3.0, cooling_eer = 3.0;
};

/// Static per-building data, structure of arrays (index = City building index).
struct BuildingStock {
  EnvelopeDefaults envelope;
  std::vector<std::uint8_t> use;
  std::vector<double> floor_area_m2, roof_area_m2, volume_m3;
  std::vector<std::array<double, kFacades>> wall_ua_w_k;     ///< opaque wall U*A by facade
  std::vector<std::array<double, kFacades>> window_area_m2;  ///< glazed area (frame excluded) by facade
  std::vector<double> roof_ua_w_k, floor_ua_w_k, h_op_w_k, h_w_w_k;
  std::vector<double> h_tr_em, h_tr_ms, h_tr_is, c_m, a_m_m2, a_t_m2;

  size_t size() const { return use.size(); }
};

/// Builds the stock from the City's buildings (read-only).
BuildingStock make_stock(const City& city, const EnvelopeDefaults& envelope = {});

/// Weather-driven quantities of one hour, the same for every building (precomputed once per weather file).
struct ClimateHour {
  double theta_e = 0;                          ///< outdoor air
  std::array<double, kFacades> sol_air_lift{};  ///< K: R_se (alpha I - f_sky h_r dT_sky) of a wall
  double roof_sol_air_lift = 0;
  std::array<double, kFacades> window_gain_w_m2{};  ///< solar heat through 1 m2 of glass
  double window_sky_lift = 0;                  ///< K, added to theta_e for the windows
  double pressure_pa = 101325;
};

/// The climate of every record of a weather file for the stock's defaults.
std::vector<ClimateHour> climate_hours(const Weather& w, const EnvelopeDefaults& envelope);

/// Mutable per-run state and the last step's outputs, structure of arrays.
struct StockState {
  std::vector<double> theta_m;       ///< mass node temperature
  std::vector<double> theta_air;     ///< air temperature of the last step
  std::vector<double> heating_w, cooling_w;  ///< thermal, last step (cooling positive)
  std::vector<double> electric_w;    ///< electricity: heat pump, chiller, lighting and appliances
  explicit StockState(size_t n = 0);

  /// Per-building constants of the 5R1C step for one dt and air density (computed on first use).
  struct Coefficients {
    std::vector<double> h_ve, h1, h1_over_hve, k_sup, k_w, k_em, k_st, k_air, inv_den, num, inv_s, inv_a, d_m_end,
        to_mass, to_surface, inv_h_op, heat_set_c, cool_set_c, electric_share, inv_d_air;
    double dt_s = -1, pressure_pa = -1;
  } coeff;
};

/// Inputs of one step beyond the weather.
struct StockStepInputs {
  const ClimateHour* climate = nullptr;
  double temperature_offset_c = 0;  ///< added to outdoor air and sky (heat wave)
  double ground_c = 15;             ///< ground temperature under the floor (annual mean air temperature)
  double reference_pressure_pa = 101325;  ///< infiltration mass: zone air at 20 C and this pressure
  int hour_of_day = 0;
  bool weekend = false;
  double dt_s = 3600;
};

/// Steps every building once (TBB parallel_for; deterministic: no reduction across buildings).
void step_stock(const BuildingStock& stock, const StockStepInputs& in, StockState& state);

/// City-wide totals of each step of a run_stock call (W, thermal heating and cooling, electricity).
struct StockTotals {
  std::vector<double> heating_w, cooling_w, electric_w;
};

/// Steps every building through `steps` in order (all with the same dt_s and reference pressure), time-blocked:
/// the buildings are cut into fixed blocks of consecutive indices and each TBB task carries one block through a
/// run of steps while its data stays in cache. The state afterwards holds the last step's outputs. When given,
/// `totals` receives one entry per step, summed per block and then over the blocks in index order, and
/// `electric_j` (one per building) accumulates electricity x dt, and `electric_peak_w` keeps each building's
/// largest electricity of any step (it is only raised): all bitwise the same at any thread count.
void run_stock(const BuildingStock& stock, std::span<const StockStepInputs> steps, StockState& state,
               StockTotals* totals = nullptr, std::span<double> electric_j = {},
               std::span<double> electric_peak_w = {});

}  // namespace citytwin::energy
