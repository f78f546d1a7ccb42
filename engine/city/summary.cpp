#include "engine/city/summary.hpp"

#include <array>
#include <cstdio>

namespace citytwin {

nlohmann::json city_summary_json(const City& city) {
  nlohmann::json j;
  const auto& r = city.report;
  j["source"] = city.source;
  j["crs"] = city.crs;
  j["origin"] = {city.origin.x, city.origin.y};
  j["extent_local_m"] = {city.extent.min_x, city.extent.min_y, city.extent.max_x, city.extent.max_y};
  j["extent_lonlat"] = {city.extent_lonlat.min_x, city.extent_lonlat.min_y, city.extent_lonlat.max_x,
                        city.extent_lonlat.max_y};
  std::array<int, kUseClassCount> by_use{};
  std::array<double, kUseClassCount> floor_by_use{};
  int by_source[3] = {0, 0, 0};
  for (const auto& b : city.buildings) {
    ++by_use[static_cast<int>(b.use)];
    floor_by_use[static_cast<int>(b.use)] += b.floor_area_m2;
    ++by_source[static_cast<int>(b.height_source)];
  }
  double footprint = 0;
  for (const auto& b : city.buildings) footprint += b.area_m2;
  auto& jb = j["buildings"];
  jb["count"] = city.buildings.size();
  jb["footprint_area_m2"] = footprint;
  jb["floor_area_m2"] = city.total_floor_area_m2();
  jb["features_read"] = r.building_features;
  jb["skipped_invalid"] = r.buildings_skipped;
  jb["unreadable_height_or_levels"] = r.buildings_unreadable_tags;
  jb["height_from"] = {{"height", by_source[0]}, {"levels", by_source[1]}, {"default", by_source[2]}};
  for (int u = 0; u < kUseClassCount; ++u) {
    const char* name = to_string(static_cast<UseClass>(u));
    jb["by_use"][name] = {{"count", by_use[u]}, {"floor_area_m2", floor_by_use[u]}};
  }
  auto& jr = j["roads"];
  double edge_km = 0;
  for (const auto& e : city.roads.edges) edge_km += e.length_m / 1000;
  jr["edges"] = city.roads.edges.size();
  jr["junctions"] = city.roads.junctions.size();
  jr["signalised_junctions"] = city.roads.signalised_junctions();
  jr["lane_km"] = city.roads.lane_km();
  jr["edge_km"] = edge_km;
  jr["highway_features"] = r.road_features;
  jr["drivable_features"] = r.road_features_drivable;
  jr["signal_nodes"] = r.signal_nodes;
  jr["cleaning"] = {{"components_dropped", r.components_dropped},
                    {"edges_dropped", r.edges_dropped},
                    {"junctions_dropped", r.junctions_dropped},
                    {"edges_before", r.graph_edges_before_cleaning},
                    {"junctions_before", r.graph_junctions_before_cleaning}};
  jr["turn_restrictions"] = {{"relations", r.restriction_relations},
                             {"applied", r.restrictions_applied},
                             {"skipped", r.restrictions_skipped}};
  jr["signs"] = {{"nodes", r.sign_nodes}, {"applied", r.signs_applied}, {"skipped", r.signs_skipped}};
  return j;
}

std::string city_summary_text(const City& city) {
  auto j = city_summary_json(city);
  const auto& b = j["buildings"];
  const auto& r = j["roads"];
  char buf[4096];
  std::snprintf(buf, sizeof buf,
                "city        %s\n"
                "crs         %s (origin %.0f, %.0f)\n"
                "extent      %.5f,%.5f .. %.5f,%.5f (lon/lat), %.0f m x %.0f m\n"
                "buildings   %d (read %d, skipped %d), footprint %.0f m2, floor area %.0f m2\n"
                "  height    from height tag %d, from levels %d, default by use %d (%d unreadable tags)\n",
                city.source.c_str(), city.crs.c_str(), city.origin.x, city.origin.y, city.extent_lonlat.min_x,
                city.extent_lonlat.min_y, city.extent_lonlat.max_x, city.extent_lonlat.max_y, city.extent.width(),
                city.extent.height(), b["count"].get<int>(), b["features_read"].get<int>(),
                b["skipped_invalid"].get<int>(), b["footprint_area_m2"].get<double>(),
                b["floor_area_m2"].get<double>(), b["height_from"]["height"].get<int>(),
                b["height_from"]["levels"].get<int>(), b["height_from"]["default"].get<int>(),
                b["unreadable_height_or_levels"].get<int>());
  std::string out = buf;
  for (int u = 0; u < kUseClassCount; ++u) {
    const char* name = to_string(static_cast<UseClass>(u));
    std::snprintf(buf, sizeof buf, "  %-11s %5d buildings, %10.0f m2 floor area\n", name,
                  b["by_use"][name]["count"].get<int>(), b["by_use"][name]["floor_area_m2"].get<double>());
    out += buf;
  }
  const auto& c = r["cleaning"];
  std::snprintf(buf, sizeof buf,
                "roads       %d edges, %d junctions (%d signalised), %.1f lane-km, %.1f edge-km\n"
                "  source    %d highway features, %d drivable, %d signal nodes\n"
                "  cleaning  kept the largest strongly connected component; dropped %d components "
                "(%d edges, %d junctions)\n",
                r["edges"].get<int>(), r["junctions"].get<int>(), r["signalised_junctions"].get<int>(),
                r["lane_km"].get<double>(), r["edge_km"].get<double>(), r["highway_features"].get<int>(),
                r["drivable_features"].get<int>(), r["signal_nodes"].get<int>(), c["components_dropped"].get<int>(),
                c["edges_dropped"].get<int>(), c["junctions_dropped"].get<int>());
  out += buf;
  // What was read, placed on the network and skipped (by reason).
  auto placed = [&](const char* label, const char* what, int read, const nlohmann::json& applied, const nlohmann::json& skipped) {
    if (read == 0) return;
    std::snprintf(buf, sizeof buf, "  %-9s %d %s, %d applied\n", label, read, what, applied.get<int>());
    out += buf;
    for (const auto& [why, count] : skipped.items()) {
      std::snprintf(buf, sizeof buf, "            %d skipped: %s\n", count.get<int>(), why.c_str());
      out += buf;
    }
  };
  const auto& t = r["turn_restrictions"];
  placed("turns", "restriction relations", t["relations"].get<int>(), t["applied"], t["skipped"]);
  const auto& sg = r["signs"];
  placed("signs", "give-way/stop nodes", sg["nodes"].get<int>(), sg["applied"], sg["skipped"]);
  return out;
}

}  // namespace citytwin
