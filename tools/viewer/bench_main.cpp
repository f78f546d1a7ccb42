// citytwin_view_bench: frame times of the viewer's batched scene against a naive one-node-per-building
// scene with the same triangles and colours, in one process and one window (tools/bench.d/viewer).
//   citytwin_view_bench [--frames N] (--results DIR | --synthetic BUILDINGS)
// Prints the median over 5 alternating rounds of N/5 frames of each scene.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <osg/Geode>
#include <osgDB/WriteFile>
#include <osgViewer/Viewer>
#include <random>
#include <string>
#include <vector>

#include "engine/data/results_io.hpp"
#include "engine/render/city_scene.hpp"
#include "engine/render/offscreen.hpp"

using namespace citytwin;

namespace {

/// A square grid of box buildings 14 m wide on a 24 m pitch, heights 6 to 60 m, one layer of values.
Results synthetic_city(int buildings) {
  Results r;
  r.info.scenario_name = "synthetic";
  ElementSet set;
  set.name = "buildings";
  set.kind = GeometryKind::polygon;
  const int side = static_cast<int>(std::ceil(std::sqrt(buildings)));
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> height(6, 60), value(0, 100);
  Layer layer{"bench.value", "buildings", "1", "random values", {0}, {}};
  for (int k = 0; k < buildings; ++k) {
    const double x = 24.0 * (k % side), y = 24.0 * (k / side);
    set.ids.push_back("s" + std::to_string(k));
    set.polygons.push_back({Polygon{{{x, y}, {x + 14, y}, {x + 14, y + 14}, {x, y + 14}}, {}}});
    set.heights_m.push_back(height(rng));
    layer.values.push_back(static_cast<float>(value(rng)));
  }
  r.sets.push_back(std::move(set));
  r.layers.push_back(std::move(layer));
  return r;
}

/// The obvious scene: one Geode and Geometry per element, a plain list of triangles with a colour per
/// vertex (each triangle in one colour, so the same pixels as the batched, flat-shaded scene), in vertex
/// buffers, with the batched sets' back-face culling.
osg::ref_ptr<osg::Group> naive_scene(const render::CityScene& scene) {
  osg::ref_ptr<osg::Group> root = new osg::Group;
  root->getOrCreateStateSet()->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  root->getOrCreateStateSet()->setMode(GL_CULL_FACE, osg::StateAttribute::ON);
  // The ground plane, as it is in the scene.
  osg::Geode* scene_geode = scene.root()->getChild(0)->asGeode();
  for (unsigned i = 0; i < scene_geode->getNumDrawables(); ++i) {
    osg::Drawable* d = scene_geode->getDrawable(i);
    if (std::none_of(scene.sets().begin(), scene.sets().end(), [&](const auto& b) { return b.geometry == d; })) {
      osg::ref_ptr<osg::Geode> geode = new osg::Geode;
      geode->addDrawable(d);
      root->addChild(geode);
    }
  }
  for (const auto& b : scene.sets()) {
    const auto* v = static_cast<const osg::Vec3Array*>(b.geometry->getVertexArray());
    const auto* c = static_cast<const osg::Vec4ubArray*>(b.geometry->getColorArray());
    std::vector<osg::ref_ptr<osg::Vec3Array>> verts(b.set->size());
    std::vector<osg::ref_ptr<osg::Vec4ubArray>> cols(b.set->size());
    render::for_each_triangle(b, [&](unsigned i, unsigned j, unsigned k) {
      const auto e = b.element_of_vertex[i];
      if (!verts[e]) verts[e] = new osg::Vec3Array, cols[e] = new osg::Vec4ubArray;
      for (unsigned x : {i, j, k}) {
        verts[e]->push_back((*v)[x]);
        cols[e]->push_back((*c)[k]);
      }
    });
    for (size_t e = 0; e < verts.size(); ++e) {
      if (!verts[e]) continue;
      osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
      g->setUseDisplayList(false);
      g->setUseVertexBufferObjects(true);
      g->setVertexArray(verts[e]);
      cols[e]->setNormalize(true);
      g->setColorArray(cols[e], osg::Array::BIND_PER_VERTEX);
      g->addPrimitiveSet(new osg::DrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(verts[e]->size())));
      osg::ref_ptr<osg::Geode> geode = new osg::Geode;
      geode->addDrawable(g);
      root->addChild(geode);
    }
  }
  return root;
}

double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return 1e3 * static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_nsec);
}

/// Reads the finished picture back (before the buffers swap).
struct Grab : osg::Camera::DrawCallback {
  osg::ref_ptr<osg::Image> image = new osg::Image;
  void operator()(osg::RenderInfo& info) const override {
    const osg::Viewport* vp = info.getCurrentCamera()->getViewport();
    image->readPixels(0, 0, static_cast<int>(vp->width()), static_cast<int>(vp->height()), GL_RGB,
                      GL_UNSIGNED_BYTE);
  }
};

struct FrameTime {
  double wall_ms = 0, cpu_ms = 0;  ///< per frame; cpu = every thread of the process (llvmpipe's too)
};

/// Time per frame over `frames` frames (after 2 warm-up frames), turning the camera 1 degree a frame.
FrameTime time_frames(osgViewer::Viewer& viewer, osg::Node* scene, const render::CameraSetup& cam,
                   const osg::Vec3d& centre, int frames) {
  viewer.setSceneData(scene);
  viewer.getCamera()->setProjectionMatrix(cam.projection);
  auto frame = [&](int i) {
    viewer.getCamera()->setViewMatrix(
        osg::Matrixd::translate(-centre) *
        osg::Matrixd::rotate(osg::DegreesToRadians(1.0 * i), osg::Vec3d(0, 0, 1)) *
        osg::Matrixd::translate(centre) * cam.view);
    viewer.frame();
  };
  for (int i = 0; i < 2; ++i) frame(i);
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_ms();
  for (int i = 0; i < frames; ++i) frame(i);
  return {std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / frames,
          (cpu_ms() - c0) / frames};
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 30, synthetic = 0;
  std::string results_dir, profile;  // --profile batched|naive: only draw that scene's frames (for perf)
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--frames"))
      frames = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--results"))
      results_dir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--profile"))
      profile = argv[i + 1];
    else if (!std::strcmp(argv[i], "--synthetic"))
      synthetic = std::atoi(argv[i + 1]);
  }
  if (results_dir.empty() == (synthetic == 0) || frames < 1) {
    std::fprintf(stderr, "usage: citytwin_view_bench [--frames N] (--results DIR | --synthetic BUILDINGS)\n");
    return 2;
  }
  if (!std::getenv("DISPLAY")) {
    std::fprintf(stderr, "citytwin_view_bench: no DISPLAY (run under xvfb-run)\n");
    return 2;
  }
  render::keep_freed_memory();
  try {
    Results results = synthetic ? synthetic_city(synthetic) : load_results(results_dir);
    render::CityScene scene(results);
    if (!results.layers.empty())
      scene.color({results.layers.front().name, results.info.duration_s / 2, "", {}, {}});
    osg::ref_ptr<osg::Group> naive = naive_scene(scene);
    const int w = 1280, h = 720;
    osgViewer::Viewer viewer;
    viewer.setThreadingModel(osgViewer::Viewer::SingleThreaded);
    osg::ref_ptr<osg::GraphicsContext::Traits> traits = new osg::GraphicsContext::Traits;
    traits->readDISPLAY();
    traits->width = w, traits->height = h;
    traits->alpha = 0, traits->depth = 24;
    traits->doubleBuffer = true;
    traits->windowDecoration = false;
    traits->vsync = false;
    osg::ref_ptr<osg::GraphicsContext> gc = osg::GraphicsContext::createGraphicsContext(traits.get());
    if (!gc) throw std::runtime_error("cannot open a window");
    viewer.getCamera()->setGraphicsContext(gc);
    viewer.getCamera()->setViewport(0, 0, w, h);
    viewer.getCamera()->setComputeNearFarMode(osg::CullSettings::DO_NOT_COMPUTE_NEAR_FAR);
    viewer.getCamera()->setClearColor(osg::Vec4(0.80f, 0.86f, 0.92f, 1));
    viewer.realize();
    const auto cam = render::fit_camera(scene.fit_points(), w, h);
    const osg::Vec3d centre(scene.bounds().center().x(), scene.bounds().center().y(), 0);
    size_t elements = 0, triangles = 0;
    for (const auto& b : scene.sets()) elements += b.set->size(), render::for_each_triangle(b, [&](unsigned, unsigned, unsigned) { ++triangles; });
    // The machine may be shared: alternate the two scenes in rounds and keep each one's median round, so
    // that a burst of load elsewhere does not fall on one side only.
    constexpr int kRounds = 5;
    std::vector<double> b_ms, n_ms, b_cpu, n_cpu;
    if (!profile.empty()) {
      const FrameTime t = time_frames(viewer, profile == "naive" ? naive.get() : scene.root(), cam, centre, frames);
      std::printf("%s: %.1f ms/frame (cpu %.1f ms)\n", profile.c_str(), t.wall_ms, t.cpu_ms);
      return 0;
    }
    for (int r = 0; r < kRounds; ++r) {
      const FrameTime b = time_frames(viewer, scene.root(), cam, centre, std::max(1, frames / kRounds));
      const FrameTime n = time_frames(viewer, naive.get(), cam, centre, std::max(1, frames / kRounds));
      b_ms.push_back(b.wall_ms), b_cpu.push_back(b.cpu_ms);
      n_ms.push_back(n.wall_ms), n_cpu.push_back(n.cpu_ms);
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    // Both scenes must draw the same picture: one frame of each from the same camera, compared by pixel.
    osg::ref_ptr<Grab> grab = new Grab;
    viewer.getCamera()->setFinalDrawCallback(grab);
    time_frames(viewer, scene.root(), cam, centre, 1);
    osg::ref_ptr<osg::Image> batched_image = grab->image;
    grab->image = new osg::Image;
    time_frames(viewer, naive.get(), cam, centre, 1);
    viewer.getCamera()->setFinalDrawCallback(nullptr);
    if (const char* dir = std::getenv("CITYTWIN_BENCH_PICTURES")) {
      osgDB::writeImageFile(*batched_image, std::string(dir) + "/batched.png");
      osgDB::writeImageFile(*grab->image, std::string(dir) + "/naive.png");
    }
    size_t differ = 0, drawn = 0;
    const unsigned char* p = batched_image->data();
    const unsigned char* q = grab->image->data();
    const unsigned char sky[3] = {204, 219, 235};
    for (int i = 0; i < w * h; ++i, p += 3, q += 3) {
      if (std::abs(p[0] - sky[0]) + std::abs(p[1] - sky[1]) + std::abs(p[2] - sky[2]) > 3) ++drawn;
      if (std::abs(p[0] - q[0]) > 2 || std::abs(p[1] - q[1]) > 2 || std::abs(p[2] - q[2]) > 2) ++differ;
    }
    const double batched = median(b_ms), naive_ms = median(n_ms);
    std::printf(
        "%-9s %7zu elements %8zu triangles  batched %7.1f ms/frame (%5.1f fps, cpu %7.1f ms)  naive %7.1f "
        "ms/frame (cpu %7.1f ms)  ratio %4.1fx (cpu %4.1fx)  pixels: %.1f%% drawn, %zu differ\n",
        synthetic ? "synthetic" : "bundled", elements, triangles, batched, 1000 / batched, median(b_cpu),
        naive_ms, median(n_cpu), naive_ms / batched, median(n_cpu) / median(b_cpu),
        100.0 * static_cast<double>(drawn) / (w * h), differ);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "citytwin_view_bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
