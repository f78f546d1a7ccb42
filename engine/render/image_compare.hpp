#pragma once
/// Comparing pictures of one scene: how far a picture is from a reference, by pixel and by block (what the
/// eye sees of a region's colour), for judging a level of detail against the full detail.
#include <initializer_list>
#include <osg/Image>
#include <vector>

namespace citytwin::render {

/// A picture of `factor` times the size shrunk back by averaging each factor x factor square of pixels:
/// from a picture rendered larger, the picture with its edges and sub-pixel details antialiased (RGB,
/// bytes).
osg::ref_ptr<osg::Image> downsample(const osg::Image& image, int factor);

/// Pixels (RGB, bytes, pictures of one size) where any of the pictures differs from `base` by more than
/// `threshold` levels in a channel: with a picture of the empty ground as base, what a scene covers.
std::vector<bool> differing_pixels(const osg::Image& base, std::initializer_list<const osg::Image*> pictures,
                                   int threshold);

struct PictureDifference {
  size_t pixels = 0;        ///< in the region
  size_t pixels_off = 0;    ///< of them, differing by more than 2 levels in a channel
  double pixel_levels = 0;  ///< mean absolute difference per channel and pixel (levels of 255)
  double block_levels = 0;  ///< the same between the blocks' mean colours
};

/// How far picture a is from picture b (RGB, bytes, one size) over the pixels where `region` is true, pixel
/// by pixel and block by block (squares of `block` pixels, each compared by its region pixels' mean colour).
PictureDifference picture_difference(const osg::Image& a, const osg::Image& b,
                                     const std::vector<bool>& region, int block);

}  // namespace citytwin::render
