#include "models/water/district_metering.hpp"

#include <algorithm>
#include <map>

namespace citytwin::water {
namespace {

const std::string& zone_of(const Sensor& s) { return s.element.empty() ? s.zone : s.element; }

/// Calls f for every sensor the scenario's feeds carry.
template <class F>
void each_carried_sensor(const Scenario& scenario, F&& f) {
  for (const auto& feed : scenario.feeds)
    for (size_t i : feed.sensors) f(feed.registry->sensors[i]);
}

}  // namespace

const Sensor* first_zone_inflow_sensor(const Scenario& scenario) {
  const Sensor* first = nullptr;
  each_carried_sensor(scenario, [&](const Sensor& s) {
    if (!first && s.quantity->name == "water.zone_inflow") first = &s;
  });
  return first;
}

std::vector<ZoneMeters> zone_meters_from_feeds(const Scenario& scenario) {
  std::vector<ZoneMeters> zones;
  std::map<std::string, size_t> index;
  each_carried_sensor(scenario, [&](const Sensor& s) {
    if (s.quantity->name != "water.zone_inflow" || zone_of(s).empty() || index.count(zone_of(s))) return;
    index.emplace(zone_of(s), zones.size());
    zones.push_back({zone_of(s), {}, s.where});
  });
  // Meters come from the whole registries, not only the sensors a feed carries: a district's inlet meter
  // need not be replayed for the district to be known.
  for (const auto& feed : scenario.feeds)
    for (const Sensor& s : feed.registry->sensors) {
      if (s.quantity->name != "water.flow" || s.element.empty() || s.zone.empty()) continue;
      const auto it = index.find(s.zone);
      if (it == index.end()) continue;
      auto& links = zones[it->second].links;
      if (std::find(links.begin(), links.end(), s.element) == links.end()) links.push_back(s.element);
    }
  for (const auto& z : zones)
    if (z.links.empty())
      throw InputError(z.where, "zone \"" + z.zone + "\" has no meter: list the pipes that feed it as water.flow sensors with "
                                "zone " + z.zone + " and their link as element");
  return zones;
}

ElementSet district_set(const Network& net, const Districts& districts) {
  ElementSet set;
  set.name = "water.zones";
  set.kind = GeometryKind::polygon;
  Attribute nodes{"nodes", {}, {}}, meters{"meters", {}, {}};
  for (const auto& d : districts.list) {
    set.ids.push_back(d.id);
    set.polygons.push_back({Polygon{district_outline(net, d), {}}});
    set.heights_m.push_back(0.0);
    nodes.numbers.push_back(static_cast<double>(d.nodes.size()));
    meters.numbers.push_back(static_cast<double>(d.meters.size()));
  }
  set.attributes = {nodes, meters};
  return set;
}

}  // namespace citytwin::water
