#pragma once
/// The desktop viewer: `citytwin view [SCENARIO|RESULTS_DIR]`, interactive or driven by a script.
#include <string>

namespace citytwin::viewer {

struct ViewerOptions {
  std::string input;         ///< scenario file or results directory to open (may be empty)
  std::string script;        ///< a script file (script.hpp): run it without a person and exit
  std::string citytwin_exe;  ///< the `citytwin` executable that runs scenarios in the background
  int width = 1280, height = 720;
};

/// Opens the window and runs until it is closed or the script ends. Returns the exit status: 0, or 1 when
/// a script check failed. Throws InputError for a script that cannot be read or parsed, and
/// std::runtime_error when no window can be made (no X display).
int run_viewer(const ViewerOptions& options);

}  // namespace citytwin::viewer
