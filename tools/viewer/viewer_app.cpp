#include "tools/viewer/viewer_app.hpp"

#include <imgui.h>
#include <toml++/toml.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <osg/Image>
#include <osg/LineWidth>
#include <osgGA/OrbitManipulator>
#include <osgViewer/Viewer>
#include <thread>

#include "engine/core/error.hpp"
#include "engine/core/time.hpp"
#include "engine/render/hud.hpp"
#include "engine/render/offscreen.hpp"
#include "tools/viewer/imgui_osg.hpp"
#include "tools/viewer/script.hpp"
#include "tools/viewer/sensor_panel.hpp"
#include "tools/viewer/session.hpp"

namespace citytwin::viewer {
namespace {

namespace fs = std::filesystem;

void plot_series(const std::string& label, const std::vector<double>& times_s, const float* values, size_t n,
                 double now_s);

/// Orbit (left drag), pan (middle drag), zoom (right drag, wheel), home (space); leaves alone the events
/// that the panels took.
class Manipulator : public osgGA::OrbitManipulator {
 public:
  bool handle(const osgGA::GUIEventAdapter& ea, osgGA::GUIActionAdapter& us) override {
    if (ea.getHandled()) return false;
    if (ImGui::GetCurrentContext()) {
      const auto t = ea.getEventType();
      const ImGuiIO& io = ImGui::GetIO();
      const bool mouse = t == ea.PUSH || t == ea.RELEASE || t == ea.DRAG || t == ea.SCROLL;
      if ((mouse && io.WantCaptureMouse) || ((t == ea.KEYDOWN || t == ea.KEYUP) && io.WantCaptureKeyboard))
        return false;
    }
    return osgGA::OrbitManipulator::handle(ea, us);
  }
};

/// The whole application: one window, the session, the panels and the optional script.
class App {
 public:
  explicit App(const ViewerOptions& options)
      : options_(options),
        session_(options.citytwin_exe),
        overlay_([this] { draw_panels(); }),
        width_(options.width),
        height_(options.height) {}

  int run(std::vector<ScriptCommand> script);

 private:
  struct FinalDraw;
  struct Events;

  void setup_window();
  void update_scene();
  void update_hud();
  void update_highlight();
  void update_markers();
  void home();
  void pick(double x_up, double y_up);
  void take_screenshot(const std::string& path);
  void frame();
  bool run_command();  // false when the script is finished
  bool needs_frame() const { return frames_to_draw_ > 0 || waiting_ || capture_next_ || captured_; }
  bool expect(bool ok, const ScriptCommand& c, const std::string& what);
  void draw_panels();
  void draw_layers_panel();
  void draw_sensors_entry();
  void draw_timeline_panel();
  void draw_selection_panel();
  void draw_whatif_panel();
  void draw_kpi_panel();
  void draw_messages();

  ViewerOptions options_;
  Session session_;
  ImGuiOverlay overlay_;
  osgViewer::Viewer viewer_;
  osg::ref_ptr<Manipulator> manipulator_ = new Manipulator;
  osg::ref_ptr<osg::Group> root_ = new osg::Group, scene_group_ = new osg::Group;
  osg::ref_ptr<osg::Camera> hud_;
  osg::ref_ptr<osg::Geode> highlight_;
  std::string highlight_key_;
  std::string hud_key_;
  unsigned shown_generation_ = ~0u;
  int width_, height_;

  // Timeline playback.
  bool playing_ = false;
  double speed_ = 600;  // simulated seconds per second
  std::chrono::steady_clock::time_point last_frame_ = std::chrono::steady_clock::now();

  std::optional<osg::Vec2d> pending_pick_;
  int redraw_frames_ = 3;

  // Screenshots: requested before a frame, read back in its final draw, written after it.
  bool capture_next_ = false;
  osg::ref_ptr<osg::Image> captured_;
  std::string pending_screenshot_;

  // Panels' text fields.
  char save_path_[512] = "whatif.toml";
  char screenshot_path_[512] = "citytwin-view.png";
  char open_path_[512] = "";
  InterventionDraft draft_;
  char draft_buf_[6][256] = {};

  // Script state.
  std::vector<ScriptCommand> script_;
  size_t next_command_ = 0;
  int frames_to_draw_ = 0;
  bool waiting_ = false;
  int failures_ = 0;
  size_t printed_messages_ = 0;
};

struct App::FinalDraw : osg::Camera::DrawCallback {
  App* app = nullptr;
  void operator()(osg::RenderInfo& info) const override {
    app->overlay_.render(info, app->width_, app->height_);
    if (app->capture_next_) {
      osg::ref_ptr<osg::Image> image = new osg::Image;
      image->readPixels(0, 0, app->width_, app->height_, GL_RGB, GL_UNSIGNED_BYTE);
      app->captured_ = image;
      app->capture_next_ = false;
    }
  }
};

/// Clicks (a press and release without moving) pick; keys for play, screenshot and panels.
struct App::Events : osgGA::GUIEventHandler {
  App* app = nullptr;
  float push_x = 0, push_y = 0;
  bool handle(const osgGA::GUIEventAdapter& ea, osgGA::GUIActionAdapter&) override {
    using E = osgGA::GUIEventAdapter;
    // Any input may change the panels or the view: draw a few frames (ImGui settles over 2 or 3).
    if (ea.getEventType() != E::FRAME) app->redraw_frames_ = 3;
    if (ea.getHandled()) return false;
    const float x = (ea.getXnormalized() + 1) * 0.5f * static_cast<float>(app->width_);
    const float y = (ea.getYnormalized() + 1) * 0.5f * static_cast<float>(app->height_);
    switch (ea.getEventType()) {
      case E::PUSH:
        push_x = x, push_y = y;
        return false;
      case E::RELEASE:
        if (ea.getButton() == E::LEFT_MOUSE_BUTTON && std::hypot(x - push_x, y - push_y) < 4)
          app->pending_pick_ = osg::Vec2d(x, y);  // decided after the frame, when ImGui has seen the click
        return false;
      case E::RESIZE:
        app->width_ = ea.getWindowWidth(), app->height_ = ea.getWindowHeight();
        return false;
      case E::KEYDOWN:
        if (ImGui::GetCurrentContext() && ImGui::GetIO().WantCaptureKeyboard) return false;
        if (ea.getKey() == 'p')
          app->playing_ = !app->playing_;
        else if (ea.getKey() == 'h')
          app->overlay_.set_enabled(!app->overlay_.enabled());
        else if (ea.getKey() == E::KEY_F12) {
          // Named by the wall clock in UTC (engine/core/time), not the scenario's time: when it was taken.
          std::string stamp = format_datetime(std::time(nullptr));
          std::erase(stamp, '-');
          std::erase(stamp, ':');
          app->take_screenshot("citytwin-view-" + stamp + "Z.png");
        } else if (ea.getKey() == E::KEY_Right)
          app->session_.set_time(app->session_.time() + app->session_.step());
        else if (ea.getKey() == E::KEY_Left)
          app->session_.set_time(app->session_.time() - app->session_.step());
        else
          return false;
        return true;
      default:
        return false;
    }
  }
};

void App::setup_window() {
  if (!std::getenv("DISPLAY"))
    throw std::runtime_error(
        "no X display: run under a desktop session or xvfb-run -a -s \"-screen 0 1280x720x24\"");
  osg::ref_ptr<osg::GraphicsContext::Traits> traits = new osg::GraphicsContext::Traits;
  traits->readDISPLAY();
  traits->x = 40, traits->y = 40, traits->width = width_, traits->height = height_;
  traits->red = traits->green = traits->blue = 8;
  traits->alpha = 0;  // alpha 8 on a 24-bit Xvfb screen gives BadMatch
  traits->depth = 24;
  traits->windowDecoration = options_.script.empty();
  traits->doubleBuffer = true;
  traits->windowName = "citytwin view";
  osg::ref_ptr<osg::GraphicsContext> gc = osg::GraphicsContext::createGraphicsContext(traits.get());
  if (!gc) throw std::runtime_error("cannot open a window on display " + std::string(std::getenv("DISPLAY")));
  viewer_.setThreadingModel(osgViewer::Viewer::SingleThreaded);
  osg::Camera* camera = viewer_.getCamera();
  camera->setGraphicsContext(gc);
  camera->setViewport(0, 0, width_, height_);
  camera->setClearColor(osg::Vec4(render::kSkyColor.r, render::kSkyColor.g, render::kSkyColor.b, 1));
  camera->setProjectionMatrixAsPerspective(30, static_cast<double>(width_) / height_, 1, 10000);
  camera->setComputeNearFarMode(osg::CullSettings::COMPUTE_NEAR_FAR_USING_BOUNDING_VOLUMES);
  osg::ref_ptr<FinalDraw> final_draw = new FinalDraw;
  final_draw->app = this;
  camera->setFinalDrawCallback(final_draw);
  viewer_.addEventHandler(overlay_.handler());
  osg::ref_ptr<Events> events = new Events;
  events->app = this;
  viewer_.addEventHandler(events);
  viewer_.setCameraManipulator(manipulator_, false);
  root_->addChild(scene_group_);
  viewer_.setSceneData(root_);
  viewer_.setKeyEventSetsDone(0);  // Escape belongs to the panels
  viewer_.realize();
}

void App::home() {
  render::CityScene* scene = session_.primary_scene();
  if (!scene) return;
  const render::CameraSetup cam = render::fit_camera(scene->fit_points(), width_, height_);
  osg::Vec3d eye, centre, up;
  cam.view.getLookAt(eye, centre, up, 1);
  const auto b = scene->bounds();
  const osg::Vec3d target(b.center().x(), b.center().y(), 0);
  manipulator_->setHomePosition(eye, target, osg::Vec3d(0, 0, 1));
  manipulator_->home(0);
}

void App::update_scene() {
  if (shown_generation_ == session_.scene_generation()) return;
  const bool first = shown_generation_ == ~0u || scene_group_->getNumChildren() == 0;
  shown_generation_ = session_.scene_generation();
  scene_group_->removeChildren(0, scene_group_->getNumChildren());
  render::CityScene* primary = session_.primary_scene();
  if (!primary) return;
  if (render::CityScene* second = session_.secondary_scene()) {
    // Side by side: two cameras, each half of the window, both following the main camera (linked).
    for (int side = 0; side < 2; ++side) {
      osg::ref_ptr<osg::Camera> cam = new osg::Camera;
      cam->setReferenceFrame(osg::Transform::ABSOLUTE_RF);
      cam->setRenderOrder(osg::Camera::NESTED_RENDER);
      cam->setClearMask(GL_DEPTH_BUFFER_BIT);
      cam->setAllowEventFocus(false);
      cam->addChild(side == 0 ? primary->root() : second->root());
      cam->setName(side == 0 ? "A" : "B");
      scene_group_->addChild(cam);
    }
  } else {
    scene_group_->addChild(primary->root());
  }
  if (first) home();
}

void App::update_hud() {
  // This frame's camera: the main camera takes the manipulator's matrix only during the frame.
  const osg::Matrixd view = manipulator_->getInverseMatrix();
  const bool split = session_.secondary_scene() != nullptr;
  const int view_w = split ? width_ / 2 : width_;
  osg::Matrixd proj = osg::Matrixd::perspective(30, static_cast<double>(view_w) / height_, 1, 10000);
  if (split) {
    for (unsigned i = 0; i < scene_group_->getNumChildren(); ++i) {
      auto* cam = scene_group_->getChild(i)->asCamera();
      if (!cam) continue;
      cam->setViewport(static_cast<int>(i) * view_w, 0, view_w, height_);
      cam->setViewMatrix(view);
      const auto& b = session_.primary_scene()->bounds();
      const double r = std::max(b.radius(), 1.0f), d = (osg::Vec3d(b.center()) * view).length();
      cam->setProjectionMatrixAsPerspective(30, static_cast<double>(view_w) / height_,
                                            std::max(0.5, (d - 2 * r) * 0.5), d + 4 * r);
      cam->setComputeNearFarMode(osg::CullSettings::DO_NOT_COMPUTE_NEAR_FAR);
    }
  }
  // Scale and north at the scene centre, as render_image computes them.
  double metres_per_pixel = 0, north = 0;
  if (auto* scene = session_.primary_scene()) {
    const osg::Matrixd to_window = view * proj * osg::Matrixd::translate(1, 1, 1) *
                                   osg::Matrixd::scale(view_w / 2.0, height_ / 2.0, 0.5);
    const osg::Vec3d c(scene->bounds().center().x(), scene->bounds().center().y(), 0);
    const osg::Vec3d a = c * to_window, e = (c + osg::Vec3d(100, 0, 0)) * to_window,
                     n = (c + osg::Vec3d(0, 100, 0)) * to_window;
    const double px = std::hypot(e.x() - a.x(), e.y() - a.y());
    if (px > 0) metres_per_pixel = 100.0 / px;
    north = std::atan2(-(n.x() - a.x()), n.y() - a.y());
  }
  const Run* run = session_.primary_run();
  render::HudText text;
  if (run) {
    const char* what = session_.view() == ViewMode::difference     ? "  -  B minus A"
                       : session_.view() == ViewMode::side_by_side ? "  -  A (left) | B (right)"
                       : session_.view() == ViewMode::b            ? "  -  B"
                                                                   : "";
    text.title =
        run->results.info.scenario_name + what + (session_.layer().empty() ? "" : "  -  " + session_.layer());
    text.subtitle = session_.time_text(session_.time());
  } else {
    text.title = "citytwin view";
    text.subtitle = "open a scenario or a results directory";
  }
  const auto& lg = session_.legend();
  char key[512];
  std::snprintf(key, sizeof key, "%s|%s|%s|%g|%g|%s|%.3g|%.2f|%dx%d", text.title.c_str(),
                text.subtitle.c_str(), lg.title.c_str(), lg.min, lg.max, lg.map.name().c_str(),
                metres_per_pixel, north, width_, height_);
  if (key == hud_key_) return;
  hud_key_ = key;
  if (hud_) root_->removeChild(hud_);
  hud_ = render::make_hud(text, lg, width_, height_, metres_per_pixel, north);
  root_->addChild(hud_);
}

/// A magenta box around the selected element, so the planner sees what the panel describes.
void App::update_highlight() {
  const auto& sel = session_.selection();
  render::CityScene* scene = session_.primary_scene();
  const std::string key = sel && scene && !session_.secondary_scene()
                              ? sel->set + "|" + sel->id + "|" + std::to_string(session_.scene_generation())
                              : "";
  if (key == highlight_key_) return;
  highlight_key_ = key;
  if (highlight_) root_->removeChild(highlight_), highlight_ = nullptr;
  if (key.empty()) return;
  osg::BoundingBox box;
  for (const auto& b : scene->sets()) {
    if (b.set->name != sel->set) continue;
    const auto* v = static_cast<const osg::Vec3Array*>(b.geometry->getVertexArray());
    for (size_t i = 0; i < v->size(); ++i)
      if (b.element_of_vertex[i] == sel->element) box.expandBy((*v)[i]);
  }
  if (!box.valid()) return;
  const float pad = 2;
  box.set(box.xMin() - pad, box.yMin() - pad, 0, box.xMax() + pad, box.yMax() + pad, box.zMax() + pad);
  osg::ref_ptr<osg::Vec3Array> corners = new osg::Vec3Array;
  for (int e : {0, 1, 1, 3, 3, 2, 2, 0, 4, 5, 5, 7, 7, 6, 6, 4, 0, 4, 1, 5, 2, 6, 3, 7})
    corners->push_back(box.corner(e));
  osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
  g->setVertexArray(corners);
  osg::ref_ptr<osg::Vec4Array> colour = new osg::Vec4Array;
  colour->push_back({1, 0, 1, 1});
  g->setColorArray(colour, osg::Array::BIND_OVERALL);
  g->addPrimitiveSet(new osg::DrawArrays(GL_LINES, 0, static_cast<GLsizei>(corners->size())));
  highlight_ = new osg::Geode;
  highlight_->addDrawable(g);
  auto* ss = highlight_->getOrCreateStateSet();
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  ss->setAttributeAndModes(new osg::LineWidth(3));
  root_->addChild(highlight_);
}

void App::pick(double x_up, double y_up) {
  render::CityScene* scene = session_.primary_scene();
  if (!scene) return;
  osg::Camera* camera = viewer_.getCamera();
  // A sensor's pin is drawn over the city, so a click on it is the pin's.
  const Run* run = session_.primary_run();
  if (run->sensors && session_.visible("sensors")) {
    const bool split = session_.secondary_scene() != nullptr;
    const int view_w = split ? width_ / 2 : width_;
    const osg::Camera* cam = split ? scene_group_->getChild(x_up >= view_w ? 1 : 0)->asCamera() : camera;
    const double x = split && x_up >= view_w ? x_up - view_w : x_up;
    if (const auto k =
            run->sensors->pick(cam->getViewMatrix(), cam->getProjectionMatrix(), view_w, height_, x, y_up)) {
      session_.select_sensor(run->results.sensors[*k].id);
      session_.info("picked sensor " + run->results.sensors[*k].id);
      return;
    }
  }
  session_.select_sensor("");
  if (session_.secondary_scene()) {
    const int view_w = width_ / 2;
    const bool right = x_up >= view_w;
    auto* cam = scene_group_->getChild(right ? 1 : 0)->asCamera();
    session_.select(scene->pick(cam->getViewMatrix(), cam->getProjectionMatrix(), view_w, height_,
                                right ? x_up - view_w : x_up, y_up));
  } else {
    session_.select(
        scene->pick(camera->getViewMatrix(), camera->getProjectionMatrix(), width_, height_, x_up, y_up));
  }
  if (session_.selection())
    session_.info("picked " + session_.selection()->set + " " + session_.selection()->id);
}

/// Lays the sensors' pins out for this frame's camera (each side's in side by side).
void App::update_markers() {
  if (session_.secondary_scene()) {
    for (unsigned i = 0; i < scene_group_->getNumChildren(); ++i) {
      const auto* cam = scene_group_->getChild(i)->asCamera();
      const Run* run = i == 0 ? session_.primary_run() : session_.b();
      if (cam && run && run->sensors)
        run->sensors->update(cam->getViewMatrix(), cam->getProjectionMatrix(), width_ / 2, height_);
    }
  } else if (const Run* run = session_.primary_run(); run && run->sensors) {
    run->sensors->update(manipulator_->getInverseMatrix(), viewer_.getCamera()->getProjectionMatrix(), width_,
                         height_);
  }
}

void App::take_screenshot(const std::string& path) {
  capture_next_ = true;
  pending_screenshot_ = path;
}

void App::frame() {
  session_.poll();
  const auto now = std::chrono::steady_clock::now();
  const double dt = std::chrono::duration<double>(now - last_frame_).count();
  last_frame_ = now;
  if (playing_) {
    double t = session_.time() + dt * speed_;
    if (t >= session_.duration()) t = session_.duration(), playing_ = false;
    session_.set_time(t);
  }
  update_scene();
  session_.refresh_colors();
  session_.update_vehicles();
  update_hud();
  update_highlight();
  update_markers();
  viewer_.frame();
  if (pending_pick_ && !overlay_.mouse_over_panels()) pick(pending_pick_->x(), pending_pick_->y());
  pending_pick_.reset();
  if (captured_) {
    try {
      render::write_png(*captured_, pending_screenshot_);
      session_.info("saved screenshot " + pending_screenshot_);
    } catch (const std::exception& e) {
      session_.error(e.what());
    }
    captured_ = nullptr;
  }
  const auto& messages = session_.messages();
  if (!options_.script.empty())
    for (; printed_messages_ < messages.size(); ++printed_messages_)
      std::printf("%s%s\n", messages[printed_messages_].error ? "error: " : "",
                  messages[printed_messages_].text.c_str());
}

bool App::expect(bool ok, const ScriptCommand& c, const std::string& what) {
  if (!ok) {
    ++failures_;
    std::printf("%s:%d: %s: check failed: %s\n", options_.script.c_str(), c.line, c.name.c_str(),
                what.c_str());
    session_.error("script line " + std::to_string(c.line) + ": " + what);
  }
  return ok;
}

bool App::run_command() {
  if (next_command_ >= script_.size()) return false;
  const ScriptCommand& c = script_[next_command_++];
  const auto& a = c.args;
  auto number = [&](const std::string& s) {
    try {
      size_t used = 0;
      double v = std::stod(s, &used);
      if (used == s.size()) return v;
    } catch (const std::exception&) {
    }
    throw InputError({options_.script, c.line, c.name}, "expected a number, got " + s);
  };
  auto window_click = [&](double x, double y_down) {
    osgGA::EventQueue* q =
        dynamic_cast<osgViewer::GraphicsWindow*>(viewer_.getCamera()->getGraphicsContext())->getEventQueue();
    const bool down =
        q->getCurrentEventState()->getMouseYOrientation() == osgGA::GUIEventAdapter::Y_INCREASING_DOWNWARDS;
    const float y = static_cast<float>(down ? y_down : height_ - y_down);
    q->mouseMotion(static_cast<float>(x), y);
    // A frame with the pointer there first, as a person's pointer arrives before the click: the panels then
    // know whether it is over them (a panel that opened under the last click is not in the way).
    frame();
    q->mouseButtonPress(static_cast<float>(x), y, 1);
    q->mouseButtonRelease(static_cast<float>(x), y, 1);
    frames_to_draw_ = 2;
  };
  if (c.name == "open")
    session_.open(a[0]), waiting_ = true;
  else if (c.name == "wait")
    waiting_ = true;
  else if (c.name == "layer")
    session_.set_layer(a[0] == "none" ? "" : a[0]);
  else if (c.name == "colormap")
    session_.set_color_map(a[0]);
  else if (c.name == "range") {
    if (a[0] == "auto")
      session_.set_range(std::nullopt, std::nullopt);
    else if (a.size() == 2)
      session_.set_range(number(a[0]), number(a[1]));
    else
      throw InputError({options_.script, c.line, c.name}, "expected MIN MAX or auto");
  } else if (c.name == "time") {
    auto t = session_.parse_time(a[0]);
    if (!t) {
      try {
        t = number(a[0]);
      } catch (const InputError&) {
      }
    }
    if (t)
      session_.set_time(*t);
    else
      session_.error("time " + a[0] + ": not a time (HH:MM, +2h, a date-time or seconds)");
  } else if (c.name == "play")
    playing_ = true, speed_ = number(a[0]);
  else if (c.name == "pause")
    playing_ = false;
  else if (c.name == "show" || c.name == "hide")
    session_.set_visible(a[0], c.name == "show");
  else if (c.name == "view") {
    if (auto m = view_mode_from(a[0]))
      session_.set_view(*m);
    else
      session_.error("view " + a[0] + ": expected a, b, difference or side-by-side");
  } else if (c.name == "panels")
    overlay_.set_enabled(a[0] == "on");
  else if (c.name == "size") {
    width_ = static_cast<int>(number(a[0])), height_ = static_cast<int>(number(a[1]));
    auto* gw = dynamic_cast<osgViewer::GraphicsWindow*>(viewer_.getCamera()->getGraphicsContext());
    gw->setWindowRectangle(40, 40, width_, height_);
    viewer_.getCamera()->setViewport(0, 0, width_, height_);
    viewer_.getCamera()->setProjectionMatrixAsPerspective(30, static_cast<double>(width_) / height_, 1,
                                                          10000);
    frames_to_draw_ = 2;
  } else if (c.name == "home")
    home();
  else if (c.name == "orbit") {
    osg::Vec3d eye, centre, up;
    manipulator_->getTransformation(eye, centre, up);
    const osg::Matrixd turn = osg::Matrixd::translate(-centre) *
                              osg::Matrixd::rotate(osg::DegreesToRadians(number(a[0])), osg::Vec3d(0, 0, 1)) *
                              osg::Matrixd::translate(centre);
    manipulator_->setTransformation(eye * turn, centre, osg::Vec3d(0, 0, 1));
  } else if (c.name == "click")
    window_click(number(a[0]), number(a[1]));
  else if (c.name == "click-element") {
    render::CityScene* scene = session_.primary_scene();
    bool found = false;
    if (scene && !session_.secondary_scene()) {
      for (size_t s = 0; s < scene->sets().size() && !found; ++s) {
        const auto& set = *scene->sets()[s].set;
        if (set.name != a[0]) continue;
        for (std::uint32_t e = 0; e < set.size(); ++e) {
          if (set.ids[e] != a[1]) continue;
          const osg::Camera* cam = viewer_.getCamera();
          const osg::Vec3d ndc =
              osg::Vec3d(scene->element_anchor(s, e)) * cam->getViewMatrix() * cam->getProjectionMatrix();
          window_click((ndc.x() + 1) * 0.5 * width_, (1 - ndc.y()) * 0.5 * height_);
          found = true;
          break;
        }
      }
    }
    if (!found)
      session_.error("click-element: no element " + a[1] + " in set " + a[0] + " of the single view");
  } else if (c.name == "select")
    session_.select_id(a[0], a[1]);
  else if (c.name == "select-sensor")
    session_.select_sensor(a[0] == "none" ? "" : a[0]);
  else if (c.name == "click-sensor") {
    const Run* run = session_.primary_run();
    std::optional<osg::Vec2d> at;
    for (size_t k = 0; run && run->sensors && !session_.secondary_scene() && k < run->sensors->size(); ++k)
      if (run->results.sensors[run->sensors->sensor(k)].id == a[0])
        at = run->sensors->head_pixel(k, manipulator_->getInverseMatrix(),
                                      viewer_.getCamera()->getProjectionMatrix(), width_, height_);
    if (at)
      window_click(at->x(), height_ - at->y());
    else
      session_.error("click-sensor: no pin of sensor " + a[0] + " in the single view");
  } else if (c.name == "sensor-colors") {
    if (a[0] == "quantity" || a[0] == "fit")
      session_.set_sensor_coloring(a[0] == "fit" ? SensorColoring::fit : SensorColoring::quantity);
    else
      session_.error("sensor-colors " + a[0] + ": expected quantity or fit");
  } else if (c.name == "write-sensor")
    std::ofstream(a[0]) << sensor_text(session_);
  else if (c.name == "expect-sensor") {
    const auto k = session_.selected_sensor();
    const std::string have = k ? session_.primary_run()->results.sensors[*k].id : "none";
    expect(have == a[0], c, "expected sensor " + a[0] + " selected, have " + have);
  } else if (c.name == "intervene") {
    InterventionDraft d;
    d.model = a[0], d.action = a[1], d.target = a[2];
    if (d.target.starts_with("@pick")) {
      const auto& sel = session_.selection();
      if (!sel) throw InputError({options_.script, c.line, c.name}, "@pick: nothing is selected");
      d.target = sel->id;
      if (c.args[2].size() > 6) {
        const std::string attr = c.args[2].substr(6);
        d.target.clear();
        for (const auto& [k, v] : sel->attributes)
          if (k == attr) d.target = v;
        if (d.target.empty())
          throw InputError({options_.script, c.line, c.name}, "selection has no attribute " + attr);
      }
    }
    for (size_t i = 3; i < a.size(); ++i) {
      const auto eq = a[i].find('=');
      if (eq == std::string::npos)
        throw InputError({options_.script, c.line, c.name}, "expected KEY=VALUE, got " + a[i]);
      const std::string k = a[i].substr(0, eq), v = a[i].substr(eq + 1);
      if (k == "at")
        d.at = v;
      else if (k == "until")
        d.until = v;
      else {
        // A TOML value as written (number, boolean, quoted string), else taken as a string.
        std::string line = k + " = " + v;
        try {
          (void)toml::parse(line);
        } catch (const toml::parse_error&) {
          line = k + " = \"" + v + "\"";
        }
        d.params += line + "\n";
      }
    }
    session_.drafts().push_back(d);
    session_.info("intervention " + d.model + "." + d.action + " " + d.target + " added");
  } else if (c.name == "whatif")
    session_.run_whatif(), waiting_ = true;
  else if (c.name == "save-whatif")
    session_.save_whatif(a[0]);
  else if (c.name == "frames")
    frames_to_draw_ = static_cast<int>(number(a[0]));
  else if (c.name == "screenshot")
    take_screenshot(a[0]);
  else if (c.name == "write-selection")
    std::ofstream(a[0]) << session_.selection_text();
  else if (c.name == "write-kpis") {
    std::ofstream out(a[0]);
    out << "name,unit,a,b\n";
    for (const auto& k : session_.kpis()) out << k.name << ',' << k.unit << ',' << k.a << ',' << k.b << '\n';
  } else if (c.name == "expect-selected") {
    const auto& sel = session_.selection();
    if (a[0] == "none" && a[1] == "none")
      expect(!sel, c, "expected nothing selected, have " + (sel ? sel->set + " " + sel->id : std::string()));
    else
      expect(sel && sel->set == a[0] && sel->id == a[1], c,
             "expected " + a[0] + " " + a[1] + " selected, have " +
                 (sel ? sel->set + " " + sel->id : std::string("nothing")));
  } else if (c.name == "expect-message") {
    std::string want;
    for (const auto& w : a) want += (want.empty() ? "" : " ") + w;
    bool found = false;
    for (const auto& m : session_.messages()) found = found || m.text.find(want) != std::string::npos;
    expect(found, c, "no message contains \"" + want + "\"");
  } else if (c.name == "expect-no-error") {
    std::string first;
    for (const auto& m : session_.messages())
      if (m.error && first.empty()) first = m.text;
    expect(first.empty(), c, "error shown: " + first);
  } else if (c.name == "quit")
    next_command_ = script_.size();
  return true;
}

void App::draw_panels() {
  draw_layers_panel();
  draw_timeline_panel();
  draw_selection_panel();
  draw_whatif_panel();
  draw_kpi_panel();
  draw_sensor_panel(session_, width_, height_);
  draw_messages();
}

void App::draw_layers_panel() {
  const float w = 300;
  ImGui::SetNextWindowPos(ImVec2(8, 70), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(w, 360), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Layers")) return ImGui::End();
  ImGui::InputText("##open", open_path_, sizeof open_path_);
  ImGui::SameLine();
  if (ImGui::Button("Open") && open_path_[0]) session_.open(open_path_);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("a scenario file (run in the background) or a results directory");
  const Run* run = session_.primary_run();
  if (!run) {
    ImGui::TextWrapped("Nothing loaded.");
    return ImGui::End();
  }
  ImGui::Separator();
  ImGui::TextUnformatted("Show");
  for (const auto& set : run->results.sets) {
    bool on = session_.visible(set.name);
    const std::string label = set.name + " (" + std::to_string(set.size()) + ")";
    if (ImGui::Checkbox(label.c_str(), &on)) session_.set_visible(set.name, on);
  }
  size_t closed = 0;
  for (const auto& c : run->closures) closed += c.active(session_.time());
  if (closed > 0)
    ImGui::TextColored(ImVec4(0.5f, 0.5f, 0.5f, 1), "%zu element%s out of service now, drawn near black",
                       closed, closed == 1 ? "" : "s");
  if (run->vehicles) {
    bool on = session_.visible("vehicles");
    const std::string label = "vehicles (" + std::to_string(session_.vehicles_shown()) + " of " +
                              std::to_string(run->vehicles->vehicles()) + " on the road)";
    if (ImGui::Checkbox(label.c_str(), &on)) session_.set_visible("vehicles", on);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("coloured by speed: red 0 to green %.0f km/h", run->vehicles->max_speed_mps() * 3.6);
  }
  if (!run->results.sensors.empty()) draw_sensors_entry();
  ImGui::Separator();
  const std::string current = session_.layer().empty() ? "(plain colours)" : session_.layer();
  if (ImGui::BeginCombo("Colour by", current.c_str())) {
    if (ImGui::Selectable("(plain colours)", session_.layer().empty())) session_.set_layer("");
    for (const auto& l : session_.layers())
      if (ImGui::Selectable(l.c_str(), l == session_.layer())) session_.set_layer(l);
    ImGui::EndCombo();
  }
  const std::string map = session_.color_map().empty() ? "(by layer)" : session_.color_map();
  if (ImGui::BeginCombo("Scale", map.c_str())) {
    if (ImGui::Selectable("(by layer)", session_.color_map().empty())) session_.set_color_map("");
    for (const auto& m : render::ColorMap::names())
      if (ImGui::Selectable(m.c_str(), m == session_.color_map())) session_.set_color_map(m);
    ImGui::EndCombo();
  }
  const auto& lg = session_.legend();
  if (!session_.layer().empty() && !lg.categorical) {
    float lo = static_cast<float>(lg.min), hi = static_cast<float>(lg.max);
    if (ImGui::DragFloatRange2("Range", &lo, &hi, static_cast<float>(std::max(1e-6, (lg.max - lg.min) / 200)),
                               0, 0, "%.4g", "%.4g"))
      session_.set_range(lo, hi);
    ImGui::SameLine();
    if (ImGui::SmallButton("auto")) session_.set_range(std::nullopt, std::nullopt);
    ImGui::TextWrapped("%s", lg.title.c_str());
    if (const Layer* l = run->results.find_layer(session_.layer()); l && !l->description.empty())
      ImGui::TextWrapped("%s", l->description.c_str());
  }
  ImGui::Separator();
  int mode = static_cast<int>(session_.view());
  const char* modes[] = {"A (baseline)", "B (what-if)", "B - A difference", "A | B side by side"};
  if (ImGui::Combo("View", &mode, modes, 4)) session_.set_view(static_cast<ViewMode>(mode));
  if (ImGui::Button("Home (space)")) home();
  ImGui::SameLine();
  if (ImGui::Button("Screenshot (F12)")) take_screenshot(screenshot_path_);
  ImGui::InputText("##shot", screenshot_path_, sizeof screenshot_path_);
  ImGui::End();
}

/// The sensors in the Layers panel: show/hide, what the pins are coloured by with its legend, and the list
/// (city-wide sensors, which have no pin, are picked from it).
void App::draw_sensors_entry() {
  const Run* run = session_.primary_run();
  const auto& sensors = run->results.sensors;
  const size_t pins = run->sensors ? run->sensors->size() : 0;
  bool on = session_.visible("sensors");
  const std::string label =
      "sensors (" + std::to_string(pins) + " pins" +
      (sensors.size() > pins ? ", " + std::to_string(sensors.size() - pins) + " city-wide" : "") + ")";
  if (ImGui::Checkbox(label.c_str(), &on)) session_.set_visible("sensors", on);
  ImGui::Indent();
  int by = session_.sensor_coloring() == SensorColoring::fit ? 1 : 0;
  const char* choices[] = {"quantity", "fit (NSE)"};
  ImGui::SetNextItemWidth(120);
  if (ImGui::Combo("pin colour", &by, choices, 2))
    session_.set_sensor_coloring(by == 1 ? SensorColoring::fit : SensorColoring::quantity);
  // Closed at first, so that the colouring below stays in view.
  if (!ImGui::TreeNode("legend and list")) return ImGui::Unindent();
  auto swatch = [](const render::Rgb& c, const std::string& text) {
    ImGui::ColorButton(("##" + text).c_str(), ImVec4(c.r, c.g, c.b, 1),
                       ImGuiColorEditFlags_NoTooltip | ImGuiColorEditFlags_NoPicker, ImVec2(10, 10));
    ImGui::SameLine();
    ImGui::TextUnformatted(text.c_str());
  };
  if (by == 1) {
    for (const auto& c : render::fit_classes()) swatch(c.color, c.label);
  } else {
    std::vector<std::string> seen;
    for (const auto& t : sensors)
      if (!t.element.empty() && std::find(seen.begin(), seen.end(), t.quantity) == seen.end())
        seen.push_back(t.quantity);
    for (const auto& q : seen) swatch(render::quantity_color(q), q);
  }
  ImGui::Separator();
  const auto selected = session_.selected_sensor();
  for (size_t i = 0; i < sensors.size(); ++i) {
    const std::string row = sensors[i].id + "  " + sensors[i].quantity +
                            (sensors[i].element.empty() ? "  (city-wide, no pin)" : "");
    if (ImGui::Selectable(row.c_str(), selected == i)) session_.select_sensor(sensors[i].id);
  }
  ImGui::TreePop();
  ImGui::Unindent();
}

void App::draw_timeline_panel() {
  if (!session_.a()) return;
  const float x0 = 250, w = std::max(300.0f, static_cast<float>(width_) - x0 - 340);
  ImGui::SetNextWindowPos(ImVec2(x0, static_cast<float>(height_) - 92), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(w, 82), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Timeline")) return ImGui::End();
  if (ImGui::Button(playing_ ? "Pause (p)" : "Play (p)")) {
    if (!playing_ && session_.time() >= session_.duration()) session_.set_time(0);
    playing_ = !playing_;
  }
  ImGui::SameLine();
  if (ImGui::ArrowButton("##back", ImGuiDir_Left)) session_.set_time(session_.time() - session_.step());
  ImGui::SameLine();
  if (ImGui::ArrowButton("##fwd", ImGuiDir_Right)) session_.set_time(session_.time() + session_.step());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(140);
  float speed = static_cast<float>(speed_ / 60);
  if (ImGui::SliderFloat("min/s", &speed, 0.5f, 240, "%.1f", ImGuiSliderFlags_Logarithmic))
    speed_ = speed * 60.0;
  ImGui::SameLine();
  ImGui::TextUnformatted(session_.time_text(session_.time()).c_str());
  float t_h = static_cast<float>(session_.time() / 3600);
  ImGui::SetNextItemWidth(-1);
  if (ImGui::SliderFloat("##time", &t_h, 0, static_cast<float>(session_.duration() / 3600), "%.2f h"))
    session_.set_time(t_h * 3600.0);
  ImGui::End();
}

void App::draw_selection_panel() {
  const auto& sel = session_.selection();
  if (!sel && !session_.b()) return;
  const float w = 330;
  ImGui::SetNextWindowPos(ImVec2(static_cast<float>(width_) - w - 8, 70), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(w, 300), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Selection")) return ImGui::End();
  if (!sel) {
    ImGui::TextWrapped("Click an element to see its attributes and time series.");
  } else {
    ImGui::Text("%s  %s", sel->set.c_str(), sel->id.c_str());
    if (ImGui::BeginTable("attributes", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
      for (const auto& [k, v] : sel->attributes) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(k.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(v.c_str());
      }
      ImGui::EndTable();
    }
    for (const auto& t : sel->traces) {
      if (t.values.empty()) continue;
      Layer probe;
      probe.times_s = t.times_s;
      const size_t k = probe.time_index(session_.time());
      ImGui::Text("%s: %.4g %s", t.layer.c_str(), t.values[k], t.unit.c_str());
      plot_series(t.layer, t.times_s, t.values.data(), t.values.size(), session_.time());
    }
  }
  ImGui::End();
}

void App::draw_whatif_panel() {
  if (!session_.a()) return;
  const float w = 330;
  ImGui::SetNextWindowPos(ImVec2(static_cast<float>(width_) - w - 8, 380), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(w, 240), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("What-if")) return ImGui::End();
  const auto models = session_.models();
  if (ImGui::BeginCombo("model", draft_buf_[0][0] ? draft_buf_[0] : "(choose)")) {
    for (const auto& m : models)
      if (ImGui::Selectable(m.c_str())) std::snprintf(draft_buf_[0], sizeof draft_buf_[0], "%s", m.c_str());
    ImGui::EndCombo();
  }
  ImGui::InputText("action", draft_buf_[1], sizeof draft_buf_[1]);
  ImGui::InputText("target", draft_buf_[2], sizeof draft_buf_[2]);
  if (const auto& sel = session_.selection()) {
    // Fill the target from the picked element: its ID or one of its text attributes.
    if (ImGui::SmallButton(("id " + sel->id).c_str()))
      std::snprintf(draft_buf_[2], sizeof draft_buf_[2], "%s", sel->id.c_str());
    for (const auto& [k, v] : sel->attributes) {
      if (v.empty() || std::isdigit(static_cast<unsigned char>(v[0]))) continue;
      ImGui::SameLine();
      if (ImGui::SmallButton((k + " " + v).c_str()))
        std::snprintf(draft_buf_[2], sizeof draft_buf_[2], "%s", v.c_str());
    }
  }
  ImGui::InputText("params", draft_buf_[3], sizeof draft_buf_[3]);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("further keys as TOML, e.g. factor = 0.5");
  if (!draft_buf_[4][0]) std::snprintf(draft_buf_[4], sizeof draft_buf_[4], "+0h");
  ImGui::SetNextItemWidth(90);
  ImGui::InputText("at", draft_buf_[4], sizeof draft_buf_[4]);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90);
  ImGui::InputText("until", draft_buf_[5], sizeof draft_buf_[5]);
  if (ImGui::Button("Add intervention")) {
    session_.drafts().push_back(
        {draft_buf_[4], draft_buf_[5], draft_buf_[0], draft_buf_[1], draft_buf_[2], draft_buf_[3]});
  }
  auto& drafts = session_.drafts();
  for (size_t i = 0; i < drafts.size(); ++i) {
    ImGui::PushID(static_cast<int>(i));
    if (ImGui::SmallButton("x")) {
      drafts.erase(drafts.begin() + static_cast<long>(i));
      ImGui::PopID();
      break;
    }
    ImGui::SameLine();
    ImGui::Text("%s %s.%s %s %s", drafts[i].at.c_str(), drafts[i].model.c_str(), drafts[i].action.c_str(),
                drafts[i].target.c_str(), drafts[i].params.c_str());
    ImGui::PopID();
  }
  if (session_.busy()) {
    ImGui::ProgressBar(static_cast<float>(session_.job_progress()), ImVec2(-1, 0));
    ImGui::TextWrapped("%s", session_.job_status().c_str());
  } else if (ImGui::Button("Run as B")) {
    session_.run_whatif();
  }
  if (!session_.whatif_text().empty()) {
    ImGui::InputText("##save", save_path_, sizeof save_path_);
    ImGui::SameLine();
    if (ImGui::Button("Save scenario")) session_.save_whatif(save_path_);
  }
  ImGui::End();
}

/// A small chart of a time series with the current time as a red line.
void plot_series(const std::string& label, const std::vector<double>& times_s, const float* values, size_t n,
                 double now_s) {
  if (n == 0) return;
  float lo = values[0], hi = values[0];
  for (size_t i = 0; i < n; ++i)
    if (std::isfinite(values[i])) lo = std::min(lo, values[i]), hi = std::max(hi, values[i]);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const ImVec2 size(ImGui::GetContentRegionAvail().x, 60);
  ImGui::PlotLines(("##" + label).c_str(), values, static_cast<int>(n), 0, nullptr, lo, hi > lo ? hi : lo + 1,
                   size);
  const double span = times_s.back() - times_s.front();
  if (span > 0) {
    const float x = pos.x + static_cast<float>((now_s - times_s.front()) / span) * size.x;
    ImGui::GetWindowDrawList()->AddLine(ImVec2(x, pos.y), ImVec2(x, pos.y + size.y),
                                        IM_COL32(255, 80, 80, 255), 2);
  }
}

void App::draw_kpi_panel() {
  if (!session_.a()) return;
  ImGui::SetNextWindowPos(ImVec2(8, 440), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(420, 180), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin(session_.b() ? "KPIs and series, A vs B" : "KPIs and series")) return ImGui::End();
  const bool with_b = session_.b() != nullptr;
  if (ImGui::BeginTable("kpis", with_b ? 4 : 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("KPI", ImGuiTableColumnFlags_WidthStretch, 3.0f);
    ImGui::TableSetupColumn("A", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    if (with_b)
      ImGui::TableSetupColumn("B", ImGuiTableColumnFlags_WidthStretch, 1.0f),
          ImGui::TableSetupColumn("change", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableHeadersRow();
    for (const auto& k : session_.kpis()) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%s [%s]", k.name.c_str(), k.unit.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%.5g", k.a);
      if (!with_b) continue;
      ImGui::TableNextColumn();
      ImGui::Text("%.5g", k.b);
      ImGui::TableNextColumn();
      if (k.a != 0 && std::isfinite(k.a) && std::isfinite(k.b))
        ImGui::Text("%+.1f%%", 100 * (k.b - k.a) / std::abs(k.a));
      else
        ImGui::Text("%+.4g", k.b - k.a);
    }
    ImGui::EndTable();
  }
  for (const Run* run : {session_.a(), session_.b()}) {
    if (!run) continue;
    for (const auto& series : run->results.series) {
      if (series.values.empty()) continue;
      const std::vector<float> values(series.values.begin(), series.values.end());
      ImGui::Text("%s%s [%s]", series.name.c_str(), run == session_.b() ? " (B)" : "", series.unit.c_str());
      plot_series(series.name + (run == session_.b() ? "B" : "A"), series.times_s, values.data(),
                  values.size(), session_.time());
    }
  }
  ImGui::End();
}

void App::draw_messages() {
  const auto& messages = session_.messages();
  if (messages.empty() && !session_.busy()) return;
  ImGui::SetNextWindowPos(ImVec2(316, 70), ImGuiCond_Always);
  ImGui::SetNextWindowBgAlpha(0.8f);
  ImGui::Begin("##messages", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
  if (session_.busy()) {
    ImGui::TextUnformatted("running in the background:");
    ImGui::ProgressBar(static_cast<float>(session_.job_progress()), ImVec2(300, 0));
  }
  // The last three messages; errors in red.
  for (size_t i = messages.size() > 3 ? messages.size() - 3 : 0; i < messages.size(); ++i) {
    if (messages[i].error)
      ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", messages[i].text.c_str());
    else
      ImGui::TextUnformatted(messages[i].text.c_str());
  }
  ImGui::End();
}

int App::run(std::vector<ScriptCommand> script) {
  script_ = std::move(script);
  setup_window();
  if (!options_.input.empty()) session_.open(options_.input);
  if (!options_.script.empty()) {
    // Headless: each command acts between frames; frames are drawn while runs proceed in the background.
    for (;;) {
      bool more = true;
      while (more && !needs_frame()) more = run_command();
      if (!more && !needs_frame()) break;
      frame();
      if (frames_to_draw_ > 0) --frames_to_draw_;
      if (waiting_ && !session_.busy()) waiting_ = false;
      if (waiting_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    frame();
  } else {
    // Frames on demand: input, playback, a background run or a camera animation; otherwise the window
    // idles (software rendering would keep a core busy for nothing).
    auto last = std::chrono::steady_clock::now();
    while (!viewer_.done()) {
      const bool events = viewer_.checkNeedToDoFrame();
      const auto now = std::chrono::steady_clock::now();
      if (!events && !playing_ && !session_.busy() && redraw_frames_ == 0 &&
          now - last < std::chrono::milliseconds(500)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(8));
        continue;
      }
      last = now;
      if (redraw_frames_ > 0) --redraw_frames_;
      frame();
    }
  }
  if (auto* gc = viewer_.getCamera()->getGraphicsContext(); gc && gc->makeCurrent()) {
    overlay_.shutdown();
    gc->releaseContext();
  }
  return failures_ == 0 ? 0 : 1;
}

}  // namespace

int run_viewer(const ViewerOptions& options) {
  render::keep_freed_memory();
  std::vector<ScriptCommand> script;
  if (!options.script.empty()) script = load_script(options.script);
  App app(options);
  return app.run(std::move(script));
}

}  // namespace citytwin::viewer
