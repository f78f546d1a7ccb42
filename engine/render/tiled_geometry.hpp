#pragma once
/// The drawables of a batched element set (internal to engine/render): its triangles cut into square tiles,
/// each frame drawing per visible tile its roofs and the walls that can face the eye and are wide enough
/// on screen; and its point form, one square point per building, drawn instead of the triangles of tiles
/// whose buildings are all under kPointFormPixels on screen.
#include <cstdint>
#include <functional>
#include <memory>
#include <osg/BoundingBox>
#include <osg/Geometry>
#include <osg/Matrixd>
#include <osg/Polytope>
#include <utility>
#include <vector>

namespace citytwin::render {

/// Walls are grouped by the direction they face (kWallSectors sectors of the compass) and each group is
/// sorted so that the walls that can face a given eye form its tail: a frame draws that tail only.
inline constexpr int kWallSectors = 64;

/// The sector of a wall whose outward normal points `angle` radians from +x (east).
int wall_sector(double angle);

/// A group of walls, tile by tile, each tile's walls sorted by key = m . p, where m is the unit vector at
/// the group's mid normal and p a point of the wall, largest first: the walls facing an eye are then a
/// tail of the tile's slice, nearest first (so that the depth test spares the rasteriser the walls behind
/// them).
struct WallGroup {
  double mx = 0, my = 0;  ///< m
  double spread = 0;      ///< |n - m| at most, over the group's normals n
  std::vector<double> keys;
};

/// A tile's share of a set: a range of primitive set 0, per wall group a slice of the group, and a range
/// of the point form.
struct Tile {
  osg::BoundingBox box;
  size_t base_first = 0, base_count = 0;  ///< indices of primitive set 0
  struct Walls {
    unsigned group = 0;
    size_t first = 0, count = 0;  ///< walls of the group (6 indices each)
    double max_length = 0;        ///< the longest of them (metres)
  };
  std::vector<Walls> walls;
  size_t point_first = 0, point_count = 0;  ///< the tile's buildings in the point form
  /// The largest point_size_m() of the tile's buildings; 0: the tile has no point form (lines, markers).
  double point_size_m = 0;
};

/// The tiles of one set, shared by its two drawables and never changed once built.
struct TileSet {
  std::vector<Tile> tiles;
  std::vector<WallGroup> groups;
};

/// What decides what a frame draws.
struct DrawView {
  osg::Vec3d eye;                 ///< local metres
  double focal_px = 0;            ///< pixels per unit of tangent at the picture's centre; 0: full detail
  bool cull = false;              ///< cull tiles against frustum
  mutable osg::Polytope frustum;  ///< side planes, local metres (mutable: contains() keeps a mask)
};

/// The view of a frame drawn with these matrices into a viewport `viewport_height` pixels high (0: full
/// detail, every triangle of the tiles in the frustum).
DrawView make_view(const osg::Matrixd& modelview, const osg::Matrixd& projection, double viewport_height);

/// The side (metres) of a square of the area of the largest outline a building of this footprint area
/// (m^2), widest extent across its footprint (m) and height (m) shows: seen at elevation e a convex solid
/// shows A sin e + h w cos e (w its width across the line of sight), at most A + h w.
double point_size_m(double area_m2, double widest_m, double height_m);

/// Whether a tile is drawn in point form for the view: its largest building, seen from the tile's nearest
/// point (at squared distance `distance2` from the eye), is under kPointFormPixels on screen.
bool drawn_as_points(const Tile& tile, const DrawView& view, double distance2);

/// A set's triangles, cut into tiles, drawing per visible tile its roofs (ribbons, markers) and, of each
/// wall group, the walls that may face the eye and are wide enough on screen to show; tiles drawn in point
/// form are left out. Primitive set 0 (roofs, ribbons, markers) holds the tiles' ranges one after the
/// other; set 1 + g holds wall group g. Drawing reads the tiles only: safe from several draw threads.
/// Picking and for_each_triangle see every triangle (full detail).
class TiledGeometry : public osg::Geometry {
 public:
  void set_tiles(std::shared_ptr<const TileSet> tiles) { tiles_ = std::move(tiles); }
  const std::shared_ptr<const TileSet>& tiles() const { return tiles_; }
  /// Off: frames draw every triangle of the tiles in the frustum (no wall level of detail, no point form).
  /// Not to be changed while a frame is drawn.
  void set_level_of_detail(bool on) { level_of_detail_ = on; }
  /// Calls emit(primitive set, first index, index count) for each range of indices drawn for the view.
  void select(const DrawView& view, const std::function<void(unsigned, size_t, size_t)>& emit) const;
  void drawImplementation(osg::RenderInfo& info) const override;

 private:
  std::shared_ptr<const TileSet> tiles_;
  bool level_of_detail_ = true;
};

/// The point form of a set of buildings: one vertex per building at the centre of its footprint's bounding
/// rectangle, half its height above the ground (z = 0), carrying in texture coordinate 0 its footprint
/// area (m^2) and the mean shade of its walls, in texture coordinate 1 the rectangle's two half axes (m);
/// coloured with its roof colour. Shaders draw each point as a screen rectangle of the building's outline
/// (width and area), shaded by the shares of roof and walls in that outline. Drawn per frame for the tiles
/// in the frustum drawn as points (the tiles of the set's TiledGeometry); never drawn while its level of
/// detail is off.
class PointForm : public osg::Geometry {
 public:
  PointForm(std::shared_ptr<const TileSet> tiles, osg::Vec3Array* centres, osg::Vec4Array* half_axes,
            osg::Vec2Array* sizes);
  /// Off: nothing is drawn (the triangles draw every tile). Not to be changed while a frame is drawn.
  void set_level_of_detail(bool on) { level_of_detail_ = on; }
  /// Calls emit(first point, count) for each range of points drawn for the view.
  void select(const DrawView& view, const std::function<void(size_t, size_t)>& emit) const;
  void drawImplementation(osg::RenderInfo& info) const override;

 private:
  std::shared_ptr<const TileSet> tiles_;
  bool level_of_detail_ = true;
};

}  // namespace citytwin::render
