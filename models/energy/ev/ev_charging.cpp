#include "models/energy/ev/ev_charging.hpp"

#include <algorithm>
#include <cmath>

#include "engine/core/random.hpp"

namespace citytwin::energy {

EvFleet make_fleet(const BuildingStock& stock, const EvParams& p, std::uint64_t seed) {
  EvFleet f;
  for (size_t i = 0; i < stock.size(); ++i) {
    if (stock.use[i] != static_cast<std::uint8_t>(UseClass::residential)) continue;
    const int dwellings = std::max(1, static_cast<int>(std::lround(stock.floor_area_m2[i] / p.floor_area_per_dwelling_m2)));
    for (int d = 0; d < dwellings; ++d) {
      auto rng = random_stream(seed, 0x65766368ULL, (static_cast<std::uint64_t>(i) << 20) + d);  // "evch"
      f.building.push_back(static_cast<int>(i));
      f.rank.push_back(uniform01(rng));
      // Box-Muller from two uniforms: independent of the standard library's distributions.
      double u1 = std::max(uniform01(rng), 1e-12), u2 = uniform01(rng);
      double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * 3.141592653589793 * u2);
      f.arrival_h.push_back(std::fmod(std::fmod(p.arrival_mean_h + p.arrival_sd_h * z, 24.0) + 24.0, 24.0));
    }
  }
  return f;
}

void ev_charging_power(const EvFleet& f, const EvParams& p, double share, double t0_h, double t1_h,
                       std::vector<double>& power_w) {
  std::fill(power_w.begin(), power_w.end(), 0.0);
  const double span = t1_h - t0_h;
  if (span <= 0) return;
  const double duration_h = p.daily_energy_kwh / p.charger_kw;
  const double first_day = std::floor(t0_h / 24) - 1;  // a session may start the day before
  for (size_t v = 0; v < f.building.size(); ++v) {
    if (f.rank[v] >= share) continue;
    double overlap = 0;
    for (double day = first_day; day * 24 < t1_h; ++day) {
      double start = day * 24 + f.arrival_h[v], end = start + duration_h;
      overlap += std::max(0.0, std::min(end, t1_h) - std::max(start, t0_h));
    }
    power_w[f.building[v]] += p.charger_kw * 1e3 * overlap / span;
  }
}

void ev_queue_step(std::vector<double>& pending_j, std::span<const double> arrivals, double share, const EvParams& p,
                   double dt_s, std::vector<double>& power_w) {
  const double car_j = p.daily_energy_kwh * 3.6e6, rated_w = p.charger_kw * 1e3;
  for (size_t i = 0; i < pending_j.size(); ++i) {
    if (!arrivals.empty()) pending_j[i] += std::max(arrivals[i], 0.0) * share * car_j;
    const double power = std::min(pending_j[i] / car_j * rated_w, pending_j[i] / dt_s);
    power_w[i] = power;
    pending_j[i] = std::max(0.0, pending_j[i] - power * dt_s);
  }
}

}  // namespace citytwin::energy
