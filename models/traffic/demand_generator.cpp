#include "models/traffic/demand_generator.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "engine/core/random.hpp"
#include "engine/geo/spatial_index.hpp"

namespace citytwin::traffic {
namespace {

struct Purpose {
  const char* tag;
  double share;        // of tours
  double mean_hour;    // outbound departure, normal around this hour
  double sd_hour;
  double dwell_h;      // time at the destination before the return trip
  std::vector<UseClass> uses;
};

double normal(std::mt19937_64& rng) {
  const double u1 = std::max(uniform01(rng), 1e-12), u2 = uniform01(rng);
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

/// Index drawn with probability proportional to weights (cumulative sums given).
size_t draw(const std::vector<double>& cumulative, std::mt19937_64& rng) {
  const double u = uniform01(rng) * cumulative.back();
  return std::min(static_cast<size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin()),
                  cumulative.size() - 1);
}

/// Seconds from the start of a local clock time given as seconds from the start on the start's clock:
/// later than that by the hour a daylight saving change took off the clock since the start.
double run_time(const GeneratorOptions& opt, double on_start_clock_s) {
  const auto at = opt.start_unix_s + static_cast<std::int64_t>(std::floor(on_start_clock_s));
  return on_start_clock_s - (opt.zone.utc_offset_s(at) - opt.zone.utc_offset_s(opt.start_unix_s));
}

}  // namespace

std::vector<std::int32_t> building_edges(const City& city, const Network& net) {
  std::vector<std::int32_t> out(city.buildings.size(), -1);
  const PolylineIndex edges(net.edge_shape);
  tbb::parallel_for(size_t{0}, out.size(), [&](size_t b) { out[b] = edges.nearest(city.buildings[b].centroid); });
  return out;
}

GeneratedDemand generate_city_trips(const City& city, const Network& net, const GeneratorOptions& opt, double begin_s,
                                    double end_s, std::span<const std::int32_t> building_edge) {
  GeneratedDemand out;
  const auto& bs = city.buildings;
  if (bs.empty() || net.edges() == 0 || !(opt.trips_per_day > 0)) return out;
  const std::vector<std::int32_t> own_edges = building_edge.empty() ? building_edges(city, net) : std::vector<std::int32_t>{};
  const std::span<const std::int32_t> edge_of = building_edge.empty() ? std::span<const std::int32_t>(own_edges) : building_edge;
  const std::vector<Purpose> purposes = {
      {"w", 0.5, 8.0, 0.75, 8.5, {UseClass::office, UseClass::industrial, UseClass::commercial, UseClass::public_use}},
      {"s", 0.35, 14.0, 3.0, 1.5, {UseClass::commercial}},
      {"e", 0.15, 7.8, 0.4, 7.0, {UseClass::public_use}},
  };
  // Homes: residential floor area (every building when the city has no residential one).
  std::vector<size_t> homes;
  std::vector<double> home_cum;
  for (size_t b = 0; b < bs.size(); ++b)
    if (bs[b].use == UseClass::residential) homes.push_back(b);
  if (homes.empty())
    for (size_t b = 0; b < bs.size(); ++b) homes.push_back(b);
  for (size_t b : homes) home_cum.push_back((home_cum.empty() ? 0 : home_cum.back()) + std::max(bs[b].floor_area_m2, 1.0));

  const int tours = static_cast<int>(std::lround(opt.trips_per_day / 2));
  // Days counted from the start's local date; hours on the start's clock.
  const auto day_of = [&](double run_s) { return local_time(static_cast<double>(opt.start_unix_s) + run_s, opt.zone); };
  const CalendarTime start = day_of(0);
  const double start_hour = start.hour_frac;
  const auto first_day = static_cast<double>(day_of(begin_s).local_day - start.local_day);
  const auto last_day = static_cast<double>(day_of(end_s).local_day - start.local_day);
  std::vector<double> dest_cum;
  std::vector<size_t> dests;
  for (double day = first_day; day <= last_day; ++day) {
    for (size_t p = 0; p < purposes.size(); ++p) {
      const Purpose& pu = purposes[p];
      dests.clear();
      for (size_t b = 0; b < bs.size(); ++b)
        if (std::find(pu.uses.begin(), pu.uses.end(), bs[b].use) != pu.uses.end()) dests.push_back(b);
      if (dests.empty()) continue;
      const int n = static_cast<int>(std::lround(tours * pu.share));
      for (int k = 0; k < n; ++k) {
        auto rng = random_stream(opt.seed, 0x70u + p, static_cast<std::uint64_t>(day) * 10'000'000ull + k);
        const size_t home = homes[draw(home_cum, rng)];
        dest_cum.resize(dests.size());
        double acc = 0;
        for (size_t i = 0; i < dests.size(); ++i) {
          const Building& d = bs[dests[i]];
          const double dist = std::hypot(d.centroid.x - bs[home].centroid.x, d.centroid.y - bs[home].centroid.y);
          acc += std::max(d.floor_area_m2, 1.0) * std::exp(-dist / opt.gravity_length_m);
          dest_cum[i] = acc;
        }
        const size_t dest = dests[draw(dest_cum, rng)];
        const double hour = std::clamp(pu.mean_hour + pu.sd_hour * normal(rng), 5.0, 21.0);
        const double out_s = run_time(opt, day * 86400 + hour * 3600 - start_hour * 3600);
        const double back_s = out_s + pu.dwell_h * 3600 * (0.75 + 0.5 * uniform01(rng));
        const int a = edge_of[home], b = edge_of[dest];
        if (a < 0 || b < 0 || a == b) continue;
        const std::string id = std::string(pu.tag) + std::to_string(static_cast<long long>(day)) + "_" + std::to_string(k);
        if (out_s >= begin_s && out_s < end_s) {
          out.trips.push_back({id, out_s, a, b, 0, {}});
          out.to_building.push_back(static_cast<std::int32_t>(dest));
        }
        if (back_s >= begin_s && back_s < end_s) {
          out.trips.push_back({id + "r", back_s, b, a, 0, {}});
          out.to_building.push_back(static_cast<std::int32_t>(home));
        }
      }
    }
  }
  // Sort by departure, keeping trips and destinations together.
  std::vector<size_t> order(out.trips.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return out.trips[a].depart_s < out.trips[b].depart_s; });
  GeneratedDemand sorted;
  for (size_t i : order) {
    sorted.trips.push_back(std::move(out.trips[i]));
    sorted.to_building.push_back(out.to_building[i]);
  }
  return sorted;
}

}  // namespace citytwin::traffic
