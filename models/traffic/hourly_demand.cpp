#include "models/traffic/hourly_demand.hpp"

#include <cmath>

#include "engine/core/random.hpp"

namespace citytwin::traffic {

namespace {
constexpr std::uint64_t kHourlyDemandStream = 0x4d0a'c411;
}

void scale_trips_by_hour(std::vector<Trip>& trips, std::vector<int>& to_building, const std::array<double, 24>& factors,
                         std::int64_t start_unix_s, const TimeZone& zone, std::uint64_t seed) {
  const bool buildings = !to_building.empty();
  std::vector<Trip> out;
  std::vector<int> out_building;
  for (size_t i = 0; i < trips.size(); ++i) {
    const double f = factors[local_time(static_cast<double>(start_unix_s) + trips[i].depart_s, zone).hour];
    auto rng = random_stream(seed, kHourlyDemandStream, i);
    int copies = static_cast<int>(std::floor(f));
    if (uniform01(rng) < f - copies) ++copies;
    for (int k = 0; k < copies; ++k) {
      out.push_back(trips[i]);
      if (k > 0) out.back().id += "#c" + std::to_string(k);
      if (buildings) out_building.push_back(to_building[i]);
    }
  }
  trips = std::move(out);
  if (buildings) to_building = std::move(out_building);
}

}  // namespace citytwin::traffic
