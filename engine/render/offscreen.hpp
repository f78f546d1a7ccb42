#pragma once
/// Offscreen rendering of a CityScene to an image and a PNG, through an OpenGL pbuffer (under
/// `xvfb-run` where no display exists).
#include <osg/Image>
#include <string>

#include "engine/render/city_scene.hpp"
#include "engine/render/hud.hpp"

namespace citytwin::render {

struct Picture {
  int width = 1280;
  int height = 720;
};

/// Renders a node (kept by the caller) seen through the camera into a picture of that size, cleared to
/// kSkyColor, without small-feature culling. Throws std::runtime_error when no OpenGL context can be made.
osg::ref_ptr<osg::Image> render_view(osg::Node* root, const CameraSetup& cam, const Picture& picture);

/// Renders the scene as seen by fit_camera() with the HUD. Throws std::runtime_error when no OpenGL
/// context can be made (no X display). Not thread-safe (one GL context at a time per thread).
osg::ref_ptr<osg::Image> render_image(CityScene& scene, const LegendInfo& legend, const HudText& text,
                                      const Picture& picture);

/// Tells the C library to keep freed memory in the process instead of handing it back to the system.
/// Mesa's software renderer allocates and frees its per-frame bins of triangles each frame; returned to the
/// system, those pages fault in again at the next frame (a third of a frame's CPU time on a large city).
/// Call once, before the first frame, in a process that draws many frames.
void keep_freed_memory();

/// Writes an image as PNG to a temporary name, then renames it. Throws InputError naming the path.
void write_png(const osg::Image& image, const std::string& path);

}  // namespace citytwin::render
