#pragma once
/// Dear ImGui on an OpenSceneGraph window. OSG 3.6 has no ImGui integration: an event handler feeds osgGA
/// events to ImGui, and render() (called from the main camera's final-draw callback, with the GL context
/// current) runs one ImGui frame with Debian's opengl2 backend on top of the 3D picture.
#include <functional>
#include <osgGA/GUIEventHandler>

namespace citytwin::viewer {

class ImGuiOverlay {
 public:
  /// ui draws the panels (ImGui calls); it runs inside render().
  explicit ImGuiOverlay(std::function<void()> ui);
  ~ImGuiOverlay();
  ImGuiOverlay(const ImGuiOverlay&) = delete;
  ImGuiOverlay& operator=(const ImGuiOverlay&) = delete;

  /// The handler to add to the viewer: it marks the events ImGui uses as handled (the camera manipulator
  /// and the picker ignore handled events).
  osgGA::GUIEventHandler* handler() const;
  /// One ImGui frame over the current framebuffer of width x height pixels. Draw thread only.
  void render(osg::RenderInfo& info, int width, int height);
  /// Releases the GL objects; call with the context current, before the window closes.
  void shutdown();
  bool enabled() const { return enabled_; }
  /// Whether the mouse was over a panel in the last frame drawn (ImGui's state after that frame's input):
  /// a click there belongs to the panel, even when it came in the same frame as the move onto it.
  bool mouse_over_panels() const { return mouse_over_panels_; }
  /// Panels off: render() draws nothing (clean screenshots of the 3D view).
  void set_enabled(bool on) { enabled_ = on; }

 private:
  class Handler;
  osg::ref_ptr<Handler> handler_;
  std::function<void()> ui_;
  bool initialised_ = false;
  bool enabled_ = true;
  bool mouse_over_panels_ = false;
  double last_time_ = -1;
};

}  // namespace citytwin::viewer
