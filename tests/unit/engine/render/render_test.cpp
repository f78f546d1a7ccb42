#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <osg/Geode>
#include <random>
#include <set>
#include <tuple>

#include "engine/core/error.hpp"
#include "engine/data/recorder.hpp"
#include "engine/render/image_compare.hpp"
#include "engine/render/offscreen.hpp"

using namespace citytwin;
using namespace citytwin::render;

namespace {

/// Three 40 m square buildings, 20 m tall, 100 m apart, with values 0, 5 and 10; and one road.
Results three_buildings() {
  Recorder rec;
  ElementSet b;
  b.name = "buildings";
  b.kind = GeometryKind::polygon;
  for (int i = 0; i < 3; ++i) {
    const double x = 100.0 * i;
    b.ids.push_back("b" + std::to_string(i));
    b.polygons.push_back({Polygon{{{x, 0}, {x + 40, 0}, {x + 40, 40}, {x, 40}}, {}}});
    b.heights_m.push_back(20);
  }
  b.attributes = {{"use", {}, {"office", "residential", "office"}}};
  rec.add_set(b);
  ElementSet r;
  r.name = "roads";
  r.kind = GeometryKind::line;
  r.ids = {"e1"};
  r.lines = {{{-20, -30}, {260, -30}}};
  rec.add_set(r);
  auto layer = rec.add_layer("test.value", "buildings", "kW", "value");
  rec.record_layer(layer, 0, std::vector<double>{0, 5, 10});
  rec.record_layer(layer, 3600, std::vector<double>{10, 5, 0});
  Results res = rec.take();
  res.info.scenario_name = "three";
  return res;
}

osg::Vec3d window_of(const osg::Vec3d& p, const CameraSetup& cam, int w, int h) {
  osg::Vec3d ndc = p * cam.view * cam.projection;
  return {(ndc.x() + 1) * w / 2, (ndc.y() + 1) * h / 2, 0};
}

/// The pixel's colour (image rows run bottom-up, as OpenGL reads them).
Rgb pixel(const osg::Image& img, int x, int y) {
  const unsigned char* p = img.data(x, y);
  return {p[0] / 255.f, p[1] / 255.f, p[2] / 255.f};
}

bool near(const Rgb& a, const Rgb& b) {
  return std::abs(a.r - b.r) < 0.02 && std::abs(a.g - b.g) < 0.02 && std::abs(a.b - b.b) < 0.02;
}

}  // namespace

BOOST_AUTO_TEST_CASE(geometry_is_batched_per_element_set) {
  Results res = three_buildings();
  CityScene scene(res);
  // One drawable per element set (and the buildings' point form) plus the ground, whatever the number of
  // buildings.
  auto* geode = scene.root()->getChild(0)->asGeode();
  BOOST_REQUIRE(geode);
  BOOST_TEST(geode->getNumDrawables() == 4u);
  BOOST_TEST(scene.sets()[0].points.valid());
  BOOST_TEST(!scene.sets()[1].points.valid());
}

BOOST_AUTO_TEST_CASE(roofs_show_the_layer_colours_where_the_data_says) {
  if (!std::getenv("DISPLAY")) {
    BOOST_TEST_MESSAGE("no DISPLAY: run under xvfb-run (tools/test does)");
    return;
  }
  Results res = three_buildings();
  CityScene scene(res);
  const int w = 640, h = 360;
  LegendInfo legend = scene.color({"test.value", 0.0, "viridis", 0.0, 10.0});
  auto image = render_image(scene, legend, {"three", "t = 0"}, {w, h});
  BOOST_REQUIRE(image && image->s() == w && image->t() == h);
  const CameraSetup cam = fit_camera(scene.fit_points(), w, h);
  const ColorMap map = ColorMap::named("viridis");
  const double expected_fraction[] = {0.0, 0.5, 1.0};
  for (int i = 0; i < 3; ++i) {
    osg::Vec3d win = window_of({100.0 * i + 20, 20, 20}, cam, w, h);
    BOOST_REQUIRE(win.x() > 0 && win.x() < w && win.y() > 0 && win.y() < h);
    Rgb got = pixel(*image, static_cast<int>(win.x()), static_cast<int>(win.y()));
    Rgb want = map.at(expected_fraction[i]);
    BOOST_TEST(near(got, want), "building " << i << ": got " << got.r << "," << got.g << "," << got.b);
  }
  // At the later time the values are reversed, and so are the colours.
  legend = scene.color({"test.value", 3600.0, "viridis", 0.0, 10.0});
  image = render_image(scene, legend, {"three", "t = 1 h"}, {w, h});
  osg::Vec3d first = window_of({20, 20, 20}, cam, w, h);
  BOOST_TEST(near(pixel(*image, static_cast<int>(first.x()), static_cast<int>(first.y())), map.at(1.0)));
}

BOOST_AUTO_TEST_CASE(picture_is_not_blank_and_png_is_written) {
  if (!std::getenv("DISPLAY")) return;
  Results res = three_buildings();
  CityScene scene(res);
  LegendInfo legend = scene.color({"buildings.use", 0.0, "", {}, {}});
  BOOST_TEST(legend.categorical);
  BOOST_TEST(legend.categories.size() == 2u);
  auto image = render_image(scene, legend, {"three", "use"}, {320, 200});
  std::set<std::tuple<int, int, int>> colours;
  for (int y = 0; y < image->t(); y += 3)
    for (int x = 0; x < image->s(); x += 3) {
      const unsigned char* p = image->data(x, y);
      colours.insert({p[0], p[1], p[2]});
    }
  BOOST_TEST(colours.size() > 8u);
  const std::string path = "/tmp/citytwin_render_test_" + std::to_string(getpid()) + ".png";
  write_png(*image, path);
  BOOST_TEST(std::filesystem::file_size(path) > 1000u);
  std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(unknown_layer_lists_the_known_ones) {
  Results res = three_buildings();
  CityScene scene(res);
  try {
    scene.color({"nope", 0.0, "", {}, {}});
    BOOST_FAIL("expected an error");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find("layer nope: unknown layer (layers: test.value, buildings.use") !=
               std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(a_far_city_in_point_form_looks_like_its_full_detail_antialiased) {
  // 14,400 box buildings on a 24 m grid (2.9 km square), 10 to 18 m wide, turned at random, 6 to 60 m tall,
  // coloured at random by a layer; seen from 12 km away and 50 degrees up (about 18 m a pixel): every one
  // is 1 to 3 pixels on screen and drawn as a point.
  Recorder rec;
  ElementSet b;
  b.name = "buildings";
  b.kind = GeometryKind::polygon;
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> values;
  const int side = 120;
  for (int k = 0; k < side * side; ++k) {
    const double cx = 24.0 * (k % side), cy = 24.0 * (k / side), half = 5 + 4 * u(rng), turn = 1.57 * u(rng);
    Ring ring;
    for (int c = 0; c < 4; ++c)
      ring.push_back({cx + half * std::sqrt(2.0) * std::cos(turn + 0.785 + 1.571 * c),
                      cy + half * std::sqrt(2.0) * std::sin(turn + 0.785 + 1.571 * c)});
    b.ids.push_back("b" + std::to_string(k));
    b.polygons.push_back({Polygon{ring, {}}});
    b.heights_m.push_back(6 + 54 * u(rng));
    values.push_back(u(rng));
  }
  rec.add_set(b);
  rec.record_layer(rec.add_layer("test.value", "buildings", "1", "value"), 0, values);
  Results r = rec.take();
  CityScene scene(r);
  scene.color({"test.value", 0, "", {}, {}});
  const int w = 640, h = 360;
  const osg::Vec3d centre(1428, 1428, 0);
  const double e = osg::DegreesToRadians(50.0), azimuth = osg::DegreesToRadians(-70.0);
  const osg::Vec3d eye =
      centre +
      osg::Vec3d(std::cos(e) * std::cos(azimuth), std::cos(e) * std::sin(azimuth), std::sin(e)) * 12000;
  const CameraSetup cam{osg::Matrixd::lookAt(eye, centre, osg::Vec3d(0, 0, 1)),
                        osg::Matrixd::perspective(30, double(w) / h, 100, 40000)};
  BOOST_TEST(scene.for_each_drawn_point(0, cam.view, cam.projection, h, [](std::uint32_t) {}) == b.size());
  BOOST_TEST(scene.for_each_drawn_triangle(0, cam.view, cam.projection, h,
                                           [](unsigned, unsigned, unsigned) {}) == 0u);
  const auto points = render_view(scene.root(), cam, {w, h});
  scene.set_level_of_detail(false);
  const auto full = render_view(scene.root(), cam, {w, h});
  const auto reference = downsample(*render_view(scene.root(), cam, {4 * w, 4 * h}), 4);
  scene.set_visible("buildings", false);
  const auto empty = render_view(scene.root(), cam, {w, h});
  const std::vector<bool> city = differing_pixels(*empty, {reference.get(), points.get(), full.get()}, 2);
  const PictureDifference d = picture_difference(*points, *reference, city, 8);
  const PictureDifference f = picture_difference(*full, *reference, city, 8);
  BOOST_TEST_MESSAGE("city " << d.pixels << " pixels; against the antialiased full detail, point form "
                             << d.pixel_levels << " levels a pixel, " << d.block_levels
                             << " a block; full detail at 1 sample " << f.pixel_levels << ", "
                             << f.block_levels);
  BOOST_TEST(d.pixels > 20000u);
  // Both sample buildings a pixel or two wide once a pixel, so both are far from the antialiased picture
  // pixel by pixel, and near it in the colour of 8 x 8 blocks.
  BOOST_TEST(d.pixel_levels <= 1.1 * f.pixel_levels);
  BOOST_TEST(d.block_levels <= 2 * f.block_levels);
}
