#include <filesystem>

#include "engine/core/error.hpp"
#include "tools/citytwin/commands.hpp"
#include "tools/viewer/viewer_app.hpp"

namespace citytwin::cli {

void add_view(CLI::App& app) {
  auto opt = std::make_shared<viewer::ViewerOptions>();
  auto* cmd = app.add_subcommand(
      "view", "The desktop viewer: the city in 3D, layers, timeline, picking, what-if runs and comparison");
  cmd->add_option("INPUT", opt->input, "Scenario file (run in the background) or results directory");
  cmd->add_option("--script", opt->script,
                  "Run a scripted session without a person (commands: see tools/viewer/README.md) and exit; "
                  "exit status 1 when a check in it fails");
  cmd->add_option("--width", opt->width, "Window width in pixels")
      ->check(CLI::Range(320, 8192))
      ->capture_default_str();
  cmd->add_option("--height", opt->height, "Window height in pixels")
      ->check(CLI::Range(240, 8192))
      ->capture_default_str();
  cmd->callback([opt] {
    std::error_code ec;
    // Background runs are `citytwin run`, by this very executable.
    opt->citytwin_exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    if (ec) throw std::runtime_error("cannot find the citytwin executable: " + ec.message());
    int status = 0;
    try {
      status = viewer::run_viewer(*opt);
    } catch (const std::runtime_error& e) {
      if (dynamic_cast<const InputError*>(&e)) throw;
      throw InputError(std::string("view: ") + e.what());
    }
    if (status != 0) std::exit(status);
  });
}

}  // namespace citytwin::cli
