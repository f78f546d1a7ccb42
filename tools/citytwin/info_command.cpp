#include <iostream>

#include "engine/city/import.hpp"
#include "engine/city/summary.hpp"
#include "tools/citytwin/commands.hpp"

namespace citytwin::cli {

void add_info(CLI::App& app) {
  struct Options {
    CitySource source;
    bool json = false;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("info", "Import a city (OSM, GeoPackage, GeoJSON, Shapefile) and print its counts");
  cmd->add_option("CITY", opt->source.path, "City file")->required();
  cmd->add_option("--crs", opt->source.crs, "Target metric CRS (default: the UTM zone of the data)");
  cmd->add_option("--buildings-layer", opt->source.buildings_layer, "Layer holding the buildings");
  cmd->add_option("--roads-layer", opt->source.roads_layer, "Layer holding the roads");
  cmd->add_flag("--json", opt->json, "Print JSON instead of text");
  cmd->callback([opt] {
    City city = load_city(opt->source);
    if (opt->json) std::cout << city_summary_json(city).dump(2) << "\n";
    else std::cout << city_summary_text(city);
  });
}

}  // namespace citytwin::cli
