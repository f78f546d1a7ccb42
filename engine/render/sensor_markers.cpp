#include "engine/render/sensor_markers.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <numeric>
#include <osg/Depth>
#include <sstream>

#include "engine/data/sensor_placement.hpp"

namespace citytwin::render {
namespace {

constexpr int kSegments = 12;
constexpr float kStemHalfWidthPx = 1.25f, kFootRadiusPx = 2.5f, kSelectedOutlinePx = 3.5f;
// Per pin: the stem (2 triangles), the foot, the ring and the head (kSegments triangles each).
constexpr int kVerticesPerPin = 3 * (2 + 3 * kSegments);

struct Frame {
  osg::Vec3d right, up;  // world directions of the window's x and y
  double w = 0;          // clip w of the foot (the depth in a perspective; 1 in an orthographic view)
  double metres_per_px = 0;
};

std::optional<Frame> pin_frame(const osg::Vec3d& foot, const osg::Matrixd& view,
                               const osg::Matrixd& projection, int height) {
  const osg::Vec4d clip = osg::Vec4d(foot, 1) * view * projection;
  if (clip.w() <= 0 || projection(1, 1) == 0) return std::nullopt;
  Frame f;
  f.w = clip.w();
  f.right = osg::Vec3d(view(0, 0), view(1, 0), view(2, 0));
  f.up = osg::Vec3d(view(0, 1), view(1, 1), view(2, 1));
  f.metres_per_px = 2 * clip.w() / (projection(1, 1) * height);
  return f;
}

osg::Vec2d window_pixel(const osg::Vec3d& p, const osg::Matrixd& view, const osg::Matrixd& projection,
                        int width, int height) {
  const osg::Vec4d clip = osg::Vec4d(p, 1) * view * projection;
  return {(clip.x() / clip.w() + 1) * 0.5 * width, (clip.y() / clip.w() + 1) * 0.5 * height};
}

/// The highest z of each element of a set in the scene (its roof, or the ribbon or marker it is drawn as).
std::vector<float> element_tops(const BatchedSet& b) {
  std::vector<float> top(b.set->size(), 0.0f);
  const auto* v = static_cast<const osg::Vec3Array*>(b.geometry->getVertexArray());
  for (size_t i = 0; i < v->size(); ++i) {
    float& t = top[b.element_of_vertex[i]];
    t = std::max(t, (*v)[i].z());
  }
  return top;
}

}  // namespace

Rgb quantity_color(const std::string& quantity) {
  // Water in blues and green, traffic in red and brown, energy violet, weather orange (Okabe-Ito hues
  // mostly); none is a colour map's end, so a pin stands out on a coloured city.
  static const std::map<std::string, Rgb> kColors{{"traffic.flow", {0.84f, 0.37f, 0.00f}},
                                                  {"traffic.speed", {0.55f, 0.35f, 0.17f}},
                                                  {"water.flow", {0.00f, 0.45f, 0.70f}},
                                                  {"water.pressure", {0.34f, 0.71f, 0.91f}},
                                                  {"water.tank_level", {0.00f, 0.62f, 0.45f}},
                                                  {"water.zone_inflow", {0.25f, 0.30f, 0.80f}},
                                                  {"energy.building_electricity", {0.62f, 0.38f, 0.80f}},
                                                  {"weather.air_temperature", {0.90f, 0.62f, 0.00f}}};
  const auto it = kColors.find(quantity);
  return it == kColors.end() ? Rgb{0.60f, 0.60f, 0.60f} : it->second;
}

const std::vector<FitClass>& fit_classes() {
  static const std::vector<FitClass> kClasses{
      {"NSE >= 0.5: satisfactory", {0.00f, 0.62f, 0.45f}},
      {"NSE 0 to 0.5: weak", {0.94f, 0.89f, 0.26f}},
      {"NSE < 0: poor, the measured mean does better", {0.84f, 0.20f, 0.10f}},
      {"no NSE (too few pairs, constant data)", {0.60f, 0.60f, 0.60f}}};
  return kClasses;
}

const FitClass& fit_class(double nse) {
  const auto& c = fit_classes();
  if (!std::isfinite(nse)) return c[3];
  return nse >= 0.5 ? c[0] : nse >= 0 ? c[1] : c[2];
}

SensorMarkers::SensorMarkers(const Results& results, const CityScene& scene)
    : node_(new osg::Geode), geometry_(new osg::Geometry) {
  std::map<std::string, std::vector<float>> tops;
  for (size_t s = 0; s < results.sensors.size(); ++s) {
    const SensorTrace& t = results.sensors[s];
    if (t.set.empty() && t.element.empty()) continue;  // city-wide: no place
    const BatchedSet* drawn = nullptr;
    for (const auto& b : scene.sets())
      if (b.set->name == t.set) drawn = &b;
    static const std::vector<std::string> kNone;
    const auto& ids = drawn ? drawn->set->ids : kNone;
    const size_t i = static_cast<size_t>(std::find(ids.begin(), ids.end(), t.element) - ids.begin());
    if (i == ids.size()) {
      unplaced_.push_back(t.id);
      continue;
    }
    auto top = tops.find(t.set);
    if (top == tops.end()) top = tops.emplace(t.set, element_tops(*drawn)).first;
    const Point2 p = element_anchor(*drawn->set, i);
    sensor_.push_back(s);
    anchor_.emplace_back(p.x, p.y, top->second[i]);
  }
  fill_.assign(sensor_.size(), quantity_color(""));
  geometry_->setUseDisplayList(false);
  geometry_->setUseVertexBufferObjects(true);
  geometry_->setDataVariance(osg::Object::DYNAMIC);
  geometry_->setVertexArray(new osg::Vec3Array(sensor_.size() * kVerticesPerPin));
  osg::ref_ptr<osg::Vec4ubArray> colors = new osg::Vec4ubArray(sensor_.size() * kVerticesPerPin);
  colors->setNormalize(true);
  geometry_->setColorArray(colors, osg::Array::BIND_PER_VERTEX);
  geometry_->addPrimitiveSet(
      new osg::DrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(sensor_.size() * kVerticesPerPin)));
  node_->addDrawable(geometry_);
  node_->setCullingActive(false);  // the pins' world size follows the camera: their bounds lag a frame
  osg::StateSet* ss = node_->getOrCreateStateSet();
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  ss->setMode(GL_CULL_FACE, osg::StateAttribute::OFF);
  // Over the city, after it: the pins are symbols, not objects that buildings may hide.
  ss->setAttributeAndModes(new osg::Depth(osg::Depth::ALWAYS, 0, 1, false));
  ss->setRenderBinDetails(20, "RenderBin");
}

void SensorMarkers::set_colors(std::vector<Rgb> per_sensor) {
  for (size_t k = 0; k < sensor_.size(); ++k)
    if (sensor_[k] < per_sensor.size()) fill_[k] = per_sensor[sensor_[k]];
  colors_changed_ = true;
}

void SensorMarkers::set_selected(std::optional<size_t> sensor) {
  std::optional<size_t> pin;
  for (size_t k = 0; k < sensor_.size() && sensor; ++k)
    if (sensor_[k] == *sensor) pin = k;
  if (pin != selected_) colors_changed_ = true;
  selected_ = pin;
}

void SensorMarkers::update(const osg::Matrixd& view, const osg::Matrixd& projection, int width, int height) {
  std::ostringstream key;
  key.precision(17);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) key << view(r, c) << ',' << projection(r, c) << ',';
  key << width << 'x' << height;
  if (!colors_changed_ && key.str() == laid_out_key_) return;
  laid_out_key_ = key.str();
  colors_changed_ = false;

  // Far pins first, so that a nearer pin is drawn over a farther one it overlaps.
  std::vector<size_t> order(sensor_.size());
  std::vector<double> depth(sensor_.size());
  for (size_t k = 0; k < sensor_.size(); ++k) depth[k] = (osg::Vec4d(anchor_[k], 1) * view * projection).w();
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return depth[a] > depth[b]; });

  auto& v = *static_cast<osg::Vec3Array*>(geometry_->getVertexArray());
  auto& col = *static_cast<osg::Vec4ubArray*>(geometry_->getColorArray());
  size_t n = 0;
  for (size_t k : order) {
    const osg::Vec3d foot = anchor_[k];
    const auto f = pin_frame(foot, view, projection, height);
    auto at = [&](double x_px, double y_px) {
      return f ? osg::Vec3(foot + (f->right * x_px + f->up * y_px) * f->metres_per_px) : osg::Vec3(foot);
    };
    auto triangle = [&](osg::Vec3 a, osg::Vec3 b, osg::Vec3 c, const Rgb& rgb) {
      const osg::Vec4ub byte = to_bytes(rgb);
      v[n] = a, v[n + 1] = b, v[n + 2] = c;
      col[n] = col[n + 1] = col[n + 2] = byte;
      n += 3;
    };
    auto disc = [&](double cy, double radius, const Rgb& rgb) {
      for (int s = 0; s < kSegments; ++s) {
        const double a0 = 2 * std::numbers::pi * s / kSegments,
                     a1 = 2 * std::numbers::pi * (s + 1) / kSegments;
        triangle(at(0, cy), at(radius * std::cos(a0), cy + radius * std::sin(a0)),
                 at(radius * std::cos(a1), cy + radius * std::sin(a1)), rgb);
      }
    };
    const bool selected = selected_ == k;
    const Rgb ring = selected ? kPinSelectedColor : kPinOutlineColor;
    const double w = kStemHalfWidthPx;
    triangle(at(-w, 0), at(w, 0), at(w, kPinHeadHeightPx), kPinOutlineColor);
    triangle(at(-w, 0), at(w, kPinHeadHeightPx), at(-w, kPinHeadHeightPx), kPinOutlineColor);
    disc(0, kFootRadiusPx, kPinOutlineColor);
    disc(kPinHeadHeightPx, kPinHeadRadiusPx + (selected ? kSelectedOutlinePx : kPinOutlinePx), ring);
    disc(kPinHeadHeightPx, kPinHeadRadiusPx, fill_[k]);
  }
  v.dirty();
  col.dirty();
  geometry_->dirtyBound();
}

std::optional<osg::Vec2d> SensorMarkers::head_pixel(size_t k, const osg::Matrixd& view,
                                                    const osg::Matrixd& projection, int width,
                                                    int height) const {
  if (!pin_frame(anchor_[k], view, projection, height)) return std::nullopt;
  return window_pixel(anchor_[k], view, projection, width, height) + osg::Vec2d(0, kPinHeadHeightPx);
}

std::optional<size_t> SensorMarkers::pick(const osg::Matrixd& view, const osg::Matrixd& projection, int width,
                                          int height, double x, double y) const {
  std::optional<size_t> best;
  double best_w = 0;
  for (size_t k = 0; k < sensor_.size(); ++k) {
    const auto f = pin_frame(anchor_[k], view, projection, height);
    if (!f) continue;
    const osg::Vec2d foot = window_pixel(anchor_[k], view, projection, width, height);
    const double dx = x - foot.x(), dy = y - foot.y();
    const bool head = std::hypot(dx, dy - kPinHeadHeightPx) <= kPinHeadRadiusPx + kPinOutlinePx + 1;
    const bool stem =
        std::abs(dx) <= kStemHalfWidthPx + 1.5 && dy >= -kFootRadiusPx && dy <= kPinHeadHeightPx;
    if ((head || stem) && (!best || f->w < best_w)) best = sensor_[k], best_w = f->w;
  }
  return best;
}

}  // namespace citytwin::render
