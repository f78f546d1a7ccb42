// `citytwin render` and `citytwin view` in a build without the renderer (CITYTWIN_RENDER=OFF).
#include "engine/core/error.hpp"
#include "tools/citytwin/commands.hpp"

namespace citytwin::cli {

namespace {

/// A subcommand that takes any arguments and fails with one line saying what this build lacks.
void add_missing(CLI::App& app, const std::string& name, const std::string& what) {
  auto* cmd = app.add_subcommand(name, "Not in this build: " + what + " (configured with CITYTWIN_RENDER=OFF)");
  cmd->allow_extras();
  cmd->callback([name, what] {
    throw InputError(name + ": this build has no " + what + " (configured with CITYTWIN_RENDER=OFF)");
  });
}

}  // namespace

void add_render(CLI::App& app) { add_missing(app, "render", "renderer"); }
void add_view(CLI::App& app) { add_missing(app, "view", "viewer"); }

}  // namespace citytwin::cli
