// citytwin_view_bench: frame times of the viewer's batched scene against a naive one-node-per-building
// scene with the same triangles and colours, in one process and one window (tools/bench.d/viewer).
//   citytwin_view_bench [--frames N] (--results DIR | --synthetic BUILDINGS)
// Prints the median over 5 alternating rounds of N/5 frames of each scene, then how far each scene's picture
// is from the full detail rendered at 16 samples a pixel.
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
#include "engine/render/image_compare.hpp"
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

/// The scene's ground plane alone, drawn as in the scene (unlit).
osg::ref_ptr<osg::Geode> ground_only(const render::CityScene& scene) {
  osg::ref_ptr<osg::Geode> ground = new osg::Geode;
  ground->setStateSet(scene.root()->getStateSet());
  ground->addDrawable(const_cast<osg::Geometry*>(scene.ground()));
  return ground;
}

/// The obvious scene: one Geode and Geometry per element, a plain list of triangles with a colour per
/// vertex (each triangle in one colour, so the same pixels as the batched, flat-shaded scene), with the
/// batched sets' back-face culling; in display lists (OSG's default) or in vertex buffers.
osg::ref_ptr<osg::Group> naive_scene(const render::CityScene& scene, bool vertex_buffers) {
  osg::ref_ptr<osg::Group> root = new osg::Group;
  root->getOrCreateStateSet()->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  root->getOrCreateStateSet()->setMode(GL_CULL_FACE, osg::StateAttribute::ON);
  root->addChild(ground_only(scene));
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
      if (vertex_buffers) {
        g->setUseDisplayList(false);
        g->setUseVertexBufferObjects(true);
      }
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

double cpu_ms(clockid_t clock = CLOCK_PROCESS_CPUTIME_ID) {
  timespec t{};
  clock_gettime(clock, &t);
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
  double main_ms = 0;              ///< CPU of the thread that culls, draws and runs Mesa's vertex stage
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
  const double c0 = cpu_ms(), m0 = cpu_ms(CLOCK_THREAD_CPUTIME_ID);
  for (int i = 0; i < frames; ++i) frame(i);
  return {std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / frames,
          (cpu_ms() - c0) / frames, (cpu_ms(CLOCK_THREAD_CPUTIME_ID) - m0) / frames};
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 30, synthetic = 0;
  std::string results_dir, profile;  // --profile batched|naive|naive-vbo: only that scene's frames (for perf)
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
    struct Scene {
      const char* name;
      const char* file;  ///< of its picture, without ".png"
      osg::ref_ptr<osg::Node> root;
      std::vector<double> wall, cpu, main;
      osg::ref_ptr<osg::Image> picture;
    };
    std::vector<Scene> scenes{
        {"batched", "batch", scene.root(), {}, {}, {}, {}},
        {"naive, display lists", "naive", naive_scene(scene, false), {}, {}, {}, {}},
        {"naive, vertex buffers", "naive-vbo", naive_scene(scene, true), {}, {}, {}, {}}};
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
    viewer.getCamera()->setClearColor(
        osg::Vec4(render::kSkyColor.r, render::kSkyColor.g, render::kSkyColor.b, 1));
    viewer.realize();
    const auto cam = render::fit_camera(scene.fit_points(), w, h);
    const osg::Vec3d centre(scene.bounds().center().x(), scene.bounds().center().y(), 0);
    size_t elements = 0, triangles = 0;
    for (const auto& b : scene.sets())
      elements += b.set->size(),
          render::for_each_triangle(b, [&](unsigned, unsigned, unsigned) { ++triangles; });
    if (!profile.empty()) {
      const Scene& only = profile == "naive" ? scenes[1] : profile == "naive-vbo" ? scenes[2] : scenes[0];
      const FrameTime t = time_frames(viewer, only.root.get(), cam, centre, frames);
      std::printf("%s: %.1f ms/frame (cpu %.1f ms, main thread %.1f ms)\n", only.name, t.wall_ms, t.cpu_ms,
                  t.main_ms);
      return 0;
    }
    // The machine may be shared: alternate the scenes in rounds and keep each one's median round, so that
    // a burst of load elsewhere does not fall on one side only.
    constexpr int kRounds = 5;
    for (int r = 0; r < kRounds; ++r)
      for (auto& sc : scenes) {
        const FrameTime t = time_frames(viewer, sc.root.get(), cam, centre, std::max(1, frames / kRounds));
        sc.wall.push_back(t.wall_ms), sc.cpu.push_back(t.cpu_ms), sc.main.push_back(t.main_ms);
      }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    // The pictures, one frame of each scene from the same camera. The reference is the full detail (the
    // naive scene, every triangle: no small-feature culling, which by default leaves out nodes under 2
    // pixels) rendered 4 times larger each way and averaged back: 16 samples a pixel, what a picture of
    // sub-pixel buildings should show. Against it, each scene's picture and the full detail at one sample a
    // pixel (whose own error is the aliasing of buildings a pixel or two wide), over the pixels the city
    // covers, per pixel and per 8 x 8 block of pixels (the colour of a patch of city).
    osg::ref_ptr<Grab> grab = new Grab;
    viewer.getCamera()->setFinalDrawCallback(grab);
    auto save = [](const osg::Image& image, const std::string& name) {
      if (const char* dir = std::getenv("CITYTWIN_BENCH_PICTURES"))
        osgDB::writeImageFile(image, std::string(dir) + "/" + name + ".png");
    };
    auto picture = [&](osg::Node* root, const std::string& name) {
      grab->image = new osg::Image;
      time_frames(viewer, root, cam, centre, 1);
      save(*grab->image, name);
      return grab->image;
    };
    for (auto& sc : scenes) sc.picture = picture(sc.root.get(), sc.file);
    viewer.getCamera()->setFinalDrawCallback(nullptr);
    constexpr int kSamples = 4;
    const osg::ref_ptr<osg::Image> full = render::render_view(scenes[1].root.get(), cam, {w, h});
    const osg::ref_ptr<osg::Image> reference = render::downsample(
        *render::render_view(scenes[1].root.get(), cam, {kSamples * w, kSamples * h}), kSamples);
    const osg::ref_ptr<osg::Image> empty = render::render_view(ground_only(scene), cam, {w, h});
    save(*full, "full");
    save(*reference, "reference");
    const std::vector<bool> city = render::differing_pixels(
        *empty, {reference.get(), full.get(), scenes[0].picture.get(), scenes[1].picture.get()}, 2);
    const size_t city_pixels = static_cast<size_t>(std::count(city.begin(), city.end(), true));
    // What the batched scene draws from the first frame's camera.
    size_t drawn_triangles = 0, drawn_points = 0;
    for (size_t s = 0; s < scene.sets().size(); ++s) {
      drawn_triangles +=
          scene.for_each_drawn_triangle(s, cam.view, cam.projection, h, [](unsigned, unsigned, unsigned) {});
      drawn_points += scene.for_each_drawn_point(s, cam.view, cam.projection, h, [](std::uint32_t) {});
    }
    std::printf(
        "%s: %zu elements, %zu triangles, the city covers %.1f%% of the picture (%zu pixels); the batched "
        "scene draws %zu triangles and %zu points\n",
        synthetic ? "synthetic city" : "bundled city", elements, triangles,
        100.0 * static_cast<double>(city_pixels) / (w * h), city_pixels, drawn_triangles, drawn_points);
    const double b_wall = median(scenes[0].wall), b_cpu = median(scenes[0].cpu),
                 b_main = median(scenes[0].main);
    for (const auto& sc : scenes) {
      const double wall = median(sc.wall), cpu = median(sc.cpu), main = median(sc.main);
      std::printf("  %-22s %7.1f ms/frame (%5.1f fps)  cpu %7.1f ms, main thread %6.1f ms", sc.name, wall,
                  1000 / wall, cpu, main);
      if (&sc != &scenes[0])
        std::printf("  ratio %4.1fx (cpu %4.1fx, main thread %4.1fx)", wall / b_wall, cpu / b_cpu,
                    main / b_main);
      std::printf("\n");
    }
    std::printf("  pictures against the full detail at 16 samples a pixel, over the city's pixels:\n");
    auto compare = [&](const char* name, const osg::Image& p) {
      const auto d = render::picture_difference(p, *reference, city, 8);
      const auto f = render::picture_difference(p, *full, city, 8);
      std::printf(
          "    %-22s mean error %5.1f levels a pixel, %4.1f an 8x8 block; pixels off the full detail at "
          "1 sample %5.1f%%\n",
          name, d.pixel_levels, d.block_levels,
          100.0 * static_cast<double>(f.pixels_off) / static_cast<double>(std::max<size_t>(1, f.pixels)));
    };
    compare("full detail, 1 sample", *full);
    for (const auto& sc : scenes) compare(sc.name, *sc.picture);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "citytwin_view_bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
