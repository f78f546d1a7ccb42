#include "engine/render/city_scene.hpp"

#include <osg/Geode>
#include <osg/PolygonOffset>
#include <osg/TriangleIndexFunctor>
#include <osgUtil/LineSegmentIntersector>
#include <osgUtil/Tessellator>

#include <algorithm>
#include <cmath>
#include <map>

#include "engine/core/error.hpp"

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

struct Builder {
  osg::ref_ptr<osg::Vec3Array> vertices = new osg::Vec3Array;
  BatchedSet* out;

  void add(const osg::Vec3& v, std::uint32_t element, float shade) {
    vertices->push_back(v);
    out->element_of_vertex.push_back(element);
    out->shade_of_vertex.push_back(shade);
  }
  void triangle(const osg::Vec3& a, const osg::Vec3& b, const osg::Vec3& c, std::uint32_t e, float shade) {
    add(a, e, shade), add(b, e, shade), add(c, e, shade);
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

void add_roof(Builder& b, const Polygon& poly, float z, std::uint32_t element) {
  osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
  osg::ref_ptr<osg::Vec3Array> v = new osg::Vec3Array;
  g->setVertexArray(v);
  auto ring = [&](const Ring& r) {
    const auto start = static_cast<GLint>(v->size());
    for (const auto& p : r) v->push_back(osg::Vec3(static_cast<float>(p.x), static_cast<float>(p.y), z));
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
  for (size_t i = 0; i + 2 < idx.size(); i += 3) {
    const osg::Vec3 &p = (*tv)[idx[i]], &q = (*tv)[idx[i + 1]], &r = (*tv)[idx[i + 2]];
    // Counter-clockwise seen from above, so that back faces can be culled.
    if (((q - p) ^ (r - p)).z() >= 0) b.triangle(p, q, r, element, 1.0f);
    else b.triangle(p, r, q, element, 1.0f);
  }
}

/// Walls face out of the solid (outer rings are walked counter-clockwise, holes clockwise), so that back
/// faces can be culled whatever the source's ring orientation.
void add_walls(Builder& b, const Ring& r, float z, std::uint32_t element, bool outer) {
  double twice_area = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    const Point2& p = r[i];
    const Point2& q = r[(i + 1) % r.size()];
    twice_area += p.x * q.y - q.x * p.y;
  }
  const bool flip = (twice_area > 0) != outer;
  for (size_t i = 0; i < r.size(); ++i) {
    const Point2& p = flip ? r[(i + 1) % r.size()] : r[i];
    const Point2& q = flip ? r[i] : r[(i + 1) % r.size()];
    const float s = wall_shade(p, q);
    osg::Vec3 p0(static_cast<float>(p.x), static_cast<float>(p.y), 0), q0(static_cast<float>(q.x), static_cast<float>(q.y), 0);
    osg::Vec3 p1 = p0 + osg::Vec3(0, 0, z), q1 = q0 + osg::Vec3(0, 0, z);
    b.triangle(p0, q0, q1, element, s);
    b.triangle(p0, q1, p1, element, s);
  }
}

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
    osg::Vec3 a(static_cast<float>(line[i].x), static_cast<float>(line[i].y), z);
    osg::Vec3 c(static_cast<float>(line[i + 1].x), static_cast<float>(line[i + 1].y), z);
    osg::Vec3 na = normal_at(i) * half_width, nc = normal_at(i + 1) * half_width;
    b.triangle(a - na, c - nc, c + nc, element, 1.0f);
    b.triangle(a - na, c + nc, a + na, element, 1.0f);
  }
}

void add_marker(Builder& b, const Point2& p, float half, float z, std::uint32_t element) {
  osg::Vec3 c(static_cast<float>(p.x), static_cast<float>(p.y), z);
  osg::Vec3 dx(half, 0, 0), dy(0, half, 0);
  b.triangle(c - dx - dy, c + dx - dy, c + dx + dy, element, 1.0f);
  b.triangle(c - dx - dy, c + dx + dy, c - dx + dy, element, 1.0f);
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
  if (layer.find("diff") != std::string::npos || layer.find("change") != std::string::npos) return "diverging";
  return "viridis";
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
    Builder b{new osg::Vec3Array, &batch};
    const Attribute* lanes = find_attribute(set, "lanes");
    for (std::uint32_t i = 0; i < set.size(); ++i) {
      if (set.kind == GeometryKind::polygon) {
        const float h = static_cast<float>(std::max(set.heights_m[i], 0.5));
        for (const auto& poly : set.polygons[i]) {
          add_roof(b, poly, h, i);
          add_walls(b, poly.outer, h, i, true);
          for (const auto& hole : poly.holes) add_walls(b, hole, h, i, false);
        }
      } else if (set.kind == GeometryKind::line) {
        double width = lanes && lanes->texts.empty() ? 3.5 * std::max(1.5, lanes->numbers[i]) : 4.0;
        add_ribbon(b, set.lines[i], static_cast<float>(width / 2), line_z, i);
      } else {
        add_marker(b, set.points[i], 4.0f, line_z + 0.5f, i);
      }
    }
    if (set.kind != GeometryKind::polygon) line_z += 0.3f;
    batch.geometry = new osg::Geometry;
    batch.geometry->setUseDisplayList(false);
    batch.geometry->setUseVertexBufferObjects(true);
    batch.geometry->setVertexArray(b.vertices);
    // Every triangle is counter-clockwise from outside (walls, roofs, and flat ribbons and markers seen
    // from above): skipping back faces halves the walls a software renderer rasterises.
    batch.geometry->getOrCreateStateSet()->setMode(GL_CULL_FACE, osg::StateAttribute::ON);
    osg::ref_ptr<osg::Vec4Array> colors = new osg::Vec4Array(b.vertices->size());
    batch.geometry->setColorArray(colors, osg::Array::BIND_PER_VERTEX);
    batch.geometry->addPrimitiveSet(new osg::DrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(b.vertices->size())));
    for (const auto& v : *b.vertices) bounds_.expandBy(v);
    geode->addDrawable(batch.geometry);
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
  for (auto [x, y] : {std::pair{x0, y0}, {x1, y0}, {x1, y1}, {x0, y0}, {x1, y1}, {x0, y1}}) gv->push_back({x, y, 0});
  ground->setVertexArray(gv);
  osg::ref_ptr<osg::Vec4Array> gc = new osg::Vec4Array;
  gc->push_back({0.95f, 0.95f, 0.93f, 1});
  ground->setColorArray(gc, osg::Array::BIND_OVERALL);
  ground->addPrimitiveSet(new osg::DrawArrays(GL_TRIANGLES, 0, 6));
  ground->getOrCreateStateSet()->setAttributeAndModes(new osg::PolygonOffset(1.0f, 4.0f));
  geode->addDrawable(ground);
}

void CityScene::apply_colors(BatchedSet& b, const std::vector<Rgb>& element_colors) {
  auto* colors = static_cast<osg::Vec4Array*>(b.geometry->getColorArray());
  for (size_t v = 0; v < colors->size(); ++v) {
    const Rgb& c = element_colors[b.element_of_vertex[v]];
    const float s = b.shade_of_vertex[v];
    (*colors)[v].set(c.r * s, c.g * s, c.b * s, 1.0f);
  }
  colors->dirty();
}

void CityScene::reset_colors(BatchedSet& b) {
  apply_colors(b, std::vector<Rgb>(b.set->size(), b.default_color));
}

void CityScene::clear_colors() {
  for (auto& b : sets_) reset_colors(b);
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
      throw InputError({"", 0, "layer " + c.layer}, "the baseline records it on other elements (" + base->set +
                                                        ", " + std::to_string(base->elements()) + " elements)");
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
    const double span = std::any_of(all.begin(), all.end(), [](float d) { return d > 0; }) ? std::max(hi, 0.0) : 1.0;
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
    legend.map = ColorMap::named(!c.color_map.empty() ? c.color_map
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
    return std::nullopt;  // the ground
  }
  return std::nullopt;
}

osg::Vec3 CityScene::element_anchor(size_t set, std::uint32_t element) const {
  const BatchedSet& b = sets_.at(set);
  const auto* v = static_cast<const osg::Vec3Array*>(b.geometry->getVertexArray());
  std::vector<size_t> mine;
  for (size_t i = 0; i < b.element_of_vertex.size(); ++i)
    if (b.element_of_vertex[i] == element) mine.push_back(i);
  if (mine.empty()) return {};
  if (b.set->kind == GeometryKind::polygon) {
    // Roof triangles are the flat ones at the element's top; walls follow them (see the constructor).
    float top = 0;
    for (size_t i : mine) top = std::max(top, (*v)[i].z());
    osg::Vec3 best = (*v)[mine.front()];
    float best_area = -1;
    for (size_t k = 0; k + 2 < mine.size(); k += 3) {
      const osg::Vec3 &p = (*v)[mine[k]], &q = (*v)[mine[k + 1]], &r = (*v)[mine[k + 2]];
      if (p.z() != top || q.z() != top || r.z() != top) continue;
      const float area = ((q - p) ^ (r - p)).length() / 2;
      if (area > best_area) best_area = area, best = (p + q + r) / 3;
    }
    return best;
  }
  if (b.set->kind == GeometryKind::line) {
    // Ribbon quads are 6 vertices per segment: the middle segment's centre.
    const size_t segments = mine.size() / 6;
    const size_t k = (segments / 2) * 6;
    osg::Vec3 c;
    for (size_t i = 0; i < 6 && k + i < mine.size(); ++i) c += (*v)[mine[k + i]];
    return c / 6;
  }
  osg::Vec3 c;
  for (size_t i : mine) c += (*v)[i];
  return c / static_cast<float>(mine.size());
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
