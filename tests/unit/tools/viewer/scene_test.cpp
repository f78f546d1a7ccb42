// The render extensions the viewer relies on, without a display: picking by ray, element anchors and the
// difference colouring.
#include <boost/test/unit_test.hpp>

#include "engine/core/error.hpp"
#include "engine/data/recorder.hpp"
#include "engine/render/city_scene.hpp"

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

bool same(const osg::Vec4& c, const Rgb& want, float shade) {
  return std::abs(c.r() - want.r * shade) < 1e-5 && std::abs(c.g() - want.g * shade) < 1e-5 &&
         std::abs(c.b() - want.b * shade) < 1e-5;
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
  scene.sets()[0].geometry->setNodeMask(0);
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
  const auto* colors = static_cast<const osg::Vec4Array*>(set.geometry->getColorArray());
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
