// citytwin: the command-line interface.
#include <iostream>

#include "engine/core/atomic_write.hpp"
#include "engine/core/error.hpp"
#include "tools/citytwin/commands.hpp"

int main(int argc, char** argv) {
  // Before any thread starts: Ctrl-C and SIGTERM remove this run's temporary outputs.
  citytwin::install_signal_cleanup();
  CLI::App app{"citytwin: a digital twin of a city (traffic, energy, water on one clock)"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show every subcommand's help");
  citytwin::cli::add_info(app);
  citytwin::cli::add_run(app);
  citytwin::cli::add_batch(app);
  citytwin::cli::add_sweep(app);
  citytwin::cli::add_feed(app);
  citytwin::cli::add_calibrate(app);
  citytwin::cli::add_render(app);
#ifdef CITYTWIN_HAS_WATER
  citytwin::cli::add_water(app);
#endif
#ifdef CITYTWIN_HAS_ENERGY
  citytwin::cli::add_grid(app);
#endif
#ifdef CITYTWIN_HAS_TRAFFIC
  citytwin::cli::add_traffic(app);
#endif
#if defined(CITYTWIN_HAS_VIEWER) || !defined(CITYTWIN_HAS_RENDER)  // without the renderer: says so
  citytwin::cli::add_view(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const citytwin::InputError& e) {
    std::string msg = e.what();
    std::cerr << "citytwin: " << msg << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "citytwin: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
