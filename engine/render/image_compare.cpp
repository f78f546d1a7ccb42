#include "engine/render/image_compare.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace citytwin::render {
namespace {

void check_rgb(const osg::Image& image) {
  if (image.getPixelFormat() != GL_RGB || image.getDataType() != GL_UNSIGNED_BYTE)
    throw std::invalid_argument("picture comparison: RGB bytes expected");
}

void check_same_size(const osg::Image& a, const osg::Image& b) {
  check_rgb(a);
  check_rgb(b);
  if (a.s() != b.s() || a.t() != b.t()) throw std::invalid_argument("picture comparison: sizes differ");
}

}  // namespace

osg::ref_ptr<osg::Image> downsample(const osg::Image& image, int factor) {
  check_rgb(image);
  if (factor < 1 || image.s() % factor || image.t() % factor)
    throw std::invalid_argument("downsample: the size is not a multiple of the factor");
  const int w = image.s() / factor, h = image.t() / factor;
  osg::ref_ptr<osg::Image> out = new osg::Image;
  out->allocateImage(w, h, 1, GL_RGB, GL_UNSIGNED_BYTE);
  const int n = factor * factor;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      int sum[3] = {0, 0, 0};
      for (int dy = 0; dy < factor; ++dy) {
        const unsigned char* p = image.data(x * factor, y * factor + dy);
        for (int dx = 0; dx < factor; ++dx)
          for (int c = 0; c < 3; ++c) sum[c] += p[3 * dx + c];
      }
      unsigned char* q = out->data(x, y);
      for (int c = 0; c < 3; ++c) q[c] = static_cast<unsigned char>((sum[c] + n / 2) / n);
    }
  return out;
}

std::vector<bool> differing_pixels(const osg::Image& base, std::initializer_list<const osg::Image*> pictures,
                                   int threshold) {
  check_rgb(base);
  const size_t n = static_cast<size_t>(base.s()) * static_cast<size_t>(base.t());
  std::vector<bool> out(n, false);
  for (const osg::Image* picture : pictures) {
    check_same_size(base, *picture);
    const unsigned char *p = base.data(), *q = picture->data();
    for (size_t i = 0; i < n; ++i)
      out[i] = out[i] || std::abs(p[3 * i] - q[3 * i]) > threshold ||
               std::abs(p[3 * i + 1] - q[3 * i + 1]) > threshold || std::abs(p[3 * i + 2] - q[3 * i + 2]) > threshold;
  }
  return out;
}

PictureDifference picture_difference(const osg::Image& a, const osg::Image& b,
                                     const std::vector<bool>& region, int block) {
  check_same_size(a, b);
  const int w = a.s(), h = a.t();
  if (region.size() != static_cast<size_t>(w) * static_cast<size_t>(h) || block < 1)
    throw std::invalid_argument("picture comparison: region or block does not fit the pictures");
  PictureDifference d;
  double pixel_sum = 0, block_sum = 0;
  size_t blocks = 0;
  for (int by = 0; by < h; by += block)
    for (int bx = 0; bx < w; bx += block) {
      double mean_a[3] = {0, 0, 0}, mean_b[3] = {0, 0, 0};
      size_t in_block = 0;
      for (int y = by; y < std::min(h, by + block); ++y)
        for (int x = bx; x < std::min(w, bx + block); ++x) {
          if (!region[static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)]) continue;
          const unsigned char *p = a.data(x, y), *q = b.data(x, y);
          bool off = false;
          for (int c = 0; c < 3; ++c) {
            const int diff = std::abs(p[c] - q[c]);
            pixel_sum += diff;
            off = off || diff > 2;
            mean_a[c] += p[c], mean_b[c] += q[c];
          }
          d.pixels_off += off;
          ++in_block;
        }
      if (in_block == 0) continue;
      d.pixels += in_block;
      ++blocks;
      for (int c = 0; c < 3; ++c)
        block_sum += std::abs(mean_a[c] - mean_b[c]) / static_cast<double>(in_block);
    }
  if (d.pixels > 0) d.pixel_levels = pixel_sum / (3.0 * static_cast<double>(d.pixels));
  if (blocks > 0) d.block_levels = block_sum / (3.0 * static_cast<double>(blocks));
  return d;
}

}  // namespace citytwin::render
