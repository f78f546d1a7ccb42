#include <cstdio>

#include "engine/core/time.hpp"
#include "engine/render/offscreen.hpp"
#include "tools/citytwin/commands.hpp"
#include "tools/citytwin/scenario_runner.hpp"

namespace citytwin::cli {

void add_render(CLI::App& app) {
  struct Options {
    std::string input, at = "12:00", layer, out, color_map;
    int width = 1280, height = 720;
    std::optional<double> min, max;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "render", "Draw the city in 3D coloured by a layer at a time, to a PNG (needs an X display: use xvfb-run)");
  cmd->add_option("INPUT", opt->input, "Scenario file (run first, in memory) or results directory")->required();
  cmd->add_option("-l,--layer", opt->layer,
                  "Layer to colour by: a result layer (occupancy.people) or <set>.<attribute> (buildings.use)")
      ->required();
  cmd->add_option("--at", opt->at, "Time: HH:MM on the first day, +2h from the start, or a full date-time")
      ->capture_default_str();
  cmd->add_option("-o,--output", opt->out, "PNG file to write")->required();
  cmd->add_option("--width", opt->width, "Picture width in pixels")->check(CLI::Range(64, 8192))->capture_default_str();
  cmd->add_option("--height", opt->height, "Picture height in pixels")->check(CLI::Range(64, 8192))->capture_default_str();
  cmd->add_option("--colormap", opt->color_map, "viridis, traffic, diverging or heat (default: by layer)");
  cmd->add_option("--min", opt->min, "Value at the bottom of the colour scale (default: the layer's minimum)");
  cmd->add_option("--max", opt->max, "Value at the top of the colour scale (default: the layer's maximum)");
  cmd->callback([opt] {
    Log log;
    Results results = results_from(opt->input, log);
    const auto& info = results.info;
    const TimeZone zone = TimeZone::find_or_utc(info.timezone);
    auto t = resolve_time_s(opt->at, info.start_unix_s, zone);
    if (!t || *t < 0 || *t > info.duration_s + 1e-6)
      throw InputError({"", 0, "--at " + opt->at},
                       "not a time within the run (" + format_clock(info.start_unix_s, zone) + " to " +
                           format_clock(info.start_unix_s + static_cast<std::int64_t>(info.duration_s), zone) + ")");
    const std::string clock = format_clock(info.start_unix_s + static_cast<std::int64_t>(*t), zone);
    render::CityScene scene(results);
    render::Coloring coloring{opt->layer, *t, opt->color_map, opt->min, opt->max};
    render::LegendInfo legend = scene.color(coloring);
    // Networks along the streets (pipes, cables) would hide each other: the picture shows the buildings,
    // the roads and the set of the chosen layer.
    const Layer* layer = results.find_layer(opt->layer);
    const std::string shown = layer ? layer->set : opt->layer.substr(0, opt->layer.rfind('.'));
    for (const auto& b : scene.sets())
      if (b.set->name != "buildings" && b.set->name != "roads" && b.set->name != shown)
        scene.set_visible(b.set->name, false);
    render::HudText text{results.info.scenario_name + "  -  " + opt->layer, clock};
    auto image = render::render_image(scene, legend, text, {opt->width, opt->height});
    render::write_png(*image, opt->out);
    std::printf("wrote %s (%dx%d, %s at %s)\n", opt->out.c_str(), opt->width, opt->height, opt->layer.c_str(),
                clock.c_str());
  });
}

}  // namespace citytwin::cli
