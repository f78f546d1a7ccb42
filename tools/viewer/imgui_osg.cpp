#include "tools/viewer/imgui_osg.hpp"

#include <backends/imgui_impl_opengl2.h>
#include <imgui.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <osg/GLExtensions>
#include <osg/State>
#include <osg/Timer>

namespace citytwin::viewer {

class ImGuiOverlay::Handler : public osgGA::GUIEventHandler {
 public:
  /// Releases that come in the same frame as their press are held back one frame, or ImGui (1.86, which
  /// samples button states per frame) would never see the click.
  void begin_frame() {
    ImGuiIO& io = ImGui::GetIO();
    for (int i = 0; i < 3; ++i) {
      if (release_pending_[i]) io.MouseDown[i] = false;
      release_pending_[i] = false;
      pressed_this_frame_[i] = false;
    }
  }

  bool handle(const osgGA::GUIEventAdapter& ea, osgGA::GUIActionAdapter&) override {
    if (!ImGui::GetCurrentContext()) return false;
    ImGuiIO& io = ImGui::GetIO();
    using E = osgGA::GUIEventAdapter;
    auto set_mouse = [&] {
      // Window pixels from the top-left, whatever the event queue's y orientation.
      const float w = ea.getWindowWidth(), h = ea.getWindowHeight();
      io.MousePos = ImVec2((ea.getXnormalized() + 1) * 0.5f * w, (1 - ea.getYnormalized()) * 0.5f * h);
    };
    auto button = [&]() -> int {
      switch (ea.getButton()) {
        case E::LEFT_MOUSE_BUTTON:
          return 0;
        case E::RIGHT_MOUSE_BUTTON:
          return 1;
        case E::MIDDLE_MOUSE_BUTTON:
          return 2;
        default:
          return -1;
      }
    };
    const bool mod_ctrl = ea.getModKeyMask() & E::MODKEY_CTRL,
               mod_shift = ea.getModKeyMask() & E::MODKEY_SHIFT;
    switch (ea.getEventType()) {
      case E::MOVE:
      case E::DRAG:
        set_mouse();
        return io.WantCaptureMouse;
      case E::PUSH: {
        set_mouse();
        if (int b = button(); b >= 0) {
          io.MouseDown[b] = true;
          pressed_this_frame_[b] = true;
          release_pending_[b] = false;
        }
        return io.WantCaptureMouse;
      }
      case E::RELEASE: {
        set_mouse();
        if (int b = button(); b >= 0) {
          if (pressed_this_frame_[b])
            release_pending_[b] = true;
          else
            io.MouseDown[b] = false;
        }
        return io.WantCaptureMouse;
      }
      case E::SCROLL:
        if (ea.getScrollingMotion() == E::SCROLL_UP) io.MouseWheel += 1;
        if (ea.getScrollingMotion() == E::SCROLL_DOWN) io.MouseWheel -= 1;
        return io.WantCaptureMouse;
      case E::KEYDOWN:
      case E::KEYUP: {
        const bool down = ea.getEventType() == E::KEYDOWN;
        io.KeyCtrl = mod_ctrl;
        io.KeyShift = mod_shift;
        const int key = ea.getKey();
        bool mapped = false;
        for (const auto& [osg_key, imgui_key] : kKeys)
          if (key == osg_key) io.KeysDown[imgui_key] = down, mapped = true;
        if (down && !mapped && key >= 32 && key < 0xFF00) io.AddInputCharacter(static_cast<unsigned>(key));
        return io.WantCaptureKeyboard;
      }
      default:
        return false;
    }
  }

  static constexpr std::array<std::pair<int, int>, 16> kKeys{{
      {osgGA::GUIEventAdapter::KEY_Tab, ImGuiKey_Tab},
      {osgGA::GUIEventAdapter::KEY_Left, ImGuiKey_LeftArrow},
      {osgGA::GUIEventAdapter::KEY_Right, ImGuiKey_RightArrow},
      {osgGA::GUIEventAdapter::KEY_Up, ImGuiKey_UpArrow},
      {osgGA::GUIEventAdapter::KEY_Down, ImGuiKey_DownArrow},
      {osgGA::GUIEventAdapter::KEY_Page_Up, ImGuiKey_PageUp},
      {osgGA::GUIEventAdapter::KEY_Page_Down, ImGuiKey_PageDown},
      {osgGA::GUIEventAdapter::KEY_Home, ImGuiKey_Home},
      {osgGA::GUIEventAdapter::KEY_End, ImGuiKey_End},
      {osgGA::GUIEventAdapter::KEY_Insert, ImGuiKey_Insert},
      {osgGA::GUIEventAdapter::KEY_Delete, ImGuiKey_Delete},
      {osgGA::GUIEventAdapter::KEY_BackSpace, ImGuiKey_Backspace},
      {osgGA::GUIEventAdapter::KEY_Return, ImGuiKey_Enter},
      {osgGA::GUIEventAdapter::KEY_KP_Enter, ImGuiKey_KeyPadEnter},
      {osgGA::GUIEventAdapter::KEY_Escape, ImGuiKey_Escape},
      {' ', ImGuiKey_Space},
  }};

 private:
  std::array<bool, 3> pressed_this_frame_{}, release_pending_{};
};

ImGuiOverlay::ImGuiOverlay(std::function<void()> ui) : handler_(new Handler), ui_(std::move(ui)) {
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no imgui.ini written into the working folder
  for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = k;
  ImGui::StyleColorsDark();
  ImGui::GetStyle().WindowRounding = 3;
  ImGui::GetStyle().Alpha = 0.95f;
}

osgGA::GUIEventHandler* ImGuiOverlay::handler() const { return handler_.get(); }

ImGuiOverlay::~ImGuiOverlay() { ImGui::DestroyContext(); }

void ImGuiOverlay::shutdown() {
  if (initialised_) ImGui_ImplOpenGL2_Shutdown();
  initialised_ = false;
}

void ImGuiOverlay::render(osg::RenderInfo& info, int width, int height) {
  if (!initialised_) {
    ImGui_ImplOpenGL2_Init();
    initialised_ = true;
  }
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
  const double now = osg::Timer::instance()->time_s();
  io.DeltaTime = last_time_ < 0 ? 1.0f / 60 : static_cast<float>(std::max(now - last_time_, 1e-4));
  last_time_ = now;
  ImGui_ImplOpenGL2_NewFrame();
  ImGui::NewFrame();
  if (enabled_) ui_();
  mouse_over_panels_ = enabled_ && io.WantCaptureMouse;
  ImGui::Render();
  handler_->begin_frame();

  // The opengl2 backend draws from client-side arrays with the fixed pipeline: leave OSG's buffers and
  // shader program unbound, and tell OSG afterwards that the GL state is no longer what it last applied.
  osg::State& state = *info.getState();
  state.disableAllVertexArrays();
  state.unbindVertexBufferObject();
  state.unbindElementBufferObject();
  state.setCurrentToGlobalVertexArrayState();
  state.bindVertexArrayObject(GLuint(0));
  if (const auto* ext = state.get<osg::GLExtensions>()) {
    if (ext->isGlslSupported) ext->glUseProgram(0);
    ext->glBindBuffer(GL_ARRAY_BUFFER_ARB, 0);
    ext->glBindBuffer(GL_ELEMENT_ARRAY_BUFFER_ARB, 0);
    ext->glActiveTexture(GL_TEXTURE0);
    ext->glClientActiveTexture(GL_TEXTURE0);
  }
  state.setLastAppliedProgramObject(nullptr);
  ImGui_ImplOpenGL2_RenderDrawData(ImGui::GetDrawData());
  state.dirtyAllVertexArrays();
  state.dirtyAllModes();
  state.dirtyAllAttributes();
}

}  // namespace citytwin::viewer
