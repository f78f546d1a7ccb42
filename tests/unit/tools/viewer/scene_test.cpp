// The render extensions the viewer relies on, without a display: picking by ray, element anchors and the
// difference colouring.
#include <array>
#include <boost/test/unit_test.hpp>
#include <random>
#include <set>

#include "engine/core/error.hpp"
#include "engine/data/recorder.hpp"
#include "engine/render/city_scene.hpp"
#include "engine/render/vehicles.hpp"

using namespace citytwin;
using namespace citytwin::render;

namespace {

/// Three 40 m square buildings 100 m apart, 20 m tall (the middle one an L shape), one layer.
Results three(const std::vector<double>& at_0, const std::vector<double>& at_1h) {
  Recorder rec;
  ElementSet b;
  b.name = "buildings";
  b.kind = GeometryKind::polygon;
  for (int i = 0; i < 3; ++i) {
    const double x = 100.0 * i;
    b.ids.push_back("b" + std::to_string(i));
    if (i == 1)  // an L: the bounding box centre (x+20, 20) lies outside it, in the notch
      b.polygons.push_back(
          {Polygon{{{x, 0}, {x + 40, 0}, {x + 40, 10}, {x + 10, 10}, {x + 10, 40}, {x, 40}}, {}}});
    else
      b.polygons.push_back({Polygon{{{x, 0}, {x + 40, 0}, {x + 40, 40}, {x, 40}}, {}}});
    b.heights_m.push_back(20);
  }
  rec.add_set(b);
  auto layer = rec.add_layer("test.value", "buildings", "kW", "value");
  rec.record_layer(layer, 0, at_0);
  rec.record_layer(layer, 3600, at_1h);
  return rec.take();
}

osg::Vec2d window_of(const osg::Vec3d& p, const CameraSetup& cam, int w, int h) {
  const osg::Vec3d ndc = p * cam.view * cam.projection;
  return {(ndc.x() + 1) * w / 2, (ndc.y() + 1) * h / 2};
}

/// A vertex colour (bytes) against a colour times a shade, to the byte's rounding.
bool same(const osg::Vec4ub& c, const Rgb& want, float shade) {
  auto near = [&](unsigned char got, float x) {
    return std::abs(got / 255.0f - x * shade) <= 0.5f / 255 + 1e-6f;
  };
  return near(c.r(), want.r) && near(c.g(), want.g) && near(c.b(), want.b) && c.a() == 255;
}

/// n buildings "b0", "b1", ...: regular polygons of 3 to 7 corners, turned at random, 5 to 45 m tall;
/// place(i) gives building i's centre x, y and circumradius (metres). Every other ring runs clockwise (either
/// orientation in the source).
template <class Place>
ElementSet regular_buildings(int n, Place&& place, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  ElementSet b;
  b.name = "buildings";
  b.kind = GeometryKind::polygon;
  for (int i = 0; i < n; ++i) {
    const auto [cx, cy, s] = place(i);
    const double a = 6.3 * u(rng);
    Ring r;
    const int corners = 3 + i % 5;
    for (int k = 0; k < corners; ++k) {
      const double t = a + 6.283185 * k / corners;
      r.push_back({cx + s * std::cos(t), cy + s * std::sin(t)});
    }
    if (i % 2) std::reverse(r.begin(), r.end());
    b.ids.push_back("b" + std::to_string(i));
    b.polygons.push_back({Polygon{r, {}}});
    b.heights_m.push_back(5 + 40 * u(rng));
  }
  return b;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_ray_through_an_anchor_picks_that_element) {
  Results r = three({0, 5, 10}, {10, 5, 0});
  CityScene scene(r);
  const int w = 800, h = 600;
  const auto cam = fit_camera(scene.fit_points(), w, h);
  for (std::uint32_t e = 0; e < 3; ++e) {
    const osg::Vec3 anchor = scene.element_anchor(0, e);
    BOOST_TEST(anchor.z() == 20.0f);  // on the roof
    const osg::Vec2d px = window_of(anchor, cam, w, h);
    const auto hit = scene.pick(cam.view, cam.projection, w, h, px.x(), px.y());
    BOOST_REQUIRE(hit);
    BOOST_TEST(hit->set == 0u);
    BOOST_TEST(hit->element == e);
  }
  // The L's anchor is on its roof, not in the notch.
  const osg::Vec3 l = scene.element_anchor(0, 1);
  BOOST_TEST(((l.x() < 110 && l.y() < 40) || (l.x() < 140 && l.y() < 10)));
  // Empty ground between buildings picks nothing; a hidden set is not hit.
  const osg::Vec2d gap = window_of(osg::Vec3d(70, 20, 0), cam, w, h);
  BOOST_TEST(!scene.pick(cam.view, cam.projection, w, h, gap.x(), gap.y()));
  scene.set_visible("buildings", false);
  const osg::Vec2d px = window_of(scene.element_anchor(0, 2), cam, w, h);
  BOOST_TEST(!scene.pick(cam.view, cam.projection, w, h, px.x(), px.y()));
}

BOOST_AUTO_TEST_CASE(difference_colouring_is_neutral_where_nothing_changed) {
  Results a = three({0, 5, 10}, {10, 5, 0});
  Results b = three({0, 5, 10}, {10, 5, 8});  // only b2 at 1 h differs: 8 instead of 0
  CityScene scene(b);
  Coloring c{"test.value", 3600, "", {}, {}};
  c.baseline = &a;
  const LegendInfo legend = scene.color(c);
  BOOST_TEST(legend.map.name() == "diverging");
  BOOST_TEST(legend.min == -legend.max);
  BOOST_TEST(legend.max == 8.0);
  BOOST_TEST(legend.title.find("kW") != std::string::npos);
  const auto& set = scene.sets()[0];
  const auto* colors = static_cast<const osg::Vec4ubArray*>(set.geometry->getColorArray());
  const Rgb neutral = legend.map.at(0.5), up = legend.map.at(1.0);
  for (size_t v = 0; v < colors->size(); ++v) {
    const bool changed = set.element_of_vertex[v] == 2;
    BOOST_TEST(same((*colors)[v], changed ? up : neutral, set.shade_of_vertex[v]));
  }
  // At time 0 nothing differs: every element is neutral.
  c.time_s = 0;
  scene.color(c);
  for (size_t v = 0; v < colors->size(); ++v) BOOST_TEST(same((*colors)[v], neutral, set.shade_of_vertex[v]));
  // A baseline without the layer is an error naming it.
  Results other;
  c.baseline = &other;
  BOOST_CHECK_THROW(scene.color(c), InputError);
  // clear_colors gives every element its set's default colour again.
  scene.clear_colors();
  BOOST_TEST(same((*colors)[0], set.default_color, set.shade_of_vertex[0]));
}

namespace {

constexpr double kHalfPi = 1.5707963267948966;

/// Positions of two vehicles as the traffic model records them (t_s, vehicle, x_m, y_m, heading_rad,
/// speed_mps), rows deliberately out of order.
Table vehicle_table() {
  Table t;
  t.name = kVehicleTable;
  t.columns = {"t_s", "vehicle", "x_m", "y_m", "heading_rad", "speed_mps"};
  t.units = {"s", "1", "m", "m", "rad", "m/s"};
  t.values = {10, 7, 100, 0,   0,       10,  // vehicle 7: east 100 m in 10 s, then north, slowing to a stop
              0,  7, 0,   0,   0,       10,  //
              20, 7, 100, 50,  kHalfPi, 0,   //
              10, 3, -50, -50, 3.0,     5,   // vehicle 3: heading across +-pi
              20, 3, -60, -50, -3.0,    5};
  return t;
}

/// The centre of vehicle v's box as drawn (mean of its vertices) and its roof colour.
osg::Vec3 drawn_centre(const Vehicles& vehicles, size_t v) {
  const auto* g = vehicles.node()->getDrawable(0)->asGeometry();
  const auto* verts = static_cast<const osg::Vec3Array*>(g->getVertexArray());
  osg::Vec3 c;
  for (int k = 0; k < Vehicles::kVerticesPerVehicle; ++k)
    c += (*verts)[v * Vehicles::kVerticesPerVehicle + k];
  return c / Vehicles::kVerticesPerVehicle;
}

osg::Vec4ub roof_color(const Vehicles& vehicles, size_t v) {
  const auto* g = vehicles.node()->getDrawable(0)->asGeometry();
  return (*static_cast<const osg::Vec4ubArray*>(g->getColorArray()))[v * Vehicles::kVerticesPerVehicle + 4];
}

/// Direction a box points (rear-right ground corner to front-right one), as an angle.
double drawn_heading(const Vehicles& vehicles, size_t v) {
  const auto* g = vehicles.node()->getDrawable(0)->asGeometry();
  const auto* verts = static_cast<const osg::Vec3Array*>(g->getVertexArray());
  const osg::Vec3 d =
      (*verts)[v * Vehicles::kVerticesPerVehicle + 1] - (*verts)[v * Vehicles::kVerticesPerVehicle];
  return std::atan2(d.y(), d.x());
}

}  // namespace

BOOST_AUTO_TEST_CASE(vehicles_move_between_their_samples_coloured_by_speed) {
  const Table table = vehicle_table();
  Vehicles vehicles(table);
  BOOST_REQUIRE(vehicles.vehicles() == 2u);
  BOOST_TEST(vehicles.vehicle_id(0) == 3.0);  // sorted by ID
  BOOST_TEST(vehicles.vehicle_id(1) == 7.0);
  BOOST_TEST(vehicles.max_speed_mps() == 10.0);
  // At 5 s vehicle 7 is halfway along its first 100 m; vehicle 3 has not appeared yet (drawn as nothing).
  BOOST_TEST(vehicles.update(5) == 1u);
  BOOST_TEST(!vehicles.shown(0));
  BOOST_TEST(drawn_centre(vehicles, 0).length() == 0.0f);
  osg::Vec3 c = drawn_centre(vehicles, 1);
  BOOST_TEST(std::abs(c.x() - 50) < 1e-4);
  BOOST_TEST(std::abs(c.y()) < 1e-4);
  BOOST_TEST(c.z() > 0);
  BOOST_TEST(std::abs(drawn_heading(vehicles, 1)) < 1e-6);
  const auto near = [](const osg::Vec4ub& got, const Rgb& want) {
    return std::abs(got.r() / 255.0f - want.r) <= 0.5f / 255 + 1e-6f &&
           std::abs(got.g() / 255.0f - want.g) <= 0.5f / 255 + 1e-6f &&
           std::abs(got.b() / 255.0f - want.b) <= 0.5f / 255 + 1e-6f;
  };
  const ColorMap traffic = ColorMap::named("traffic");
  BOOST_TEST(near(roof_color(vehicles, 1), traffic.at(1.0)));
  // At 15 s: vehicle 7 halfway up the 50 m north leg, turned half way (45 degrees), at 5 of 10 m/s.
  BOOST_TEST(vehicles.update(15) == 2u);
  c = drawn_centre(vehicles, 1);
  BOOST_TEST(std::abs(c.x() - 100) < 1e-4);
  BOOST_TEST(std::abs(c.y() - 25) < 1e-4);
  BOOST_TEST(std::abs(drawn_heading(vehicles, 1) - kHalfPi / 2) < 1e-5);
  BOOST_TEST(near(roof_color(vehicles, 1), traffic.at(0.5)));
  // Vehicle 3 turns from 3.0 to -3.0 rad the short way, through pi (west), not through 0 (east).
  BOOST_TEST(std::abs(std::abs(drawn_heading(vehicles, 0)) - 3.14159265) < 1e-4);
  BOOST_TEST(std::abs(drawn_centre(vehicles, 0).x() + 55) < 1e-4);
  // After the last samples nobody is on the road.
  BOOST_TEST(vehicles.update(20.5) == 0u);
  BOOST_TEST(vehicles.update(20) == 2u);
}

BOOST_AUTO_TEST_CASE(a_vehicle_table_without_a_needed_column_is_an_error_naming_it) {
  Table table = vehicle_table();
  table.columns[5] = "velocity";
  try {
    Vehicles v(table);
    BOOST_FAIL("no error");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find("traffic.vehicles") != std::string::npos, e.what());
    BOOST_TEST(std::string(e.what()).find("no column speed_mps") != std::string::npos, e.what());
  }
  table = vehicle_table();
  table.values[2] = NAN;  // a position that is not a number
  BOOST_CHECK_THROW(Vehicles{table}, InputError);
}

BOOST_AUTO_TEST_CASE(walls_left_out_of_a_frame_all_face_away_from_the_eye) {
  // Buildings of many shapes and orientations: rotated boxes, an L, a ring with a hole.
  Recorder rec;
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  ElementSet b = regular_buildings(
      200,
      [&](int) {
        return std::array{400 * u(rng), 300 * u(rng), 5 + 15 * u(rng)};
      },
      rng);
  b.ids.push_back("court");
  b.polygons.push_back(
      {Polygon{{{500, 0}, {560, 0}, {560, 60}, {500, 60}}, {{{520, 20}, {520, 40}, {540, 40}, {540, 20}}}}});
  b.heights_m.push_back(12);
  rec.add_set(b);
  Results r = rec.take();
  CityScene scene(r);
  const auto* v = static_cast<const osg::Vec3Array*>(scene.sets()[0].geometry->getVertexArray());
  size_t all = 0;
  for_each_triangle(scene.sets()[0], [&](unsigned, unsigned, unsigned) { ++all; });
  for (const osg::Vec3d eye :
       {osg::Vec3d(200, -900, 700), osg::Vec3d(-500, 150, 300), osg::Vec3d(1200, 900, 50),
        osg::Vec3d(200, 150, 400), osg::Vec3d(530, 30, 5)}) {
    std::set<std::array<unsigned, 3>> drawn;
    const size_t n = scene.for_each_drawn_triangle(0, eye, [&](unsigned i, unsigned j, unsigned k) {
      drawn.insert({i, j, k});
    });
    // Every triangle facing the eye (by its own vertices: counter-clockwise seen from the eye) is drawn.
    size_t facing = 0, missing = 0;
    for_each_triangle(scene.sets()[0], [&](unsigned i, unsigned j, unsigned k) {
      const osg::Vec3d p = (*v)[i], q = (*v)[j], s = (*v)[k];
      if (((q - p) ^ (s - p)) * (eye - p) <= 1e-6) return;
      ++facing;
      missing += !drawn.count({i, j, k});
    });
    BOOST_TEST(missing == 0u, "eye " << eye.x() << " " << eye.y() << " " << eye.z());
    BOOST_TEST(n >= facing);
    // Seen from outside the city, whole groups of walls facing away are left out.
    if (eye.z() > 100 && (eye.x() < 0 || eye.y() < 0 || eye.x() > 600)) BOOST_TEST(n < all);
  }
}

BOOST_AUTO_TEST_CASE(a_frame_leaves_out_only_walls_too_narrow_on_screen_and_what_lies_outside_the_view) {
  // 1,600 buildings of many shapes and orientations over 1.2 km: several tiles.
  Recorder rec;
  std::mt19937 rng(9);
  std::uniform_real_distribution<double> u(0, 1);
  rec.add_set(regular_buildings(
      1600,
      [&](int i) {
        return std::array{30.0 * (i % 40) + 15, 30.0 * (i / 40) + 15, 4 + 9 * u(rng)};
      },
      rng));
  Results r = rec.take();
  CityScene scene(r);
  const auto* v = static_cast<const osg::Vec3Array*>(scene.sets()[0].geometry->getVertexArray());
  const int height = 720;
  const osg::Matrixd projection = osg::Matrixd::perspective(30, 1280.0 / height, 1, 1e6);
  const double focal_px = height / 2.0 / std::tan(osg::DegreesToRadians(15.0));
  const ElementSet& set = r.sets[0];
  // A building's largest outline (m^2) by the footprint's area and widest extent (any two corners apart).
  auto largest_outline_m2 = [&](std::uint32_t e) {
    const Ring& ring = set.polygons[e][0].outer;
    double twice_area = 0, widest = 0;
    for (size_t a = 0; a < ring.size(); ++a) {
      const Point2 &p = ring[a], &q = ring[(a + 1) % ring.size()];
      twice_area += p.x * q.y - q.x * p.y;
      for (const Point2& o : ring) widest = std::max(widest, std::hypot(o.x - p.x, o.y - p.y));
    }
    return std::abs(twice_area) / 2 + set.heights_m[e] * widest;
  };
  struct Case {
    osg::Vec3d eye, centre;
    double narrow_min, narrow_max;  ///< share of the facing triangles left out as too narrow
    double points_min, points_max;  ///< share of the buildings drawn in point form
    bool tiles_left_out;
  };
  // 5 km away only walls seen nearly edge-on are left out, and a few of the smallest buildings drawn as
  // points; 9 km away more of them; 39 km away (buildings about a pixel wide) every building; from inside
  // the city nothing is that small, and the tiles behind the eye are left out.
  for (const Case& c : {Case{{600, -4000, 3000}, {600, 600, 0}, 0.0, 0.1, 0.0, 0.05, false},
                        Case{{600, -30000, 25000}, {600, 600, 0}, 0.0, 0.0, 1.0, 1.0, false},
                        Case{{-9000, 300, 2000}, {600, 600, 0}, 0.01, 1.0, 0.01, 0.9, false},
                        Case{{300, 300, 30}, {1200, 1200, 0}, 0.0, 1.0, 0.0, 0.0, true}}) {
    const osg::Matrixd view = osg::Matrixd::lookAt(c.eye, c.centre, osg::Vec3d(0, 0, 1));
    const osg::Matrixd clip = view * projection;
    std::set<std::array<unsigned, 3>> drawn;
    const size_t n =
        scene.for_each_drawn_triangle(0, view, projection, height, [&](unsigned i, unsigned j, unsigned k) {
          drawn.insert({i, j, k});
        });
    BOOST_TEST(n == drawn.size());
    // Each building drawn as a point is drawn once and none of its triangles is; its outline would be under
    // kPointFormPixels on screen, seen from its nearest corner.
    std::vector<int> points(set.size(), 0);
    const size_t n_points =
        scene.for_each_drawn_point(0, view, projection, height, [&](std::uint32_t e) { ++points[e]; });
    size_t too_large = 0;
    for (std::uint32_t e = 0; e < set.size(); ++e) {
      if (!points[e]) continue;
      double nearest = 1e300;
      for (const Point2& p : set.polygons[e][0].outer)
        for (double z : {0.0, set.heights_m[e]})
          nearest = std::min(nearest, (osg::Vec3d(p.x, p.y, z) - c.eye).length());
      too_large += focal_px * std::sqrt(largest_outline_m2(e)) / nearest >= kPointFormPixels;
    }
    BOOST_TEST(std::count(points.begin(), points.end(), 1) == static_cast<long>(n_points));
    BOOST_TEST(too_large == 0u);
    size_t facing = 0, missing = 0, narrow = 0, outside = 0, twice = 0;
    for_each_triangle(scene.sets()[0], [&](unsigned i, unsigned j, unsigned k) {
      const osg::Vec3d p = (*v)[i], q = (*v)[j], s = (*v)[k];
      const osg::Vec3d e = c.eye;
      const bool as_point = points[scene.sets()[0].element_of_vertex[i]] > 0;
      const bool was_drawn = drawn.count({i, j, k}) > 0;
      twice += was_drawn && as_point;
      if (((q - p) ^ (s - p)) * (e - p) <= 1e-6) return;
      ++facing;
      if (was_drawn || as_point) return;
      // Outside the frustum: all three corners beyond one side plane (clip x or y beyond +-w).
      bool out = false;
      for (int axis = 0; axis < 2 && !out; ++axis)
        for (double sign : {-1.0, 1.0}) {
          bool all = true;
          for (const osg::Vec3d& x : {p, q, s}) {
            const osg::Vec4d h = osg::Vec4d(x, 1) * clip;
            all = all && sign * h[axis] > h.w();
          }
          out = out || all;
        }
      if (out) {
        ++outside;
        return;
      }
      // A wall (vertical) narrower on screen than kMinWallPixels: f w n.(e - c) / r^2, c its centre.
      osg::Vec3d normal = (q - p) ^ (s - p);
      if (std::abs(normal.z()) < 1e-6 * normal.length()) {
        normal.normalize();
        double w = 0;
        osg::Vec3d a, z;
        for (const auto& [x, y] : {std::pair{p, q}, {q, s}, {p, s}}) {
          const double d = std::hypot(x.x() - y.x(), x.y() - y.y());
          if (d > w) w = d, a = x, z = y;
        }
        const double zlo = std::min({p.z(), q.z(), s.z()}), zhi = std::max({p.z(), q.z(), s.z()});
        const osg::Vec3d centre((a.x() + z.x()) / 2, (a.y() + z.y()) / 2, (zlo + zhi) / 2);
        const double r2 = (e - centre).length2();
        if (focal_px * w * (normal * (e - centre)) / r2 < kMinWallPixels) {
          ++narrow;
          return;
        }
      }
      ++missing;
    });
    BOOST_TEST_CONTEXT("eye " << c.eye.x() << " " << c.eye.y() << " " << c.eye.z() << ": " << narrow
                              << " narrow, " << outside << " outside of " << facing << ", " << n_points
                              << " points") {
      BOOST_TEST(missing == 0u);
      BOOST_TEST(twice == 0u);
      BOOST_TEST(n_points >= c.points_min * static_cast<double>(set.size()));
      BOOST_TEST(n_points <= c.points_max * static_cast<double>(set.size()));
      BOOST_TEST(narrow >= c.narrow_min * static_cast<double>(facing));
      BOOST_TEST(narrow <= c.narrow_max * static_cast<double>(facing));
      BOOST_TEST((outside > 0) == c.tiles_left_out);
    }
  }
}

BOOST_AUTO_TEST_CASE(degenerate_footprints_keep_their_point_and_no_footprint_has_none) {
  // A ring of two points (a line), one of three points on a line (no area: both are drawn as bare walls),
  // a building without polygons (nothing drawn), and a sound 10 m square: far away each of the three with
  // walls is drawn as a point, the empty one not.
  Recorder rec;
  ElementSet b;
  b.name = "buildings";
  b.kind = GeometryKind::polygon;
  b.ids = {"line", "flat", "none", "square"};
  b.polygons = {{Polygon{{{0, 0}, {10, 0}}, {}}},
                {Polygon{{{20, 0}, {25, 0}, {30, 0}}, {}}},
                {},
                {Polygon{{{40, 0}, {50, 0}, {50, 10}, {40, 10}}, {}}}};
  b.heights_m = {10, 10, 10, 10};
  rec.add_set(b);
  Results r = rec.take();
  CityScene scene(r);
  BOOST_REQUIRE(scene.sets()[0].points.valid());
  const osg::Matrixd view =
      osg::Matrixd::lookAt(osg::Vec3d(25, -20000, 15000), osg::Vec3d(25, 5, 0), osg::Vec3d(0, 0, 1));
  const osg::Matrixd projection = osg::Matrixd::perspective(30, 1280.0 / 720, 1, 1e6);
  std::vector<std::uint32_t> points;
  scene.for_each_drawn_point(0, view, projection, 720, [&](std::uint32_t e) { points.push_back(e); });
  std::sort(points.begin(), points.end());
  BOOST_TEST(points == (std::vector<std::uint32_t>{0, 1, 3}));
}
