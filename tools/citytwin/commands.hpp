#pragma once
/// Subcommands of the `citytwin` CLI. Each add_* registers one subcommand (with --help) whose callback
/// does the work; bad input is reported by throwing citytwin::InputError (main prints it, exits 2).
#include <CLI/CLI.hpp>

namespace citytwin::cli {

void add_info(CLI::App& app);
void add_run(CLI::App& app);
void add_batch(CLI::App& app);      ///< `citytwin batch`: several scenarios on one Session
void add_sweep(CLI::App& app);      ///< `citytwin sweep`: a design over scenario keys on one Session
void add_calibrate(CLI::App& app);  ///< `citytwin calibrate`
void add_feed(CLI::App& app);       ///< `citytwin feed check`
void add_render(CLI::App& app);
void add_water(CLI::App& app);    ///< `citytwin water ...` (models/water)
void add_grid(CLI::App& app);     ///< `citytwin grid ...` (models/energy)
void add_traffic(CLI::App& app);  ///< `citytwin traffic ...` (models/traffic)
void add_view(CLI::App& app);     ///< `citytwin view` (tools/viewer)

}  // namespace citytwin::cli
