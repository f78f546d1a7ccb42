#pragma once
/// Home charging of electric vehicles. Each dwelling of a residential building has one potential vehicle
/// with a seeded rank (it is electric when rank < EV share), a daily arrival time and a daily energy need;
/// it plugs in on arrival and charges at the charger's rated power until full. Without traffic, arrivals
/// follow a standalone time-of-day profile (normal around the evening return home).
#include <cstdint>
#include <span>
#include <vector>

#include "models/energy/building/stock.hpp"

namespace citytwin::energy {

struct EvParams {
  double charger_kw = 7.4;
  double daily_energy_kwh = 5.4;    ///< 30 km a day at 0.18 kWh/km
  double arrival_mean_h = 18.5, arrival_sd_h = 1.5;
  double floor_area_per_dwelling_m2 = 80;
};

/// Potential vehicles, structure of arrays.
struct EvFleet {
  std::vector<int> building;
  std::vector<double> rank;       ///< uniform in [0, 1)
  std::vector<double> arrival_h;  ///< hour of day, 0..24
};

EvFleet make_fleet(const BuildingStock& stock, const EvParams& p, std::uint64_t seed);

/// Mean charging power of every building over [t0_h, t1_h) (hours from a midnight; any length), for the
/// vehicles with rank < share. power_w has one entry per building and is overwritten.
void ev_charging_power(const EvFleet& fleet, const EvParams& p, double share, double t0_h, double t1_h,
                       std::vector<double>& power_w);

/// Charging driven by arrivals (from the traffic model): each arriving car is electric with probability
/// `share` (its expected energy is queued), and the queued cars charge at the rated power until their daily
/// energy is delivered: with pending energy E_p at a building, n = E_p / E_car cars are plugged in and draw
/// min(n P, E_p / dt). pending_j (per building) carries over between calls; power_w is overwritten.
void ev_queue_step(std::vector<double>& pending_j, std::span<const double> arrivals, double share, const EvParams& p,
                   double dt_s, std::vector<double>& power_w);

}  // namespace citytwin::energy
