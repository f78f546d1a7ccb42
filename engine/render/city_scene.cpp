#include "engine/render/city_scene.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <osg/Geode>
#include <osg/PolygonOffset>
#include <osg/ShadeModel>
#include <osg/TriangleIndexFunctor>
#include <osgUtil/LineSegmentIntersector>
#include <osgUtil/Tessellator>
#include <string_view>
#include <tuple>
#include <unordered_set>

#include "engine/core/error.hpp"
#include "engine/geo/geometry.hpp"
#include "engine/render/tiled_geometry.hpp"

namespace citytwin::render {
namespace {

/// Collects triangle indices from a tessellated geometry.
struct TriangleCollector {
  std::vector<unsigned>* indices = nullptr;
  void operator()(unsigned a, unsigned b, unsigned c) {
    indices->push_back(a);
    indices->push_back(b);
    indices->push_back(c);
  }
};

/// Side of the square tiles (metres) that a set's geometry is cut into: each tile is culled against the view
/// frustum and chooses its walls' level of detail on its own.
constexpr double kTileSize = 400;

/// One wall: its outward normal (radians from +x, east), a point of it, its length, the tile of its
/// element, its two triangles' indices.
struct Wall {
  double normal = 0;
  double x = 0, y = 0;
  double length = 0;
  unsigned tile = 0;
  unsigned index[6] = {};
};

osg::Vec3 at(const Point2& p, float z) { return {static_cast<float>(p.x), static_cast<float>(p.y), z}; }

/// What the point form needs of a building's footprint: its area, the mean shade of its walls and the
/// bounding rectangle along its longest wall (centre and half axes).
struct Footprint {
  double area_m2 = 0, perimeter_m = 0;  ///< perimeter 0: no footprint
  float wall_shade = 1;
  Point2 centre;
  osg::Vec2 half_a, half_b;
  /// The widest the footprint can be across a line of sight: the rectangle's diagonal.
  double widest_m() const { return 2 * std::hypot(half_a.length(), half_b.length()); }
};

/// Indexed triangles of one element set: shared vertices, flat shading (each triangle takes the colour
/// of its last vertex, GL's provoking vertex), so a box building is 8 vertices instead of 30. Elements
/// are added tile by tile (begin_tile, then the tile's elements).
struct Builder {
  osg::ref_ptr<osg::Vec3Array> vertices = new osg::Vec3Array;
  osg::ref_ptr<osg::DrawElementsUInt> triangles = new osg::DrawElementsUInt(GL_TRIANGLES);
  std::vector<std::vector<Wall>> walls = std::vector<std::vector<Wall>>(kWallSectors);
  std::vector<Tile> tiles;
  size_t tile_vertices = 0;  ///< first vertex of the current tile
  BatchedSet* out;
  /// The point form (buildings only): a point per building and its sizes (see PointForm).
  osg::ref_ptr<osg::Vec3Array> centres = new osg::Vec3Array;
  osg::ref_ptr<osg::Vec4Array> point_axes = new osg::Vec4Array;
  osg::ref_ptr<osg::Vec2Array> point_sizes = new osg::Vec2Array;

  unsigned add(const osg::Vec3& v, std::uint32_t element, float shade) {
    vertices->push_back(v);
    out->element_of_vertex.push_back(element);
    out->shade_of_vertex.push_back(shade);
    return static_cast<unsigned>(vertices->size() - 1);
  }
  /// The triangle's colour is that of c (the provoking vertex).
  void triangle(unsigned a, unsigned b, unsigned c) {
    triangles->push_back(a);
    triangles->push_back(b);
    triangles->push_back(c);
  }
  void wall(const Wall& w) {
    auto& sector = walls[static_cast<size_t>(wall_sector(w.normal))];
    sector.push_back(w);
    sector.back().tile = static_cast<unsigned>(tiles.size() - 1);
  }
  /// The point standing for a building of this footprint and height (see PointForm); side_m: its
  /// point_size_m.
  void point(std::uint32_t element, const Footprint& f, double height_m, double side_m) {
    centres->push_back(at(f.centre, static_cast<float>(height_m / 2)));
    point_axes->push_back(osg::Vec4(f.half_a.x(), f.half_a.y(), f.half_b.x(), f.half_b.y()));
    point_sizes->push_back(osg::Vec2(static_cast<float>(f.area_m2), f.wall_shade));
    out->element_of_point.push_back(element);
    Tile& t = tiles.back();
    t.point_size_m = std::max(t.point_size_m, side_m);
  }
  void begin_tile() {
    end_tile();
    tiles.emplace_back();
    tiles.back().base_first = triangles->size();
    tiles.back().point_first = centres->size();
    tile_vertices = vertices->size();
  }
  void end_tile() {
    if (tiles.empty()) return;
    Tile& t = tiles.back();
    t.base_count = triangles->size() - t.base_first;
    t.point_count = centres->size() - t.point_first;
    t.box = osg::BoundingBox();
    for (size_t v = tile_vertices; v < vertices->size(); ++v) t.box.expandBy((*vertices)[v]);
  }
  /// Adds the wall groups as primitive sets 1, 2, ... of g (after the other triangles) and hands the tiles
  /// to g.
  void finish(TiledGeometry& g) {
    end_tile();
    g.addPrimitiveSet(triangles);
    std::vector<WallGroup> groups;
    for (auto& group : walls) {
      if (group.empty()) continue;
      double lo = group.front().normal, hi = lo;
      for (const Wall& w : group) lo = std::min(lo, w.normal), hi = std::max(hi, w.normal);
      WallGroup out_group;
      const double mid = (lo + hi) / 2;
      out_group.mx = std::cos(mid), out_group.my = std::sin(mid);
      out_group.spread = 2 * std::sin((hi - lo) / 4) + 1e-9;
      std::vector<std::tuple<unsigned, double, size_t>> order;  // tile, key, wall
      for (size_t i = 0; i < group.size(); ++i)
        order.emplace_back(group[i].tile, out_group.mx * group[i].x + out_group.my * group[i].y, i);
      std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
        return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) < std::get<0>(b)
                                                : std::get<1>(a) > std::get<1>(b);
      });
      osg::ref_ptr<osg::DrawElementsUInt> indices = new osg::DrawElementsUInt(GL_TRIANGLES);
      indices->reserve(6 * group.size());
      const auto group_index = static_cast<unsigned>(groups.size());
      for (size_t k = 0; k < order.size(); ++k) {
        const auto& [tile, key, i] = order[k];
        if (k == 0 || std::get<0>(order[k - 1]) != tile) tiles[tile].walls.push_back({group_index, k, 0, 0});
        Tile::Walls& slice = tiles[tile].walls.back();
        ++slice.count;
        slice.max_length = std::max(slice.max_length, group[i].length);
        out_group.keys.push_back(key);
        indices->insert(indices->end(), group[i].index, group[i].index + 6);
      }
      g.addPrimitiveSet(indices);
      groups.push_back(std::move(out_group));
      group.clear();
    }
    g.set_tiles(std::make_shared<const TileSet>(TileSet{std::move(tiles), std::move(groups)}));
  }
};

// Light from the south-west and above, baked into wall colours (the scene is drawn unlit so that roof and
// line colours are exactly the layer's colours).
float wall_shade(const Point2& a, const Point2& b) {
  const double nx = b.y - a.y, ny = -(b.x - a.x);
  const double len = std::hypot(nx, ny);
  if (len == 0) return 0.7f;
  const double lx = -0.6, ly = -0.8;
  return static_cast<float>(0.62 + 0.3 * std::abs((nx * lx + ny * ly) / len));
}

/// An extruded polygon: per ring vertex one vertex at the ground (carrying the shade of the wall that starts
/// there) and one at the roof (shade 1, shared by the roof and the walls' upper corners). Walls face out of
/// the solid (outer rings walked counter-clockwise, holes clockwise) and roofs up, so that back faces can
/// be culled whatever the source's ring orientation.
void add_extruded(Builder& b, const Polygon& poly, float z, std::uint32_t element) {
  std::vector<unsigned> tops;  // roof vertices, outer ring then holes, in ring order
  auto walls = [&](const Ring& r, bool outer) {
    const size_t n = r.size();
    if (n < 2) return;
    const bool flip = (signed_area(r) > 0) != outer;
    // The wall from ring point i to i+1 (flip: from i+1 to i) starts at its "from" point.
    const unsigned base = static_cast<unsigned>(b.vertices->size());
    for (size_t i = 0; i < n; ++i) {
      const size_t from = i, to = flip ? (i + n - 1) % n : (i + 1) % n;
      b.add(at(r[from], 0), element, wall_shade(r[from], r[to]));
    }
    for (size_t i = 0; i < n; ++i) tops.push_back(b.add(at(r[i], z), element, 1.0f));
    for (size_t i = 0; i < n; ++i) {
      const size_t to = flip ? (i + n - 1) % n : (i + 1) % n;
      const unsigned p0 = base + static_cast<unsigned>(i), q0 = base + static_cast<unsigned>(to);
      const unsigned p1 = p0 + static_cast<unsigned>(n), q1 = q0 + static_cast<unsigned>(n);
      // Counter-clockwise from outside, the wall's own ground vertex last.
      const Point2 &from = r[i], &dest = r[to];
      const double normal = std::atan2(-(dest.x - from.x), dest.y - from.y);
      b.wall(Wall{
          normal, from.x, from.y, std::hypot(dest.x - from.x, dest.y - from.y), 0, {q0, q1, p0, q1, p1, p0}});
    }
  };
  walls(poly.outer, true);
  for (const auto& h : poly.holes) walls(h, false);

  osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
  osg::ref_ptr<osg::Vec3Array> v = new osg::Vec3Array;
  g->setVertexArray(v);
  auto ring = [&](const Ring& r) {
    const auto start = static_cast<GLint>(v->size());
    for (const auto& p : r) v->push_back(at(p, z));
    g->addPrimitiveSet(new osg::DrawArrays(GL_POLYGON, start, static_cast<GLsizei>(r.size())));
  };
  ring(poly.outer);
  for (const auto& h : poly.holes) ring(h);
  osgUtil::Tessellator tess;
  tess.setTessellationType(osgUtil::Tessellator::TESS_TYPE_GEOMETRY);
  tess.setWindingType(osgUtil::Tessellator::TESS_WINDING_ODD);
  tess.setBoundaryOnly(false);
  tess.retessellatePolygons(*g);
  std::vector<unsigned> idx;
  osg::TriangleIndexFunctor<TriangleCollector> f;
  f.indices = &idx;
  g->accept(f);
  const auto* tv = static_cast<const osg::Vec3Array*>(g->getVertexArray());
  // The tessellator keeps the ring points and appends the points it makes where edges cross.
  auto vertex_of = [&](unsigned k) {
    const osg::Vec3& p = (*tv)[k];
    if (k < tops.size() && (*b.vertices)[tops[k]] == p) return tops[k];
    for (unsigned t : tops)
      if ((*b.vertices)[t] == p) return t;
    const unsigned added = b.add(p, element, 1.0f);
    tops.push_back(added);
    return added;
  };
  for (size_t i = 0; i + 2 < idx.size(); i += 3) {
    const osg::Vec3 &p = (*tv)[idx[i]], &q = (*tv)[idx[i + 1]], &r = (*tv)[idx[i + 2]];
    const unsigned a = vertex_of(idx[i]), c = vertex_of(idx[i + 2]), m = vertex_of(idx[i + 1]);
    // Counter-clockwise seen from above.
    if (((q - p) ^ (r - p)).z() >= 0)
      b.triangle(a, m, c);
    else
      b.triangle(a, c, m);
  }
}

Footprint footprint_of(const std::vector<Polygon>& polygons) {
  Footprint f;
  double& perimeter = f.perimeter_m;
  double shaded = 0, longest = 0, angle = 0;
  for (const auto& poly : polygons) {
    f.area_m2 += std::abs(signed_area(poly.outer));
    for (const auto& h : poly.holes) f.area_m2 -= std::abs(signed_area(h));
    const Ring& r = poly.outer;
    for (size_t i = 0; i < r.size(); ++i) {
      const Point2 &p = r[i], &q = r[(i + 1) % r.size()];
      const double length = std::hypot(q.x - p.x, q.y - p.y);
      perimeter += length;
      shaded += length * wall_shade(p, q);
      if (length > longest) longest = length, angle = std::atan2(q.y - p.y, q.x - p.x);
    }
  }
  if (perimeter == 0) return f;
  f.wall_shade = static_cast<float>(shaded / perimeter);
  const double ux = std::cos(angle), uy = std::sin(angle);
  double lo_u = 1e300, hi_u = -1e300, lo_v = 1e300, hi_v = -1e300;
  for (const auto& poly : polygons)
    for (const Point2& p : poly.outer) {
      const double u = p.x * ux + p.y * uy, v = -p.x * uy + p.y * ux;
      lo_u = std::min(lo_u, u), hi_u = std::max(hi_u, u), lo_v = std::min(lo_v, v), hi_v = std::max(hi_v, v);
    }
  const double mu = (lo_u + hi_u) / 2, mv = (lo_v + hi_v) / 2, hu = (hi_u - lo_u) / 2, hv = (hi_v - lo_v) / 2;
  f.centre = {mu * ux - mv * uy, mu * uy + mv * ux};
  f.half_a.set(static_cast<float>(hu * ux), static_cast<float>(hu * uy));
  f.half_b.set(static_cast<float>(-hv * uy), static_cast<float>(hv * ux));
  return f;
}

/// A flat ribbon of quads along a line, 4 vertices per segment.
void add_ribbon(Builder& b, const Polyline& line, float half_width, float z, std::uint32_t element) {
  if (line.size() < 2) return;
  auto normal_at = [&](size_t i) {
    const Point2& a = line[i == 0 ? 0 : i - 1];
    const Point2& c = line[i + 1 == line.size() ? i : i + 1];
    double dx = c.x - a.x, dy = c.y - a.y, len = std::hypot(dx, dy);
    if (len == 0) return osg::Vec3(0, 0, 0);
    return osg::Vec3(static_cast<float>(-dy / len), static_cast<float>(dx / len), 0);
  };
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    const osg::Vec3 a = at(line[i], z), c = at(line[i + 1], z);
    const osg::Vec3 na = normal_at(i) * half_width, nc = normal_at(i + 1) * half_width;
    const unsigned k = b.add(a - na, element, 1.0f);
    b.add(c - nc, element, 1.0f), b.add(c + nc, element, 1.0f), b.add(a + na, element, 1.0f);
    b.triangle(k, k + 1, k + 2);
    b.triangle(k, k + 2, k + 3);
  }
}

void add_marker(Builder& b, const Point2& p, float half, float z, std::uint32_t element) {
  const osg::Vec3 c = at(p, z), dx(half, 0, 0), dy(0, half, 0);
  const unsigned k = b.add(c - dx - dy, element, 1.0f);
  b.add(c + dx - dy, element, 1.0f), b.add(c + dx + dy, element, 1.0f), b.add(c - dx + dy, element, 1.0f);
  b.triangle(k, k + 1, k + 2);
  b.triangle(k, k + 2, k + 3);
}

Rgb default_color_for(const ElementSet& set) {
  if (set.name == "buildings") return {0.86f, 0.84f, 0.80f};
  if (set.name == "roads") return {0.42f, 0.42f, 0.45f};
  if (set.name.starts_with("water")) return {0.20f, 0.45f, 0.85f};
  if (set.name.starts_with("grid")) return {0.85f, 0.50f, 0.10f};
  return {0.5f, 0.5f, 0.5f};
}

const Attribute* find_attribute(const ElementSet& set, const std::string& name) {
  for (const auto& a : set.attributes)
    if (a.name == name) return &a;
  return nullptr;
}

/// The 2nd and 98th percentiles of the finite values: a few extreme elements (a stadium, a single
/// jammed street) should not wash out the colours of all the others.
std::pair<double, double> robust_range(const std::vector<float>& all) {
  std::vector<float> v;
  v.reserve(all.size());
  for (float x : all)
    if (std::isfinite(x)) v.push_back(x);
  if (v.empty()) return {0, 1};
  auto pick = [&](double q) {
    auto it = v.begin() + static_cast<long>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), it, v.end());
    return static_cast<double>(*it);
  };
  double lo = pick(0.02), hi = pick(0.98);
  if (hi <= lo) {
    auto [a, b] = std::minmax_element(v.begin(), v.end());
    lo = *a, hi = *b;
  }
  return {lo, hi > lo ? hi : lo + 1};
}

std::string default_map_for(const std::string& layer) {
  if (layer.find("speed") != std::string::npos) return "traffic";
  if (layer.find("loading") != std::string::npos || layer.find("demand") != std::string::npos) return "heat";
  if (layer.find("diff") != std::string::npos || layer.find("change") != std::string::npos)
    return "diverging";
  return "viridis";
}

/// Calls f for each triangle that TiledGeometry draws for the view; returns their number.
size_t drawn_triangles(const BatchedSet& b, const DrawView& view,
                       const std::function<void(unsigned, unsigned, unsigned)>& f) {
  const auto* g = static_cast<const TiledGeometry*>(b.geometry.get());
  size_t n = 0;
  g->select(view, [&](unsigned p, size_t first, size_t count) {
    const auto& t = *static_cast<const osg::DrawElementsUInt*>(g->getPrimitiveSet(p));
    for (size_t k = first; k + 2 < first + count; k += 3, ++n) f(t[k], t[k + 1], t[k + 2]);
  });
  return n;
}

}  // namespace

CityScene::CityScene(const Results& results) : results_(results), root_(new osg::Group) {
  osg::ref_ptr<osg::Geode> geode = new osg::Geode;
  root_->addChild(geode);
  root_->getOrCreateStateSet()->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  sets_.reserve(results.sets.size());
  float line_z = 0.4f;
  for (const auto& set : results.sets) {
    BatchedSet batch;
    batch.set = &set;
    batch.default_color = default_color_for(set);
    batch.painted.assign(set.size(), false);
    Builder b;
    b.out = &batch;
    const Attribute* lanes = find_attribute(set, "lanes");
    // Elements tile by tile (by the centre of their bounds), so that each tile is a range of the arrays.
    std::vector<std::pair<double, double>> centre(set.size());
    double x0 = 0, y0 = 0;
    for (std::uint32_t i = 0; i < set.size(); ++i) {
      Box2 box;
      if (set.kind == GeometryKind::polygon) {
        for (const auto& poly : set.polygons[i])
          for (const auto& p : poly.outer) box.add(p);
      } else if (set.kind == GeometryKind::line) {
        for (const auto& p : set.lines[i]) box.add(p);
      } else {
        box.add(set.points[i]);
      }
      centre[i] = box.empty() ? std::pair{0.0, 0.0} : std::pair{box.centre().x, box.centre().y};
      x0 = i == 0 ? centre[i].first : std::min(x0, centre[i].first);
      y0 = i == 0 ? centre[i].second : std::min(y0, centre[i].second);
    }
    // Buildings of one tile are further split by size (the side of their largest outline, in steps of a
    // factor sqrt(2) from 8 m), so that the small ones switch to the point form without waiting for the
    // tile's largest.
    auto height_of = [&](std::uint32_t i) { return static_cast<float>(std::max(set.heights_m[i], 0.5)); };
    std::vector<Footprint> footprints;
    std::vector<double> sides;  // point_size_m, 0 without a footprint
    if (set.kind == GeometryKind::polygon)
      for (std::uint32_t i = 0; i < set.size(); ++i) {
        const Footprint& f = footprints.emplace_back(footprint_of(set.polygons[i]));
        sides.push_back(f.perimeter_m > 0 ? point_size_m(f.area_m2, f.widest_m(), height_of(i)) : 0.0);
      }
    auto size_class = [&](std::uint32_t i) {
      if (sides.empty()) return 0L;
      return std::lround(std::floor(2 * std::log2(std::max(sides[i], 8.0) / 8)));
    };
    std::vector<std::pair<std::array<long, 3>, std::uint32_t>> order;  // (tile row, column, size), element
    for (std::uint32_t i = 0; i < set.size(); ++i)
      order.push_back({{std::lround(std::floor((centre[i].second - y0) / kTileSize)),
                        std::lround(std::floor((centre[i].first - x0) / kTileSize)), size_class(i)},
                       i});
    std::sort(order.begin(), order.end());
    for (size_t k = 0; k < order.size(); ++k) {
      const std::uint32_t i = order[k].second;
      if (k == 0 || order[k].first != order[k - 1].first) b.begin_tile();
      if (set.kind == GeometryKind::polygon) {
        const float h = height_of(i);
        for (const auto& poly : set.polygons[i]) add_extruded(b, poly, h, i);
        if (footprints[i].perimeter_m > 0) b.point(i, footprints[i], h, sides[i]);
      } else if (set.kind == GeometryKind::line) {
        double width = lanes && lanes->texts.empty() ? 3.5 * std::max(1.5, lanes->numbers[i]) : 4.0;
        add_ribbon(b, set.lines[i], static_cast<float>(width / 2), line_z, i);
      } else {
        add_marker(b, set.points[i], 4.0f, line_z + 0.5f, i);
      }
    }
    if (set.kind != GeometryKind::polygon) line_z += 0.3f;
    osg::ref_ptr<TiledGeometry> geometry = new TiledGeometry;
    batch.geometry = geometry;
    batch.geometry->setUseDisplayList(false);
    batch.geometry->setUseVertexBufferObjects(true);
    batch.geometry->setVertexArray(b.vertices);
    // Every triangle is counter-clockwise from outside (walls, roofs, and flat ribbons and markers seen
    // from above): skipping back faces halves the walls a software renderer rasterises.
    batch.geometry->getOrCreateStateSet()->setMode(GL_CULL_FACE, osg::StateAttribute::ON);
    batch.geometry->getOrCreateStateSet()->setAttribute(new osg::ShadeModel(osg::ShadeModel::FLAT));
    // Bytes, not floats: a quarter of the colour data for the vertex stage to fetch.
    osg::ref_ptr<osg::Vec4ubArray> colors = new osg::Vec4ubArray(b.vertices->size());
    colors->setNormalize(true);
    batch.geometry->setColorArray(colors, osg::Array::BIND_PER_VERTEX);
    for (const auto& v : *b.vertices) bounds_.expandBy(v);
    b.finish(*geometry);
    geode->addDrawable(batch.geometry);
    if (!b.centres->empty()) {
      batch.points =
          new PointForm(geometry->tiles(), b.centres.get(), b.point_axes.get(), b.point_sizes.get());
      osg::ref_ptr<osg::Vec4ubArray> point_colors = new osg::Vec4ubArray(b.centres->size());
      point_colors->setNormalize(true);
      batch.points->setColorArray(point_colors, osg::Array::BIND_PER_VERTEX);
      geode->addDrawable(batch.points);
    }
    sets_.push_back(std::move(batch));
    reset_colors(sets_.back());
  }
  if (!bounds_.valid()) bounds_.expandBy(osg::Vec3(0, 0, 0));
  // Ground plane under everything, pushed back in depth so that flat ribbons on it win.
  const float margin = 0.6f * std::max(bounds_.xMax() - bounds_.xMin(), bounds_.yMax() - bounds_.yMin()) + 50;
  osg::ref_ptr<osg::Geometry> ground = new osg::Geometry;
  osg::ref_ptr<osg::Vec3Array> gv = new osg::Vec3Array;
  const float x0 = bounds_.xMin() - margin, x1 = bounds_.xMax() + margin;
  const float y0 = bounds_.yMin() - margin, y1 = bounds_.yMax() + margin;
  for (auto [x, y] : {std::pair{x0, y0}, {x1, y0}, {x1, y1}, {x0, y0}, {x1, y1}, {x0, y1}})
    gv->push_back({x, y, 0});
  ground->setVertexArray(gv);
  osg::ref_ptr<osg::Vec4Array> gc = new osg::Vec4Array;
  gc->push_back({0.95f, 0.95f, 0.93f, 1});
  ground->setColorArray(gc, osg::Array::BIND_OVERALL);
  ground->addPrimitiveSet(new osg::DrawArrays(GL_TRIANGLES, 0, 6));
  ground->getOrCreateStateSet()->setAttributeAndModes(new osg::PolygonOffset(1.0f, 4.0f));
  geode->addDrawable(ground);
  ground_ = ground;
}

void CityScene::apply_colors(BatchedSet& b) {
  auto color_of = [&](std::uint32_t e) { return b.painted[e] ? b.paint_color : b.element_colors[e]; };
  auto* colors = static_cast<osg::Vec4ubArray*>(b.geometry->getColorArray());
  for (size_t v = 0; v < colors->size(); ++v)
    (*colors)[v] = to_bytes(color_of(b.element_of_vertex[v]), b.shade_of_vertex[v]);
  colors->dirty();
  if (!b.points) return;
  // The point form takes the roof colour: its shader shades it.
  auto* point_colors = static_cast<osg::Vec4ubArray*>(b.points->getColorArray());
  for (size_t k = 0; k < point_colors->size(); ++k)
    (*point_colors)[k] = to_bytes(color_of(b.element_of_point[k]), 1.0f);
  point_colors->dirty();
}

void CityScene::apply_colors(BatchedSet& b, std::vector<Rgb> element_colors) {
  b.element_colors = std::move(element_colors);
  apply_colors(b);
}

void CityScene::reset_colors(BatchedSet& b) {
  apply_colors(b, std::vector<Rgb>(b.set->size(), b.default_color));
}

void CityScene::clear_colors() {
  for (auto& b : sets_) reset_colors(b);
}

size_t CityScene::set_painted(const std::string& set, const std::vector<std::string>& ids, Rgb color) {
  const std::unordered_set<std::string_view> wanted(ids.begin(), ids.end());
  size_t painted = 0;
  for (auto& b : sets_) {
    if (b.set->name != set) continue;
    std::vector<bool> marks(b.set->size(), false);
    for (size_t i = 0; i < marks.size(); ++i)
      if (wanted.contains(b.set->ids[i])) marks[i] = true, ++painted;
    if (marks == b.painted && color == b.paint_color) continue;
    b.painted = std::move(marks);
    b.paint_color = color;
    apply_colors(b);
  }
  return painted;
}

std::vector<std::string> CityScene::colorable_layers() const {
  std::vector<std::string> out;
  for (const auto& l : results_.layers) out.push_back(l.name);
  for (const auto& s : results_.sets)
    for (const auto& a : s.attributes) out.push_back(s.name + "." + a.name);
  return out;
}

LegendInfo CityScene::color(const Coloring& c) {
  for (auto& b : sets_) reset_colors(b);
  LegendInfo legend;
  const Layer* layer = results_.find_layer(c.layer);
  const ElementSet* set = nullptr;
  const Attribute* attribute = nullptr;
  std::vector<double> values;
  if (layer && c.baseline) {
    set = results_.find_set(layer->set);
    const Layer* base = c.baseline->find_layer(c.layer);
    if (!base) throw InputError({"", 0, "layer " + c.layer}, "not recorded in the baseline run");
    if (base->set != layer->set || base->elements() != layer->elements())
      throw InputError({"", 0, "layer " + c.layer}, "the baseline records it on other elements (" +
                                                        base->set + ", " + std::to_string(base->elements()) +
                                                        " elements)");
    legend.title = layer->name + " change" + (layer->unit.empty() ? "" : " [" + layer->unit + "]");
    const size_t n = layer->elements();
    auto diff_row = [&](double t_s, std::vector<float>& out) {
      const float* a = layer->row(layer->time_index(t_s));
      const float* b = base->row(base->time_index(t_s));
      out.resize(n);
      for (size_t i = 0; i < n; ++i) out[i] = a[i] - b[i];
    };
    std::vector<float> all, row;
    for (double t : layer->times_s) {
      diff_row(t, row);
      for (float d : row) all.push_back(std::abs(d));
    }
    const auto [lo, hi] = robust_range(all);
    const double span =
        std::any_of(all.begin(), all.end(), [](float d) { return d > 0; }) ? std::max(hi, 0.0) : 1.0;
    legend.min = c.min.value_or(-span);
    legend.max = c.max.value_or(span);
    if (n > 0) {
      diff_row(c.time_s, row);
      values.assign(row.begin(), row.end());
    }
  } else if (layer) {
    set = results_.find_set(layer->set);
    legend.title = layer->name + (layer->unit.empty() ? "" : " [" + layer->unit + "]");
    auto [lo, hi] = robust_range(layer->values);
    legend.min = c.min.value_or(lo);
    legend.max = c.max.value_or(hi);
    if (!layer->times_s.empty()) {
      const float* row = layer->row(layer->time_index(c.time_s));
      values.assign(row, row + layer->elements());
    }
  } else {
    auto dot = c.layer.rfind('.');
    if (dot != std::string::npos) {
      set = results_.find_set(c.layer.substr(0, dot));
      if (set) attribute = find_attribute(*set, c.layer.substr(dot + 1));
    }
    if (!attribute) {
      std::string known;
      for (const auto& n : colorable_layers()) known += (known.empty() ? "" : ", ") + n;
      throw InputError({"", 0, "layer " + c.layer}, "unknown layer (layers: " + known + ")");
    }
    legend.title = c.layer;
    if (!attribute->texts.empty()) {
      legend.categorical = true;
      std::map<std::string, size_t> index;
      for (const auto& t : attribute->texts) index.emplace(t, 0);
      size_t k = 0;
      for (auto& [name, i] : index) {
        i = k;
        legend.categories.push_back({name, category_color(k++)});
      }
      std::vector<Rgb> colors;
      for (const auto& t : attribute->texts) colors.push_back(category_color(index[t]));
      for (auto& b : sets_)
        if (b.set == set) apply_colors(b, colors);
      return legend;
    }
    values = attribute->numbers;
    auto [lo, hi] = robust_range(std::vector<float>(values.begin(), values.end()));
    legend.min = c.min.value_or(lo);
    legend.max = c.max.value_or(hi);
  }
  try {
    legend.map = ColorMap::named(!c.color_map.empty()  ? c.color_map
                                 : c.baseline && layer ? std::string("diverging")
                                                       : default_map_for(c.layer));
  } catch (const std::invalid_argument& e) {
    throw InputError(e.what());
  }
  const double span = legend.max > legend.min ? legend.max - legend.min : 1.0;
  std::vector<Rgb> colors(set->size(), {0.55f, 0.55f, 0.55f});
  for (size_t i = 0; i < values.size() && i < colors.size(); ++i)
    if (std::isfinite(values[i])) colors[i] = legend.map.at((values[i] - legend.min) / span);
  for (auto& b : sets_)
    if (b.set == set) apply_colors(b, colors);
  return legend;
}

std::optional<PickHit> CityScene::pick(const osg::Matrixd& view, const osg::Matrixd& projection, int width,
                                       int height, double x, double y) const {
  const osg::Matrixd to_window = view * projection * osg::Matrixd::translate(1, 1, 1) *
                                 osg::Matrixd::scale(width / 2.0, height / 2.0, 0.5);
  const osg::Matrixd from_window = osg::Matrixd::inverse(to_window);
  const osg::Vec3d start = osg::Vec3d(x, y, 0) * from_window, end = osg::Vec3d(x, y, 1) * from_window;
  osg::ref_ptr<osgUtil::LineSegmentIntersector> ray = new osgUtil::LineSegmentIntersector(start, end);
  osgUtil::IntersectionVisitor visitor(ray.get());
  root_->accept(visitor);
  // Intersections come sorted from the eye: the first one is what the pixel shows.
  for (const auto& hit : ray->getIntersections()) {
    if (hit.drawable->getNodeMask() == 0) continue;  // the visitor tests hidden drawables of a Geode too
    for (size_t s = 0; s < sets_.size(); ++s) {
      if (hit.drawable.get() != sets_[s].geometry.get()) continue;
      if (hit.indexList.empty()) return std::nullopt;
      return PickHit{s, sets_[s].element_of_vertex[hit.indexList.front()], hit.getLocalIntersectPoint()};
    }
    if (hit.drawable.get() == ground_.get()) return std::nullopt;
    // Anything else added under the root (moving vehicles) is looked through.
  }
  return std::nullopt;
}

osg::Vec3 CityScene::element_anchor(size_t set, std::uint32_t element) const {
  const BatchedSet& b = sets_.at(set);
  const auto* v = static_cast<const osg::Vec3Array*>(b.geometry->getVertexArray());
  std::vector<unsigned> mine;
  for (size_t i = 0; i < b.element_of_vertex.size(); ++i)
    if (b.element_of_vertex[i] == element) mine.push_back(static_cast<unsigned>(i));
  if (mine.empty()) return {};
  if (b.set->kind == GeometryKind::polygon) {
    // Roof triangles are the flat ones at the element's top.
    float top = 0;
    for (unsigned i : mine) top = std::max(top, (*v)[i].z());
    osg::Vec3 best = (*v)[mine.front()];
    float best_area = -1;
    for_each_triangle(b, [&](unsigned i, unsigned j, unsigned k) {
      if (b.element_of_vertex[i] != element) return;
      const osg::Vec3 &p = (*v)[i], &q = (*v)[j], &r = (*v)[k];
      if (p.z() != top || q.z() != top || r.z() != top) return;
      const float area = ((q - p) ^ (r - p)).length() / 2;
      if (area > best_area) best_area = area, best = (p + q + r) / 3;
    });
    return best;
  }
  if (b.set->kind == GeometryKind::line) {
    // Ribbon quads are 4 vertices per segment: the middle segment's centre.
    const size_t k = (mine.size() / 4 / 2) * 4;
    osg::Vec3 c;
    for (size_t i = 0; i < 4 && k + i < mine.size(); ++i) c += (*v)[mine[k + i]];
    return c / 4;
  }
  osg::Vec3 c;
  for (unsigned i : mine) c += (*v)[i];
  return c / static_cast<float>(mine.size());
}

size_t CityScene::for_each_drawn_triangle(size_t set, const osg::Vec3d& eye,
                                          const std::function<void(unsigned, unsigned, unsigned)>& f) const {
  DrawView view;
  view.eye = eye;
  return drawn_triangles(sets_.at(set), view, f);
}

size_t CityScene::for_each_drawn_triangle(size_t set, const osg::Matrixd& view,
                                          const osg::Matrixd& projection, int height,
                                          const std::function<void(unsigned, unsigned, unsigned)>& f) const {
  DrawView v = make_view(view, projection, height);
  return drawn_triangles(sets_.at(set), v, f);
}

size_t CityScene::for_each_drawn_point(size_t set, const osg::Matrixd& view, const osg::Matrixd& projection,
                                       int height, const std::function<void(std::uint32_t)>& f) const {
  const BatchedSet& b = sets_.at(set);
  if (!b.points) return 0;
  size_t n = 0;
  static_cast<const PointForm*>(b.points.get())
      ->select(make_view(view, projection, height), [&](size_t first, size_t count) {
        for (size_t k = first; k < first + count; ++k, ++n) f(b.element_of_point[k]);
      });
  return n;
}

void CityScene::set_level_of_detail(bool on) {
  for (auto& b : sets_) {
    static_cast<TiledGeometry*>(b.geometry.get())->set_level_of_detail(on);
    if (b.points) static_cast<PointForm*>(b.points.get())->set_level_of_detail(on);
  }
}

void CityScene::set_visible(const std::string& set, bool visible) {
  for (auto& b : sets_) {
    if (b.set->name != set) continue;
    b.geometry->setNodeMask(visible ? ~0u : 0u);
    if (b.points) b.points->setNodeMask(visible ? ~0u : 0u);
  }
}

std::vector<osg::Vec3> CityScene::fit_points() const {
  size_t total = 0;
  for (const auto& b : sets_) total += b.geometry->getVertexArray()->getNumElements();
  const size_t stride = std::max<size_t>(1, total / 20000);
  std::vector<osg::Vec3> out;
  for (const auto& b : sets_) {
    const auto* v = static_cast<const osg::Vec3Array*>(b.geometry->getVertexArray());
    for (size_t i = 0; i < v->size(); i += stride) out.push_back((*v)[i]);
  }
  return out;
}

CameraSetup fit_camera(const std::vector<osg::Vec3>& points, int width, int height) {
  constexpr double kFovy = 30.0, kElevationDeg = 50.0;
  const double aspect = static_cast<double>(width) / std::max(1, height);
  osg::BoundingBox box;
  for (const auto& p : points) box.expandBy(p);
  if (!box.valid()) box.expandBy(osg::Vec3(0, 0, 0));
  const osg::Vec3d centre(box.center().x(), box.center().y(), 0);
  // Principal axis of the points: the camera looks across it so that an elongated city fills the width.
  double sxx = 0, syy = 0, sxy = 0;
  for (const auto& p : points) {
    const double dx = p.x() - centre.x(), dy = p.y() - centre.y();
    sxx += dx * dx, syy += dy * dy, sxy += dx * dy;
  }
  const double theta = 0.5 * std::atan2(2 * sxy, sxx - syy);
  osg::Vec3d across(-std::sin(theta), std::cos(theta), 0);
  if (across.y() > 0) across = -across;  // stand on the south side, looking north
  const double e = osg::DegreesToRadians(kElevationDeg);
  osg::Vec3d dir = across * std::cos(e) + osg::Vec3d(0, 0, std::sin(e));
  auto make = [&](double distance) {
    CameraSetup cam;
    cam.view = osg::Matrixd::lookAt(centre + dir * distance, centre, osg::Vec3d(0, 0, 1));
    cam.projection = osg::Matrixd::perspective(kFovy, aspect, distance * 0.02, distance * 4);
    return cam;
  };
  // Leave room for the title bar at the top and the legend at the bottom.
  auto fits = [&](const CameraSetup& cam) {
    const osg::Matrixd m = cam.view * cam.projection;
    for (const auto& p : points) {
      const osg::Vec3d ndc = osg::Vec3d(p) * m;
      if (std::abs(ndc.x()) > 0.92 || ndc.y() > 0.74 || ndc.y() < -0.72) return false;
    }
    return true;
  };
  const double radius = std::max(0.5 * (box.xMax() - box.xMin() + box.yMax() - box.yMin()), 10.0);
  double lo = radius * 0.2, hi = radius * 20;
  for (int iter = 0; iter < 30; ++iter) {
    const double mid = std::sqrt(lo * hi);
    (fits(make(mid)) ? hi : lo) = mid;
  }
  return make(hi);
}

}  // namespace citytwin::render
