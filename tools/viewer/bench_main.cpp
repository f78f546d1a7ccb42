// citytwin_view_bench: frame times of the viewer's batched scene against a naive one-node-per-building
// scene with the same triangles and colours, in one process and one window (tools/bench.d/viewer).
//   citytwin_view_bench [--frames N] (--results DIR | --synthetic BUILDINGS)
// Prints the median over 5 alternating rounds of N/5 frames of each scene.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <osg/Geode>
#include <osgViewer/Viewer>
#include <random>
#include <string>
#include <vector>

#include "engine/data/results_io.hpp"
#include "engine/render/city_scene.hpp"

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

/// The same triangles and colours as the batched scene, one Geode and Geometry per element.
osg::ref_ptr<osg::Group> naive_scene(const render::CityScene& scene) {
  osg::ref_ptr<osg::Group> root = new osg::Group;
  root->getOrCreateStateSet()->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  for (const auto& b : scene.sets()) {
    const auto* v = static_cast<const osg::Vec3Array*>(b.geometry->getVertexArray());
    const auto* c = static_cast<const osg::Vec4Array*>(b.geometry->getColorArray());
    std::vector<osg::ref_ptr<osg::Vec3Array>> verts(b.set->size());
    std::vector<osg::ref_ptr<osg::Vec4Array>> cols(b.set->size());
    for (size_t i = 0; i < v->size(); ++i) {
      const auto e = b.element_of_vertex[i];
      if (!verts[e]) verts[e] = new osg::Vec3Array, cols[e] = new osg::Vec4Array;
      verts[e]->push_back((*v)[i]);
      cols[e]->push_back((*c)[i]);
    }
    for (size_t e = 0; e < verts.size(); ++e) {
      if (!verts[e]) continue;
      osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
      g->setUseDisplayList(false);
      g->setUseVertexBufferObjects(true);
      g->setVertexArray(verts[e]);
      g->setStateSet(b.geometry->getStateSet());  // the same state as the batched set
      g->setColorArray(cols[e], osg::Array::BIND_PER_VERTEX);
      g->addPrimitiveSet(new osg::DrawArrays(GL_TRIANGLES, 0, static_cast<GLsizei>(verts[e]->size())));
      osg::ref_ptr<osg::Geode> geode = new osg::Geode;
      geode->addDrawable(g);
      root->addChild(geode);
    }
  }
  return root;
}

/// Milliseconds per frame over `frames` frames (after 2 warm-up frames), turning the camera 1 degree a frame.
double time_frames(osgViewer::Viewer& viewer, osg::Node* scene, const render::CameraSetup& cam,
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
  for (int i = 0; i < frames; ++i) frame(i);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / frames;
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 30, synthetic = 0;
  std::string results_dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--frames"))
      frames = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--results"))
      results_dir = argv[i + 1];
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
    for (const auto& b : scene.sets()) elements += b.set->size(), triangles += b.element_of_vertex.size() / 3;
    // The machine may be shared: alternate the two scenes in rounds and keep each one's median round, so
    // that a burst of load elsewhere does not fall on one side only.
    constexpr int kRounds = 5;
    std::vector<double> b_ms, n_ms;
    for (int r = 0; r < kRounds; ++r) {
      b_ms.push_back(time_frames(viewer, scene.root(), cam, centre, std::max(1, frames / kRounds)));
      n_ms.push_back(time_frames(viewer, naive.get(), cam, centre, std::max(1, frames / kRounds)));
    }
    std::sort(b_ms.begin(), b_ms.end());
    std::sort(n_ms.begin(), n_ms.end());
    const double batched = b_ms[kRounds / 2], naive_ms = n_ms[kRounds / 2];
    std::printf(
        "%-12s %9zu elements %10zu triangles  batched %8.1f ms/frame (%5.1f fps)  naive %8.1f ms/frame  "
        "ratio %5.1fx\n",
        synthetic ? "synthetic" : "bundled", elements, triangles, batched, 1000 / batched, naive_ms,
        naive_ms / batched);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "citytwin_view_bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
