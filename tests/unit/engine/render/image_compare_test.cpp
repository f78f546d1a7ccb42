#include "engine/render/image_compare.hpp"

#include <boost/test/unit_test.hpp>

using namespace citytwin::render;

namespace {

osg::ref_ptr<osg::Image> filled(int w, int h, unsigned char r, unsigned char g, unsigned char b) {
  osg::ref_ptr<osg::Image> image = new osg::Image;
  image->allocateImage(w, h, 1, GL_RGB, GL_UNSIGNED_BYTE);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      unsigned char* p = image->data(x, y);
      p[0] = r, p[1] = g, p[2] = b;
    }
  return image;
}

}  // namespace

BOOST_AUTO_TEST_CASE(downsampling_averages_each_square) {
  // A 4 x 2 picture of black and white columns, halved: each pixel is the mean of two black and two white.
  osg::ref_ptr<osg::Image> stripes = filled(4, 2, 0, 0, 0);
  for (int y = 0; y < 2; ++y)
    for (int x = 1; x < 4; x += 2)
      stripes->data(x, y)[0] = stripes->data(x, y)[1] = stripes->data(x, y)[2] = 255;
  const auto half = downsample(*stripes, 2);
  BOOST_TEST(half->s() == 2);
  BOOST_TEST(half->t() == 1);
  for (int x = 0; x < 2; ++x) BOOST_TEST(int(half->data(x, 0)[1]) == 128);  // (0 + 255 + 0 + 255 + 2) / 4
  BOOST_CHECK_THROW(downsample(*stripes, 3), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(pixel_and_block_errors_tell_noise_from_a_shift_in_colour) {
  // A checkerboard of 0 and 200 against a flat 100: every pixel off by 100, every 2 x 2 block's mean equal.
  const int w = 8, h = 4;
  osg::ref_ptr<osg::Image> checker = filled(w, h, 0, 0, 0), flat = filled(w, h, 100, 100, 100);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      if ((x + y) % 2) checker->data(x, y)[0] = checker->data(x, y)[1] = checker->data(x, y)[2] = 200;
  std::vector<bool> all(w * h, true);
  auto d = picture_difference(*checker, *flat, all, 2);
  BOOST_TEST(d.pixels == size_t(w * h));
  BOOST_TEST(d.pixels_off == size_t(w * h));
  BOOST_TEST(d.pixel_levels == 100.0);
  BOOST_TEST(d.block_levels == 0.0);
  // Against a flat 110: blocks 10 off. Only the left half counted: still 10 a block, half the pixels.
  osg::ref_ptr<osg::Image> brighter = filled(w, h, 110, 110, 110);
  std::vector<bool> left(w * h, false);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w / 2; ++x) left[y * w + x] = true;
  d = picture_difference(*checker, *brighter, left, 2);
  BOOST_TEST(d.pixels == size_t(w * h / 2));
  BOOST_TEST(d.block_levels == 10.0);
  BOOST_TEST(d.pixel_levels == 100.0);  // |0 - 110| and |200 - 110| alternate: 110 and 90
  BOOST_TEST(differing_pixels(*flat, {brighter.get()}, 9) == all);
  BOOST_TEST(differing_pixels(*flat, {brighter.get()}, 10) == std::vector<bool>(w * h, false));
}
