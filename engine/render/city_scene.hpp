#pragma once
/// The 3D scene of a run's results with OpenSceneGraph: extruded buildings, road and network lines as
/// ribbons, points, a ground plane. Each element set is one batched geometry (one draw call) with
/// per-vertex colours; recolouring for another layer or time only rewrites the colour array.
#include <functional>
#include <optional>
#include <osg/Geometry>
#include <osg/Group>
#include <osg/Matrixd>
#include <string>
#include <vector>

#include "engine/data/results.hpp"
#include "engine/render/color_map.hpp"

namespace citytwin::render {

/// The colour of elements taken out of service (a closed road or pipe, a line outage): near black, apart
/// from every colour map's range.
inline constexpr Rgb kClosedColor{0.08f, 0.08f, 0.08f};

/// The sky: the colour pictures and views are cleared to.
inline constexpr Rgb kSkyColor{0.80f, 0.86f, 0.92f};

/// Walls narrower than this on screen (pixels) are not drawn (see TiledGeometry in city_scene.cpp): the
/// screen-space level of detail of the batched buildings.
inline constexpr double kMinWallPixels = 0.25;

/// Buildings whose outline would be smaller on screen than a square of this side (pixels) may be drawn as
/// one square point of that outline's area, in the mean colour of its roof and walls (the point form, see
/// PointForm in tiled_geometry.hpp): a tile switches to it when its largest building is that small.
inline constexpr double kPointFormPixels = 3.0;

/// How a layer is coloured: by a numeric layer or attribute through a colour map, or by category.
struct Coloring {
  std::string layer;  ///< result layer ("occupancy.people") or "<set>.<attribute>" ("buildings.use")
  double time_s = 0;
  std::string color_map;           ///< empty = chosen from the layer's name
  std::optional<double> min, max;  ///< empty = the layer's range over the whole run
  /// When set: colour this run's layer minus the same layer of `baseline` at the same time (a what-if
  /// against its baseline). Both runs must share the element set; the range is symmetric around 0 and the
  /// default map is "diverging", so unchanged elements get the map's neutral middle colour.
  const Results* baseline = nullptr;
};

/// What the legend shows for the current colouring.
struct LegendInfo {
  std::string title;  ///< layer name and unit
  bool categorical = false;
  ColorMap map = ColorMap::named("viridis");
  double min = 0, max = 1;
  std::vector<std::pair<std::string, Rgb>> categories;
};

/// An element hit by a pick ray.
struct PickHit {
  size_t set = 0;             ///< index into CityScene::sets()
  std::uint32_t element = 0;  ///< index into the set's elements
  osg::Vec3 point;            ///< local metres
};

/// One batched element set in the scene: one geometry of indexed triangles (shared vertices) drawn with
/// flat shading, each triangle in the colour of its last vertex (a wall's shade sits on its ground vertex).
/// Walls are grouped by facing direction into further primitive sets of the same geometry. The elements
/// are laid out in square tiles; each frame draws, per tile inside the view frustum, its roofs and the walls
/// that can face the eye and are at least kMinWallPixels wide on screen (one multi-draw per primitive set).
/// The one vertex and colour array serve every tile and level of detail: colouring writes it as before.
/// Sets of buildings also have a point form (one point per building) that far tiles are drawn in.
struct BatchedSet {
  const ElementSet* set = nullptr;
  osg::ref_ptr<osg::Geometry> geometry;
  osg::ref_ptr<osg::Geometry> points;  ///< the point form; null for lines and markers
  std::vector<std::uint32_t> element_of_point;
  std::vector<std::uint32_t> element_of_vertex;
  std::vector<float> shade_of_vertex;  ///< baked light factor
  Rgb default_color;
  std::vector<Rgb> element_colors;  ///< the colouring, per element (painted ones aside)
  std::vector<bool> painted;        ///< per element: drawn in paint_color whatever the colouring
  Rgb paint_color = kClosedColor;
};

/// Calls f(a, b, c) with the vertex indices of each of the set's triangles (counter-clockwise from outside,
/// the colour-giving vertex c last).
template <class F>
void for_each_triangle(const BatchedSet& set, F&& f) {
  for (unsigned p = 0; p < set.geometry->getNumPrimitiveSets(); ++p) {
    const auto& t = *static_cast<const osg::DrawElementsUInt*>(set.geometry->getPrimitiveSet(p));
    for (size_t k = 0; k + 2 < t.size(); k += 3) f(t[k], t[k + 1], t[k + 2]);
  }
}

class CityScene {
 public:
  /// results must outlive the scene.
  explicit CityScene(const Results& results);

  osg::Group* root() const { return root_.get(); }
  /// Local-metre bounds of everything drawn (z up).
  osg::BoundingBox bounds() const { return bounds_; }
  /// Colours the scene; throws InputError naming the layer (and listing the available ones) when unknown.
  LegendInfo color(const Coloring& coloring);
  /// Back to each set's default colour (no layer).
  void clear_colors();
  /// Marks the elements of a set with these IDs (and only those) as painted in one colour: drawn so over
  /// any colouring, this one and those of later color() and clear_colors() calls, until the next call for
  /// the set. Recolours the set once, when the marks or the colour changed; unknown IDs are skipped.
  /// Returns how many elements are painted.
  size_t set_painted(const std::string& set, const std::vector<std::string>& ids, Rgb color);
  /// Layers and attributes that color() accepts.
  std::vector<std::string> colorable_layers() const;
  const std::vector<BatchedSet>& sets() const { return sets_; }
  /// The nearest visible element under a window pixel (x right, y up from the bottom-left corner, in a
  /// width x height viewport), or nothing when the ray first meets the ground or the sky. Sets hidden with
  /// set_visible(..., false) are not hit.
  std::optional<PickHit> pick(const osg::Matrixd& view, const osg::Matrixd& projection, int width, int height,
                              double x, double y) const;
  /// A point on the element that a click should hit: the centroid of the largest roof triangle of a
  /// building (at roof height), the middle vertex of a line, the centre of a point marker.
  osg::Vec3 element_anchor(size_t set, std::uint32_t element) const;
  /// Calls f(a, b, c) for each triangle of a set that a frame seen from eye (local metres) draws (walls
  /// that cannot face the eye are left out); returns their number.
  size_t for_each_drawn_triangle(size_t set, const osg::Vec3d& eye,
                                 const std::function<void(unsigned, unsigned, unsigned)>& f) const;
  /// The same for a frame drawn with these view and projection matrices into a viewport `height` pixels
  /// high: also leaves out the tiles outside the view frustum, the walls narrower than kMinWallPixels and the
  /// tiles drawn in point form.
  size_t for_each_drawn_triangle(size_t set, const osg::Matrixd& view, const osg::Matrixd& projection,
                                 int height,
                                 const std::function<void(unsigned, unsigned, unsigned)>& f) const;
  /// Calls f(element) for each element of a set that a frame drawn with these matrices draws in point form;
  /// returns their number.
  size_t for_each_drawn_point(size_t set, const osg::Matrixd& view, const osg::Matrixd& projection,
                              int height, const std::function<void(std::uint32_t)>& f) const;
  /// Shows or hides the sets of that name (triangles and point form); hidden sets are not picked either.
  void set_visible(const std::string& set, bool visible);
  /// Off: every triangle of what lies in the view is drawn (no wall level of detail, no point form), for
  /// reference pictures. On by default. Not to be changed while a frame is drawn.
  void set_level_of_detail(bool on);
  /// The ground plane (drawn under everything).
  const osg::Geometry* ground() const { return ground_.get(); }
  /// A sample of the drawn vertices (at most about 20,000), for fitting a camera.
  std::vector<osg::Vec3> fit_points() const;

 private:
  /// Colours b's vertices from its element colours and painted marks.
  void apply_colors(BatchedSet& b);
  void apply_colors(BatchedSet& b, std::vector<Rgb> element_colors);
  void reset_colors(BatchedSet& b);
  const Results& results_;
  osg::ref_ptr<osg::Group> root_;
  osg::BoundingBox bounds_;
  std::vector<BatchedSet> sets_;
  osg::ref_ptr<osg::Geometry> ground_;
};

struct CameraSetup {
  osg::Matrixd view, projection;
};
/// An oblique camera from the south side, across the points' principal axis, as close as keeps every
/// point inside the picture (clear of the title bar and legend).
CameraSetup fit_camera(const std::vector<osg::Vec3>& points, int width, int height);

}  // namespace citytwin::render
