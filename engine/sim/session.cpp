#include "engine/sim/session.hpp"

#include <filesystem>

#include "engine/city/import.hpp"

namespace citytwin {

Session::Session(City city, ModelRegistry registry, CitySource source)
    : city_(std::make_unique<const City>(std::move(city))),
      source_(std::move(source)),
      registry_(std::move(registry)),
      cache_(std::make_unique<PreparedCache>()) {}

Session Session::open(const CitySource& source, ModelRegistry registry) {
  return Session(load_city(source), std::move(registry), source);
}

bool same_city(const CitySource& a, const CitySource& b) {
  std::error_code ec;
  const bool same_file = a.path == b.path || std::filesystem::equivalent(a.path, b.path, ec);
  return same_file && a.crs == b.crs && a.buildings_layer == b.buildings_layer && a.roads_layer == b.roads_layer;
}

void Session::check(const Scenario& scenario) const { registry_.create(scenario); }

Results Session::run(const Scenario& scenario, RunOptions options) const {
  if (!source_.path.empty() && !same_city(scenario.city, source_))
    throw InputError(SourceLocation{scenario.file, 0, "city"},
                     "the scenario's city " + scenario.city.path + " is not this session's (" + source_.path + ")");
  options.prepared = cache_.get();
  return run_simulation(scenario, *city_, registry_, options);
}

}  // namespace citytwin
