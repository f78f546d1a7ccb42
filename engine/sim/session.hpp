#pragma once
/// A Session: one loaded City (immutable) and the models' prepared static data, on which any number of
/// scenarios run, one after another or at once on several threads. It is what the CLI, a sweep, the
/// Python module and the tests hold (EPANET's project handle, for a whole twin).
#include <memory>
#include <string>

#include "engine/city/city.hpp"
#include "engine/data/results.hpp"
#include "engine/sim/prepared_cache.hpp"
#include "engine/sim/registry.hpp"
#include "engine/sim/scenario.hpp"
#include "engine/sim/simulation.hpp"

namespace citytwin {

class Session {
 public:
  /// A Session on a City already loaded (from source, when known: scenarios of another city are refused).
  Session(City city, ModelRegistry registry, CitySource source = {});
  /// Loads the City of a source (InputError on a bad source).
  static Session open(const CitySource& source, ModelRegistry registry);

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Session(Session&&) = default;

  const City& city() const { return *city_; }
  const ModelRegistry& registry() const { return registry_; }

  /// Runs one scenario on the Session's City and returns its results. Thread-safe: several runs may go
  /// on at once and each gives exactly what it gives alone. Static data is prepared on the first run that
  /// needs it and shared with every later one. options.prepared is ignored (the Session's cache is used).
  /// Throws InputError for a scenario of another city, bad parameters or interventions, before any step.
  Results run(const Scenario& scenario, RunOptions options = {}) const;

  /// Checks a scenario's model parameters without running it (InputError listing every problem).
  void check(const Scenario& scenario) const;

  /// How many times the model's static data was prepared on this Session.
  size_t prepare_count(const std::string& model) const { return cache_->prepare_count(model); }

 private:
  std::unique_ptr<const City> city_;
  CitySource source_;
  ModelRegistry registry_;
  std::unique_ptr<PreparedCache> cache_;
};

/// Whether a scenario's city is the one a Session was opened on (same file and import options).
bool same_city(const CitySource& a, const CitySource& b);

}  // namespace citytwin
