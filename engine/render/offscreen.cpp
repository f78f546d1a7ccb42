#include "engine/render/offscreen.hpp"

#include <malloc.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <osgDB/WriteFile>
#include <osgViewer/Viewer>
#include <stdexcept>

#include "engine/core/error.hpp"
#include "engine/core/atomic_write.hpp"

namespace citytwin::render {
namespace {

struct Capture : osg::Camera::DrawCallback {
  osg::ref_ptr<osg::Image> image = new osg::Image;
  int width = 0, height = 0;
  void operator()(osg::RenderInfo&) const override {
    image->readPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE);
  }
};

osg::ref_ptr<osg::GraphicsContext> make_context(int width, int height) {
  if (!std::getenv("DISPLAY"))
    throw std::runtime_error("no X display for OpenGL: run under xvfb-run -a -s \"-screen 0 1280x720x24\"");
  osg::ref_ptr<osg::GraphicsContext::Traits> traits = new osg::GraphicsContext::Traits;
  traits->readDISPLAY();
  traits->x = 0;
  traits->y = 0;
  traits->width = width;
  traits->height = height;
  traits->red = traits->green = traits->blue = 8;
  traits->alpha = 0;  // alpha 8 on a 24-bit Xvfb screen gives BadMatch
  traits->depth = 24;
  traits->windowDecoration = false;
  traits->doubleBuffer = false;
  traits->pbuffer = true;
  osg::ref_ptr<osg::GraphicsContext> gc = osg::GraphicsContext::createGraphicsContext(traits.get());
  if (!gc) {
    // Some GLX servers offer no pbuffers: fall back to an undecorated window.
    traits->pbuffer = false;
    gc = osg::GraphicsContext::createGraphicsContext(traits.get());
  }
  if (!gc)
    throw std::runtime_error("cannot create an OpenGL pbuffer on display " +
                             std::string(std::getenv("DISPLAY")));
  return gc;
}

}  // namespace

osg::ref_ptr<osg::Image> render_view(osg::Node* root, const CameraSetup& cam, const Picture& picture) {
  osgViewer::Viewer viewer;
  viewer.setThreadingModel(osgViewer::Viewer::SingleThreaded);
  osg::ref_ptr<osg::GraphicsContext> gc = make_context(picture.width, picture.height);
  osg::Camera* camera = viewer.getCamera();
  camera->setGraphicsContext(gc);
  camera->setViewport(0, 0, picture.width, picture.height);
  camera->setDrawBuffer(GL_FRONT);
  camera->setReadBuffer(GL_FRONT);
  camera->setClearColor(osg::Vec4(kSkyColor.r, kSkyColor.g, kSkyColor.b, 1));
  camera->setComputeNearFarMode(osg::CullSettings::DO_NOT_COMPUTE_NEAR_FAR);
  camera->setCullingMode(camera->getCullingMode() & ~osg::CullSettings::SMALL_FEATURE_CULLING);
  camera->setViewMatrix(cam.view);
  camera->setProjectionMatrix(cam.projection);
  osg::ref_ptr<Capture> capture = new Capture;
  capture->width = picture.width;
  capture->height = picture.height;
  camera->setFinalDrawCallback(capture);
  osg::ref_ptr<osg::Group> holder = new osg::Group;  // the caller keeps root
  holder->addChild(root);
  viewer.setSceneData(holder);
  viewer.realize();
  viewer.frame();
  camera->setFinalDrawCallback(nullptr);
  holder->removeChild(root);
  return capture->image;
}

osg::ref_ptr<osg::Image> render_image(CityScene& scene, const LegendInfo& legend, const HudText& text,
                                      const Picture& picture) {
  const CameraSetup cam = fit_camera(scene.fit_points(), picture.width, picture.height);

  // Scale at the scene centre and the screen direction of north, for the scale bar and arrow.
  const osg::Matrixd to_window = cam.view * cam.projection * osg::Matrixd::translate(1, 1, 1) *
                                 osg::Matrixd::scale(picture.width / 2.0, picture.height / 2.0, 0.5);
  const osg::Vec3d c = scene.bounds().center();
  const osg::Vec3d centre(c.x(), c.y(), 0);
  const osg::Vec3d a = centre * to_window, e = (centre + osg::Vec3d(100, 0, 0)) * to_window;
  const osg::Vec3d n = (centre + osg::Vec3d(0, 100, 0)) * to_window;
  const double metres_per_pixel = 100.0 / std::hypot(e.x() - a.x(), e.y() - a.y());
  const double north = std::atan2(-(n.x() - a.x()), n.y() - a.y());

  osg::ref_ptr<osg::Group> root = new osg::Group;
  root->addChild(scene.root());
  root->addChild(make_hud(text, legend, picture.width, picture.height, metres_per_pixel, north));
  osg::ref_ptr<osg::Image> image = render_view(root, cam, picture);
  root->removeChild(scene.root());  // the scene outlives this picture
  return image;
}

void keep_freed_memory() {
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
}

void write_png(const osg::Image& image, const std::string& path) {
  write_named_file_atomically(path, [&](const std::string& tmp) { return osgDB::writeImageFile(image, tmp); });
}

}  // namespace citytwin::render
