#include "engine/city/import.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <numbers>
#include <set>

#include "engine/city/road_graph.hpp"
#include "engine/city/tags.hpp"
#include "engine/city/traffic_signs.hpp"
#include "engine/core/error.hpp"
#include "engine/geo/crs.hpp"

namespace citytwin {
namespace {

struct DatasetCloser {
  void operator()(GDALDataset* d) const { GDALClose(d); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

/// A feature as read, still in the source CRS.
struct RawBuilding {
  std::string id;
  std::vector<Polygon> polygons;
  Tags tags;
};

/// An OSM type=restriction relation as GDAL's `other_relations` layer gives it: the tags and the member
/// geometries (nodes as points, ways as lines) in member order. GDAL does not report the members' roles.
struct RawRestriction {
  std::string id;
  Tags tags;
  std::vector<Point2> points;
  std::vector<Polyline> lines;
};

struct RawInput {
  std::string source_crs;
  std::vector<RawBuilding> buildings;
  std::vector<RoadWay> roads;
  std::vector<Point2> signals;
  std::vector<RawRestriction> restrictions;
  std::vector<SignNode> signs;
};

Tags feature_tags(OGRFeature& f) {
  Tags tags;
  for (int i = 0; i < f.GetFieldCount(); ++i) {
    if (!f.IsFieldSetAndNotNull(i)) continue;
    std::string name = f.GetFieldDefnRef(i)->GetNameRef();
    std::string value = f.GetFieldAsString(i);
    if (name == "other_tags") parse_hstore(value, tags);
    else tags.emplace(std::move(name), std::move(value));
  }
  // Common spellings of the OSM keys in GIS layers.
  auto alias = [&](const char* from, const char* to) {
    if (auto it = tags.find(from); it != tags.end() && !tags.count(to)) tags.emplace(to, it->second);
  };
  alias("levels", "building:levels");
  alias("building_levels", "building:levels");
  alias("building_l", "building:levels");
  alias("num_floors", "building:levels");
  return tags;
}

Ring read_ring(const OGRLinearRing& ring) {
  Ring r;
  const int n = ring.getNumPoints();
  for (int i = 0; i < n; ++i) r.push_back({ring.getX(i), ring.getY(i)});
  if (r.size() > 1 && r.front().x == r.back().x && r.front().y == r.back().y) r.pop_back();
  return r;
}

void read_polygons(const OGRGeometry& g, std::vector<Polygon>& out) {
  switch (wkbFlatten(g.getGeometryType())) {
    case wkbPolygon: {
      const auto& poly = *g.toPolygon();
      if (poly.IsEmpty()) return;
      Polygon p;
      p.outer = read_ring(*poly.getExteriorRing());
      for (int i = 0; i < poly.getNumInteriorRings(); ++i) p.holes.push_back(read_ring(*poly.getInteriorRing(i)));
      out.push_back(std::move(p));
      return;
    }
    case wkbMultiPolygon:
    case wkbGeometryCollection:
      for (const auto* part : *g.toGeometryCollection()) read_polygons(*part, out);
      return;
    default: return;
  }
}

void read_lines(const OGRGeometry& g, std::vector<Polyline>& out) {
  switch (wkbFlatten(g.getGeometryType())) {
    case wkbLineString: {
      const auto& line = *g.toLineString();
      Polyline p;
      for (int i = 0; i < line.getNumPoints(); ++i) p.push_back({line.getX(i), line.getY(i)});
      out.push_back(std::move(p));
      return;
    }
    case wkbMultiLineString:
    case wkbGeometryCollection:
      for (const auto* part : *g.toGeometryCollection()) read_lines(*part, out);
      return;
    default: return;
  }
}

std::string crs_text(const OGRSpatialReference* srs) {
  if (!srs) return {};
  const char* auth = srs->GetAuthorityName(nullptr);
  const char* code = srs->GetAuthorityCode(nullptr);
  if (auth && code) return std::string(auth) + ":" + code;
  char* wkt = nullptr;
  srs->exportToWkt(&wkt);
  std::string s = wkt ? wkt : "";
  CPLFree(wkt);
  return s;
}

std::string layer_list(GDALDataset& ds) {
  std::string s;
  for (auto* layer : ds.GetLayers()) s += (s.empty() ? "" : ", ") + std::string(layer->GetName());
  return s;
}

void add_road(RawInput& in, std::string id, const OGRGeometry* geom, Tags tags, ImportReport& report) {
  auto highway = tags.find("highway");
  std::optional<RoadClass> cls = highway == tags.end() ? RoadClass::other : drivable_road_class(highway->second);
  ++report.road_features;
  if (!cls || !geom) return;
  for (const char* key : {"access", "motor_vehicle", "motorcar"}) {
    auto it = tags.find(key);
    if (it != tags.end() && (it->second == "no" || it->second == "private")) return;
  }
  if (auto area = tags.find("area"); area != tags.end() && area->second == "yes") return;
  ++report.road_features_drivable;
  std::vector<Polyline> lines;
  read_lines(*geom, lines);
  for (size_t i = 0; i < lines.size(); ++i) {
    RoadWay way;
    way.id = lines.size() == 1 ? id : id + "." + std::to_string(i);
    way.points = std::move(lines[i]);
    way.tags = tags;
    way.road_class = *cls;
    in.roads.push_back(std::move(way));
  }
}

void add_building(RawInput& in, std::string id, const OGRGeometry* geom, Tags tags, ImportReport& report) {
  ++report.building_features;
  RawBuilding b;
  b.id = std::move(id);
  if (geom) read_polygons(*geom, b.polygons);
  b.tags = std::move(tags);
  in.buildings.push_back(std::move(b));
}

/// GDAL's OSM driver: multipolygons with a building tag, drivable lines, traffic-signal points.
/// Read interleaved through the dataset, as the driver requires for several layers.
void read_osm(GDALDataset& ds, const CitySource& src, RawInput& in, ImportReport& report) {
  in.source_crs = "EPSG:4326";
  const std::string buildings_layer = src.buildings_layer.empty() ? "multipolygons" : src.buildings_layer;
  const std::string roads_layer = src.roads_layer.empty() ? "lines" : src.roads_layer;
  for (const auto& name : {buildings_layer, roads_layer})
    if (!ds.GetLayerByName(name.c_str()))
      throw InputError({src.path, 0, "layer " + name}, "no such layer (layers: " + layer_list(ds) + ")");
  ds.ResetReading();
  OGRLayer* layer = nullptr;
  while (auto* raw = ds.GetNextFeature(&layer, nullptr, nullptr, nullptr)) {
    std::unique_ptr<OGRFeature> f(raw);
    const std::string lname = layer->GetName();
    if (lname != buildings_layer && lname != roads_layer && lname != "points" && lname != "other_relations")
      continue;
    Tags tags = feature_tags(*f);
    if (lname == "other_relations") {
      auto type = tags.find("type");
      if (type == tags.end() || type->second != "restriction") continue;
      ++report.restriction_relations;
      RawRestriction r;
      auto osm = tags.find("osm_id");
      r.id = osm != tags.end() ? "r" + osm->second : std::to_string(f->GetFID());
      if (const auto* g = f->GetGeometryRef(); g && wkbFlatten(g->getGeometryType()) == wkbGeometryCollection)
        for (const auto* part : *g->toGeometryCollection()) {
          if (wkbFlatten(part->getGeometryType()) == wkbPoint)
            r.points.push_back({part->toPoint()->getX(), part->toPoint()->getY()});
          else
            read_lines(*part, r.lines);
        }
      r.tags = std::move(tags);
      in.restrictions.push_back(std::move(r));
    } else if (lname == "points") {
      auto h = tags.find("highway");
      auto* g = f->GetGeometryRef();
      if (h != tags.end() && h->second == "traffic_signals" && g && wkbFlatten(g->getGeometryType()) == wkbPoint) {
        in.signals.push_back({g->toPoint()->getX(), g->toPoint()->getY()});
        ++report.signal_nodes;
      } else if (h != tags.end() && (h->second == "give_way" || h->second == "stop") && g &&
                 wkbFlatten(g->getGeometryType()) == wkbPoint) {
        SignNode sign{{g->toPoint()->getX(), g->toPoint()->getY()},
                      h->second == "stop" ? TrafficSign::stop : TrafficSign::give_way, "", false};
        if (auto d = tags.find("direction"); d != tags.end()) sign.direction = d->second;
        if (auto a = tags.find("stop"); a != tags.end()) sign.all_way = a->second == "all";
        in.signs.push_back(sign);
        ++report.sign_nodes;
      }
    } else if (lname == buildings_layer) {
      auto b = tags.find("building");
      if (b == tags.end() || b->second == "no") continue;
      auto rel = tags.find("osm_id");
      auto way = tags.find("osm_way_id");
      std::string id = rel != tags.end() ? "r" + rel->second : way != tags.end() ? "w" + way->second : "";
      add_building(in, id, f->GetGeometryRef(), std::move(tags), report);
    } else {
      if (!tags.count("highway")) continue;
      auto osm = tags.find("osm_id");
      add_road(in, osm != tags.end() ? "w" + osm->second : std::to_string(f->GetFID()), f->GetGeometryRef(),
               std::move(tags), report);
    }
  }
}

/// Any other vector source: polygon features are buildings, line features roads; when a layer is named,
/// buildings (or roads) come from that layer only.
void read_generic(GDALDataset& ds, const CitySource& src, RawInput& in, ImportReport& report) {
  for (const auto& name : {src.buildings_layer, src.roads_layer})
    if (!name.empty() && !ds.GetLayerByName(name.c_str()))
      throw InputError({src.path, 0, "layer " + name}, "no such layer (layers: " + layer_list(ds) + ")");
  for (auto* layer : ds.GetLayers()) {
    const std::string lname = layer->GetName();
    const bool buildings_here = src.buildings_layer.empty() || lname == src.buildings_layer;
    const bool roads_here = src.roads_layer.empty() || lname == src.roads_layer;
    if (!buildings_here && !roads_here) continue;
    std::string crs = crs_text(layer->GetSpatialRef());
    bool used = false;
    layer->ResetReading();
    for (auto& f : *layer) {
      const OGRGeometry* g = f->GetGeometryRef();
      if (!g) continue;
      const auto type = wkbFlatten(g->getGeometryType());
      const bool polygon = type == wkbPolygon || type == wkbMultiPolygon;
      const bool line = type == wkbLineString || type == wkbMultiLineString;
      if (!(polygon && buildings_here) && !(line && roads_here)) continue;
      Tags tags = feature_tags(*f);
      std::string id = std::to_string(f->GetFID());
      if (auto it = tags.find("osm_id"); it != tags.end()) id = it->second;
      else if (auto it2 = tags.find("id"); it2 != tags.end()) id = it2->second;
      used = true;
      if (polygon) {
        if (auto b = tags.find("building"); b != tags.end() && b->second == "no") continue;
        add_building(in, id, g, std::move(tags), report);
      } else {
        add_road(in, id, g, std::move(tags), report);
      }
    }
    if (used && !crs.empty()) {
      if (!in.source_crs.empty() && in.source_crs != crs)
        throw InputError({src.path, 0, "layer " + lname}, "CRS " + crs + " differs from the other layers' " + in.source_crs);
      in.source_crs = crs;
    }
  }
}

Box2 raw_extent(const RawInput& in) {
  Box2 box;
  for (const auto& b : in.buildings)
    for (const auto& p : b.polygons)
      for (const auto& pt : p.outer) box.add(pt);
  for (const auto& r : in.roads)
    for (const auto& pt : r.points) box.add(pt);
  return box;
}

void finish_building(Building& b, const Tags& tags, ImportReport& report) {
  OGRMultiPolygon multi;
  for (const auto& poly : b.footprint) {
    OGRPolygon og;
    auto ring_of = [](const Ring& r) {
      auto* ring = new OGRLinearRing();
      for (const auto& p : r) ring->addPoint(p.x, p.y);
      ring->closeRings();
      return ring;
    };
    og.addRingDirectly(ring_of(poly.outer));
    for (const auto& h : poly.holes) og.addRingDirectly(ring_of(h));
    multi.addGeometry(&og);
  }
  b.area_m2 = multi.get_Area();
  OGRPoint c;
  if (multi.Centroid(&c) == OGRERR_NONE) b.centroid = {c.getX(), c.getY()};

  auto tag = [&](const char* k) -> std::string_view {
    auto it = tags.find(k);
    return it == tags.end() ? std::string_view{} : std::string_view(it->second);
  };
  b.use = use_class_from_tags(tags);
  auto height = parse_length_m(tag("height"));
  auto levels = parse_levels(tag("building:levels"));
  if (height && *height > 0) {
    b.height_m = *height;
    b.height_source = HeightSource::height_tag;
    ++report.buildings_with_height_tag;
  } else if (levels) {
    b.height_m = *levels * kStoreyHeightM;
    b.height_source = HeightSource::levels_tag;
  } else {
    b.height_m = default_height_m(b.use, tag("building"));
    b.height_source = HeightSource::default_by_use;
  }
  if (!tag("building:levels").empty()) ++report.buildings_with_levels_tag;
  if ((!tag("building:levels").empty() && !levels) || (!tag("height").empty() && !height))
    ++report.buildings_unreadable_tags;
  b.levels = levels.value_or(std::max(1, static_cast<int>(std::lround(b.height_m / kStoreyHeightM))));
  b.floor_area_m2 = b.area_m2 * b.levels;
}


/// The movement a restriction value names, with the band of turn angles (radians, negative = right, as
/// models/traffic/city_network.cpp measures them) that a movement of the road graph must fall in to be it.
struct RestrictionKind {
  bool only = false;
  double min_angle = -std::numbers::pi, max_angle = std::numbers::pi;
  bool u_turn = false;
};

std::optional<RestrictionKind> parse_restriction(const std::string& value) {
  RestrictionKind k;
  std::string what;
  if (value.starts_with("no_")) what = value.substr(3);
  else if (value.starts_with("only_")) k.only = true, what = value.substr(5);
  else return std::nullopt;
  constexpr double deg = std::numbers::pi / 180;
  if (what == "left_turn") k.min_angle = 20 * deg, k.max_angle = 160 * deg;
  else if (what == "right_turn") k.min_angle = -160 * deg, k.max_angle = -20 * deg;
  else if (what == "straight_on") k.min_angle = -60 * deg, k.max_angle = 60 * deg;
  else if (what == "u_turn") k.u_turn = true;
  else if (what != "entry" && what != "exit") return std::nullopt;
  return k;
}

/// Resolves the restriction relations to movements (from edge, via junction, to edge) of the finished road
/// graph. GDAL gives the members' geometry but not their roles (from, via, to), so the roles are inferred:
/// the via node is the only point; each way is matched to the graph edges that enter or leave the via
/// junction along it; "from" is the way with an edge entering the junction and "to" the one with an edge leaving
/// it. When one-way streets allow a single such movement, that is the restriction; otherwise the movement must
/// be of the named kind (a left turn read backwards is a right turn). When both readings remain (straight on
/// and U-turns between two two-way streets) the relation is skipped as ambiguous rather than guessed. Every
/// relation not applied is counted by reason.
void resolve_restrictions(const std::vector<RawRestriction>& raw, RoadNetwork& roads, ImportReport& report) {
  auto skip = [&](const char* why) { ++report.restrictions_skipped[why]; };
  std::map<std::pair<double, double>, int> junction_at;
  for (size_t j = 0; j < roads.junctions.size(); ++j)
    junction_at[{roads.junctions[j].pos.x, roads.junctions[j].pos.y}] = static_cast<int>(j);
  std::vector<std::vector<int>> in_edges(roads.junctions.size()), out_edges(roads.junctions.size());
  for (size_t e = 0; e < roads.edges.size(); ++e) {
    in_edges[roads.edges[e].to].push_back(static_cast<int>(e));
    out_edges[roads.edges[e].from].push_back(static_cast<int>(e));
  }
  auto same = [](Point2 a, Point2 b) { return std::abs(a.x - b.x) < 1e-6 && std::abs(a.y - b.y) < 1e-6; };
  // Neighbours of the via point along a member way (empty when the way does not pass through it).
  auto neighbours = [&](const Polyline& line, Point2 via) {
    std::vector<Point2> out;
    for (size_t i = 0; i < line.size(); ++i)
      if (same(line[i], via)) {
        if (i > 0) out.push_back(line[i - 1]);
        if (i + 1 < line.size()) out.push_back(line[i + 1]);
      }
    return out;
  };

  for (const auto& r : raw) {
    auto tag = [&](const char* k) {
      auto it = r.tags.find(k);
      return it == r.tags.end() ? std::string() : it->second;
    };
    std::string value = tag("restriction");
    for (const char* k : {"restriction:motorcar", "restriction:motor_vehicle", "restriction:vehicle"})
      if (value.empty()) value = tag(k);
    if (value.empty()) {
      skip("not for cars (restriction:<vehicle> or conditional only)");
      continue;
    }
    const std::string except = tag("except");
    if (except.find("motorcar") != std::string::npos || except.find("motor_vehicle") != std::string::npos) {
      skip("cars excepted");
      continue;
    }
    const auto kind = parse_restriction(value);
    if (!kind) {
      skip("unknown restriction value");
      continue;
    }
    if (r.points.empty()) {
      skip("via is a way (not supported)");
      continue;
    }
    if (r.points.size() > 1 || r.lines.size() > 2) {
      skip("several via, from or to members");
      continue;
    }
    if (r.lines.empty() || (r.lines.size() == 1 && !kind->u_turn)) {
      skip("from or to member missing (outside the extract)");
      continue;
    }
    const auto j = junction_at.find({r.points[0].x, r.points[0].y});
    if (j == junction_at.end()) {
      skip("via node is not a junction of the road graph");
      continue;
    }
    const int via = j->second;
    // Edges entering (leaving) the via junction along each member way.
    std::vector<std::vector<int>> entering(r.lines.size()), leaving(r.lines.size());
    for (size_t m = 0; m < r.lines.size(); ++m)
      for (const Point2 nb : neighbours(r.lines[m], r.points[0])) {
        for (int e : in_edges[via]) {
          const auto& s = roads.edges[e].shape;
          if (s.size() >= 2 && same(s[s.size() - 2], nb)) entering[m].push_back(e);
        }
        for (int e : out_edges[via]) {
          const auto& s = roads.edges[e].shape;
          if (s.size() >= 2 && same(s[1], nb)) leaving[m].push_back(e);
        }
      }
    // Every movement from an edge entering along one member to an edge leaving along the other (along the same
    // member for a U-turn on one way), and those of them that are of the named kind.
    std::set<std::pair<int, int>> drivable, of_kind;
    const size_t n = r.lines.size();
    for (size_t a = 0; a < n; ++a)
      for (size_t b = 0; b < n; ++b) {
        if (n == 2 && a == b) continue;
        for (int f : entering[a])
          for (int t : leaving[b]) {
            drivable.insert({f, t});
            const auto& fs = roads.edges[f].shape;
            const double angle = turn_angle_rad(direction(fs[fs.size() - 2], fs.back()),
                                                direction(roads.edges[t].shape[0], roads.edges[t].shape[1]));
            const bool fits = kind->u_turn ? (t == roads.edges[f].reverse || std::abs(angle) > 2 * std::numbers::pi / 3)
                                           : (angle >= kind->min_angle && angle <= kind->max_angle);
            if (fits) of_kind.insert({f, t});
          }
      }
    if (drivable.empty()) {
      skip("from or to way not in the road graph");
      continue;
    }
    // One drivable movement (one-way members) settles the roles whatever its angle; otherwise the kind must.
    const auto& moves = drivable.size() == 1 ? drivable : of_kind;
    if (moves.empty()) {
      skip("no movement of the named kind between the members");
      continue;
    }
    std::set<int> froms, tos;
    for (auto [f, t] : moves) froms.insert(f), tos.insert(t);
    if (froms.size() > 1 || tos.size() > 1) {
      skip("roles ambiguous (GDAL gives no member roles)");
      continue;
    }
    roads.restrictions.push_back({r.id, value, *froms.begin(), via, *tos.begin(), kind->only});
    ++report.restrictions_applied;
  }
}

}  // namespace

City load_city(const CitySource& src) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(src.path, ec)) throw InputError({src.path, 0, ""}, "no such file");
  GDALAllRegister();
  CPLErrorReset();
  CPLPushErrorHandler(CPLQuietErrorHandler);
  DatasetPtr ds(static_cast<GDALDataset*>(
      GDALOpenEx(src.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
  std::string gdal_msg = CPLGetLastErrorMsg();
  if (!ds) {
    CPLPopErrorHandler();
    throw InputError({src.path, 0, ""}, "not a vector GIS file GDAL can read" +
                                            (gdal_msg.empty() ? std::string() : " (" + gdal_msg + ")"));
  }
  City city;
  city.source = src.path;
  RawInput in;
  const bool osm = std::string(ds->GetDriverName()) == "OSM";
  try {
    if (osm) read_osm(*ds, src, in, city.report);
    else read_generic(*ds, src, in, city.report);
  } catch (...) {
    CPLPopErrorHandler();
    throw;
  }
  gdal_msg = CPLGetLastErrorType() >= CE_Failure ? CPLGetLastErrorMsg() : "";
  CPLPopErrorHandler();
  if (!gdal_msg.empty()) throw InputError({src.path, 0, ""}, "read error: " + gdal_msg);
  if (in.buildings.empty() && in.roads.empty())
    throw InputError({src.path, 0, ""}, "no buildings and no roads found (layers: " + layer_list(*ds) + ")");
  if (in.source_crs.empty()) in.source_crs = "EPSG:4326";

  // Target CRS: the scenario's, else the UTM zone of the data's centre.
  Box2 box = raw_extent(in);
  Point2 centre_ll = box.centre();
  if (in.source_crs != "EPSG:4326") centre_ll = Transform(in.source_crs, "EPSG:4326").forward(centre_ll);
  if (!std::isfinite(centre_ll.x) || std::abs(centre_ll.y) > 90)
    throw InputError({src.path, 0, ""}, "coordinates are not in the layer's CRS " + in.source_crs);
  city.crs = src.crs.empty() ? "EPSG:" + std::to_string(utm_epsg_for(centre_ll.x, centre_ll.y)) : src.crs;
  Transform to_local(in.source_crs, city.crs);

  Box2 projected;
  auto project = [&](std::vector<Point2>& pts) {
    to_local.forward(pts);
    for (const auto& p : pts) projected.add(p);
  };
  for (auto& b : in.buildings)
    for (auto& p : b.polygons) {
      project(p.outer);
      for (auto& h : p.holes) project(h);
    }
  for (auto& r : in.roads) project(r.points);
  std::vector<Point2> signals = in.signals;
  to_local.forward(signals);
  for (auto& sign : in.signs) sign.pos = to_local.forward(sign.pos);
  for (auto& r : in.restrictions) {
    to_local.forward(r.points);
    for (auto& l : r.lines) to_local.forward(l);
  }
  // Round the origin to 100 m so local coordinates stay readable.
  city.origin = {std::round(projected.centre().x / 100) * 100, std::round(projected.centre().y / 100) * 100};
  auto shift = [&](std::vector<Point2>& pts) {
    for (auto& p : pts) p = {p.x - city.origin.x, p.y - city.origin.y};
  };

  for (auto& raw : in.buildings) {
    Building b;
    b.id = raw.id;
    for (auto& p : raw.polygons) {
      shift(p.outer);
      for (auto& h : p.holes) shift(h);
      if (p.outer.size() >= 3) b.footprint.push_back(std::move(p));
    }
    if (b.footprint.empty()) {
      ++city.report.buildings_skipped;
      continue;
    }
    finish_building(b, raw.tags, city.report);
    if (!(b.area_m2 > 0)) {
      ++city.report.buildings_skipped;
      continue;
    }
    for (const auto& p : b.footprint)
      for (const auto& pt : p.outer) city.extent.add(pt);
    city.buildings.push_back(std::move(b));
  }
  for (auto& r : in.roads) shift(r.points);
  shift(signals);
  city.roads = build_road_network(in.roads, signals, city.report);
  for (auto& r : in.restrictions) {
    shift(r.points);
    for (auto& l : r.lines) shift(l);
  }
  resolve_restrictions(in.restrictions, city.roads, city.report);
  for (auto& sign : in.signs) sign.pos = {sign.pos.x - city.origin.x, sign.pos.y - city.origin.y};
  place_traffic_signs(in.signs, city.roads, city.report);
  for (const auto& e : city.roads.edges)
    for (const auto& pt : e.shape) city.extent.add(pt);

  Transform to_ll(city.crs, "EPSG:4326");
  for (Point2 corner : {Point2{city.extent.min_x, city.extent.min_y}, Point2{city.extent.max_x, city.extent.max_y},
                        Point2{city.extent.min_x, city.extent.max_y}, Point2{city.extent.max_x, city.extent.min_y}})
    city.extent_lonlat.add(to_ll.forward(Point2{corner.x + city.origin.x, corner.y + city.origin.y}));
  return city;
}

}  // namespace citytwin
