#include "models/energy/building/constructions.hpp"

#include <algorithm>

namespace citytwin::energy {

double Construction::layers_resistance() const {
  double r = 0;
  for (const auto& l : layers) r += l.resistance();
  return r;
}

double Construction::u_value(double r_si, double r_se) const { return 1 / (r_si + layers_resistance() + r_se); }

double Construction::internal_heat_capacity() const {
  double total = 0;
  for (const auto& l : layers) total += l.thickness_m;
  double depth_left = std::min(0.10, 0.5 * total);
  double kappa = 0;
  for (auto it = layers.rbegin(); it != layers.rend() && depth_left > 0; ++it) {
    if (it->conductivity_w_mk <= 0 || it->conductivity_w_mk < 0.1) break;
    double d = std::min(it->thickness_m, depth_left);
    kappa += d * it->density_kg_m3 * it->heat_capacity_j_kgk;
    depth_left -= d;
  }
  return kappa;
}

}  // namespace citytwin::energy
