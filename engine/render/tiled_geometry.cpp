#include "engine/render/tiled_geometry.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <osg/GLExtensions>
#include <osg/PointSprite>
#include <osg/Program>

#include "engine/render/city_scene.hpp"

namespace citytwin::render {

int wall_sector(double angle) {
  constexpr double pi = std::numbers::pi;
  return std::clamp(static_cast<int>((angle + pi) / (2 * pi) * kWallSectors), 0, kWallSectors - 1);
}

DrawView make_view(const osg::Matrixd& modelview, const osg::Matrixd& projection, double viewport_height) {
  DrawView v;
  v.eye = osg::Vec3d(0, 0, 0) * osg::Matrixd::inverse(modelview);
  // A perspective projection (w = -z of the eye): (1, 1) is cot(fovy / 2). Orthographic views keep every
  // wall.
  if (projection(3, 3) == 0 && viewport_height > 0) v.focal_px = projection(1, 1) * viewport_height / 2;
  v.frustum.setToUnitFrustum(false, false);
  v.frustum.transformProvidingInverse(modelview * projection);
  v.cull = true;
  return v;
}

double point_size_m(double area_m2, double widest_m, double height_m) {
  return std::sqrt(std::max(0.0, area_m2) + std::max(0.0, height_m) * widest_m);
}

namespace {

/// Squared distance from the eye to the nearest point of a box.
double distance2(const osg::BoundingBox& box, const osg::Vec3d& e) {
  const double dx = std::max({box.xMin() - e.x(), 0.0, e.x() - box.xMax()});
  const double dy = std::max({box.yMin() - e.y(), 0.0, e.y() - box.yMax()});
  const double dz = std::max({box.zMin() - e.z(), 0.0, e.z() - box.zMax()});
  return dx * dx + dy * dy + dz * dz;
}

}  // namespace

bool drawn_as_points(const Tile& tile, const DrawView& view, double distance2) {
  if (view.focal_px <= 0 || tile.point_size_m <= 0) return false;
  const double limit = kPointFormPixels / view.focal_px;  // metres per metre of distance
  return tile.point_size_m < limit * std::sqrt(distance2);
}

// Facing: a wall with outward normal n through point p faces an eye at e when n . (e - p) > 0 (its plane is
// vertical and n horizontal); since n . (e - p) <= m . (e - p) + |n - m| |e - p|, a wall whose key m . p is
// at least m . e + spread * reach (reach: the farthest the tile lies from the eye, horizontally) faces away
// and would be culled as a back face anyway.
//
// Level of detail (screen space): a wall of length w whose centre c lies at distance r from the eye is about
// f w n . (e - c) / r^2 pixels wide on screen (f: the view's focal length in pixels). A wall narrower than
// kMinWallPixels is left out: with n . (e - p) bounded as above, w by the tile's longest wall and r from
// below by the tile's distance d, every wall whose key is at least
//   m . e + spread * reach - kMinWallPixels d^2 / (f w_max)
// is narrower than that. Far away this drops the walls seen edge-on first; farther still the whole tile is
// drawn in point form.
void TiledGeometry::select(const DrawView& view,
                           const std::function<void(unsigned, size_t, size_t)>& emit) const {
  const osg::Vec3d& e = view.eye;
  // m . e per group, once per view (a thread's own buffer: several draw threads may draw at once).
  thread_local std::vector<double> m_dot_e;
  m_dot_e.clear();
  for (const WallGroup& g : tiles_->groups) m_dot_e.push_back(g.mx * e.x() + g.my * e.y());
  for (const Tile& t : tiles_->tiles) {
    if (view.cull && !view.frustum.contains(t.box)) continue;
    const double d2 = distance2(t.box, e);
    if (drawn_as_points(t, view, d2)) continue;
    if (t.base_count > 0) emit(0u, t.base_first, t.base_count);
    if (t.walls.empty()) continue;
    double reach = 0;
    for (unsigned c = 0; c < 4; ++c) {
      const osg::Vec3 corner = t.box.corner(c);
      reach = std::max(reach, std::hypot(e.x() - corner.x(), e.y() - corner.y()));
    }
    for (const Tile::Walls& w : t.walls) {
      const WallGroup& g = tiles_->groups[w.group];
      double limit = m_dot_e[w.group] + g.spread * reach + 0.01;
      if (view.focal_px > 0) limit -= kMinWallPixels * d2 / (view.focal_px * w.max_length);
      const auto begin = g.keys.begin() + static_cast<std::ptrdiff_t>(w.first);
      const auto end = begin + static_cast<std::ptrdiff_t>(w.count);
      const auto k = static_cast<size_t>(
          std::partition_point(begin, end, [&](double key) { return key >= limit; }) - begin);
      if (k < w.count) emit(1 + w.group, 6 * (w.first + k), 6 * (w.count - k));
    }
  }
}

namespace {

/// The view of the frame being drawn.
DrawView current_view(const osg::State& state) {
  const osg::Viewport* viewport = state.getCurrentViewport();
  return make_view(state.getModelViewMatrix(), state.getProjectionMatrix(),
                   viewport ? viewport->height() : 0);
}

/// Ranges of consecutive indices, neighbours joined. The buffers are the drawing thread's own, kept from
/// frame to frame.
struct Ranges {
  std::vector<std::pair<size_t, size_t>> list;
  void add(size_t first, size_t count) {
    if (!list.empty() && list.back().first + list.back().second == first)
      list.back().second += count;
    else
      list.emplace_back(first, count);
  }
};

/// glMultiDrawElements of these (first index, count) ranges of d.
void draw_ranges(osg::State& state, const osg::DrawElementsUInt& d,
                 const std::vector<std::pair<size_t, size_t>>& ranges, bool vbo) {
  osg::GLBufferObject* ebo = vbo ? d.getOrCreateGLBufferObject(state.getContextID()) : nullptr;
  std::uintptr_t base = 0;
  if (ebo) {
    state.getCurrentVertexArrayState()->bindElementBufferObject(ebo);
    base = static_cast<std::uintptr_t>(ebo->getOffset(d.getBufferIndex()));
  } else {
    state.getCurrentVertexArrayState()->unbindElementBufferObject();
    base = reinterpret_cast<std::uintptr_t>(&d[0]);
  }
  thread_local std::vector<GLsizei> counts;
  thread_local std::vector<const GLvoid*> starts;
  counts.clear();
  starts.clear();
  for (const auto& [first, count] : ranges) {
    counts.push_back(static_cast<GLsizei>(count));
    starts.push_back(reinterpret_cast<const GLvoid*>(base + first * sizeof(GLuint)));
  }
  const osg::GLExtensions* ext = state.get<osg::GLExtensions>();
  if (ext->glMultiDrawElements) {
    ext->glMultiDrawElements(GL_TRIANGLES, counts.data(), GL_UNSIGNED_INT, starts.data(),
                             static_cast<GLsizei>(counts.size()));
  } else {
    for (size_t k = 0; k < counts.size(); ++k)
      glDrawElements(GL_TRIANGLES, counts[k], GL_UNSIGNED_INT, starts[k]);
  }
}

/// Binds the geometry's arrays (vertex buffers where used) around draw().
template <class F>
void with_arrays(const osg::Geometry& g, osg::RenderInfo& info, bool supports_vbo, bool use_vbo, bool use_vao,
                 F&& draw) {
  osg::State& state = *info.getState();
  const bool vbo = state.useVertexBufferObject(supports_vbo && use_vbo);
  const bool vao = vbo && state.useVertexArrayObject(use_vao);
  osg::VertexArrayState* vas = state.getCurrentVertexArrayState();
  vas->setVertexBufferObjectSupported(vbo);
  g.drawVertexArraysImplementation(info);
  draw(vbo);
  if (vbo && !vao) {
    vas->unbindVertexBufferObject();
    vas->unbindElementBufferObject();
  }
}

}  // namespace

void TiledGeometry::drawImplementation(osg::RenderInfo& info) const {
  osg::State& state = *info.getState();
  thread_local std::vector<Ranges> ranges;
  if (ranges.size() < _primitives.size()) ranges.resize(_primitives.size());
  for (auto& r : ranges) r.list.clear();
  DrawView view = current_view(state);
  if (!level_of_detail_) view.focal_px = 0;
  select(view, [&](unsigned p, size_t first, size_t count) { ranges[p].add(first, count); });
  with_arrays(*this, info, _supportsVertexBufferObjects, _useVertexBufferObjects, _useVertexArrayObject,
              [&](bool vbo) {
                for (unsigned i = 0; i < _primitives.size(); ++i)
                  if (!ranges[i].list.empty())
                    draw_ranges(state, static_cast<const osg::DrawElementsUInt&>(*_primitives[i]),
                                ranges[i].list, vbo);
              });
}

namespace {

// A building seen at elevation e shows an outline of area A sin e + h w cos e (w: the width of its footprint
// across the line of sight, here of its bounding rectangle with half axes a and b: 2 (|a . n| + |b . n|), n
// the horizontal unit vector across the line of sight): about a rectangle w wide and A sin e / w + h cos e
// high on screen, its middle where the middle of the solid is (the point's vertex, h / 2 up). The point is
// a sprite square the size of the rectangle's longer side and the fragment shader keeps the rectangle: under
// a pixel it covers the pixel's centre or not, as the building's triangles would. Its shade: roof (1) and
// walls (their mean shade) in proportion to their shares of the outline. World vectors in eye coordinates:
// the modelview's columns; back, its rows (the view does not roll or scale).
constexpr const char* kPointVertexShader = R"(#version 120
uniform float focal_px;
varying vec2 extent;
void main() {
  vec4 eye = gl_ModelViewMatrix * gl_Vertex;
  gl_Position = gl_ProjectionMatrix * eye;
  vec3 up = normalize(vec3(gl_ModelViewMatrix[2]));
  vec3 sight = normalize(eye.xyz);
  float sin_e = abs(dot(sight, up));
  vec2 n = (normalize(cross(sight, up) + vec3(1e-6, 0.0, 0.0)) * mat3(gl_ModelViewMatrix)).xy;
  n /= max(length(n), 1e-6);
  float width = max(2.0 * (abs(dot(gl_MultiTexCoord1.xy, n)) + abs(dot(gl_MultiTexCoord1.zw, n))), 1e-3);
  float roof = gl_MultiTexCoord0.x * sin_e;
  float walls = 2.0 * gl_Vertex.z * width * sqrt(max(0.0, 1.0 - sin_e * sin_e));
  float area = max(roof + walls, 1e-6);
  vec2 size = vec2(width, area / width) * focal_px / gl_Position.w;
  float side = max(1.0, max(size.x, size.y));
  gl_PointSize = side;
  extent = size / side;
  float shade = (roof + walls * gl_MultiTexCoord0.y) / area;
  gl_FrontColor = vec4(gl_Color.rgb * shade, 1.0);
}
)";

constexpr const char* kPointFragmentShader = R"(#version 120
varying vec2 extent;
void main() {
  vec2 d = abs(gl_PointCoord - vec2(0.5)) * 2.0;
  if (d.x > extent.x || d.y > extent.y) discard;
  gl_FragColor = gl_Color;
}
)";

}  // namespace

PointForm::PointForm(std::shared_ptr<const TileSet> tiles, osg::Vec3Array* centres, osg::Vec4Array* half_axes,
                     osg::Vec2Array* sizes)
    : tiles_(std::move(tiles)) {
  setUseDisplayList(false);
  setUseVertexBufferObjects(true);
  setVertexArray(centres);
  setTexCoordArray(0, sizes, osg::Array::BIND_PER_VERTEX);
  setTexCoordArray(1, half_axes, osg::Array::BIND_PER_VERTEX);
  addPrimitiveSet(new osg::DrawArrays(GL_POINTS, 0, static_cast<GLsizei>(centres->size())));
  osg::StateSet* state = getOrCreateStateSet();
  osg::ref_ptr<osg::Program> program = new osg::Program;
  program->addShader(new osg::Shader(osg::Shader::VERTEX, kPointVertexShader));
  program->addShader(new osg::Shader(osg::Shader::FRAGMENT, kPointFragmentShader));
  state->setAttributeAndModes(program);
  state->setMode(GL_VERTEX_PROGRAM_POINT_SIZE, osg::StateAttribute::ON);
  // Sprites: squares of the exact size (plain points round theirs to whole pixels).
  state->setTextureAttributeAndModes(0, new osg::PointSprite, osg::StateAttribute::ON);
  state->addUniform(new osg::Uniform("focal_px", 1.0f));
}

void PointForm::select(const DrawView& view, const std::function<void(size_t, size_t)>& emit) const {
  for (const Tile& t : tiles_->tiles) {
    if (view.cull && !view.frustum.contains(t.box)) continue;
    if (drawn_as_points(t, view, distance2(t.box, view.eye))) emit(t.point_first, t.point_count);
  }
}

void PointForm::drawImplementation(osg::RenderInfo& info) const {
  if (!level_of_detail_) return;
  osg::State& state = *info.getState();
  const DrawView view = current_view(state);
  thread_local Ranges ranges;
  ranges.list.clear();
  select(view, [&](size_t first, size_t count) { ranges.add(first, count); });
  if (ranges.list.empty()) return;
  // The focal length is the view's (each view of the scene may have its own viewport): set it here, with
  // the program already in use.
  const osg::GLExtensions* ext = state.get<osg::GLExtensions>();
  if (const osg::Program::PerContextProgram* program = state.getLastAppliedProgramObject()) {
    const GLint at = program->getUniformLocation(osg::Uniform::getNameID("focal_px"));
    if (at >= 0) ext->glUniform1f(at, static_cast<float>(view.focal_px));
  }
  with_arrays(
      *this, info, _supportsVertexBufferObjects, _useVertexBufferObjects, _useVertexArrayObject, [&](bool) {
        thread_local std::vector<GLint> firsts;
        thread_local std::vector<GLsizei> counts;
        firsts.clear();
        counts.clear();
        for (const auto& [first, count] : ranges.list) {
          firsts.push_back(static_cast<GLint>(first));
          counts.push_back(static_cast<GLsizei>(count));
        }
        ext->glMultiDrawArrays(GL_POINTS, firsts.data(), counts.data(), static_cast<GLsizei>(firsts.size()));
      });
}

}  // namespace citytwin::render
