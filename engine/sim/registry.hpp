#pragma once
/// Models are registered by name, explicitly, from main (no static self-registration):
///   ModelRegistry registry; register_occupancy_model(registry); ...
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/sim/model.hpp"
#include "engine/sim/params.hpp"

namespace citytwin {

class ModelRegistry {
 public:
  /// A factory reads its parameters (errors go into the Params' error list) and returns the model.
  using Factory = std::function<std::unique_ptr<Model>(Params& params)>;

  void add(const std::string& name, const std::string& description, Factory factory);
  bool has(const std::string& name) const { return entries_.count(name) > 0; }
  std::vector<std::string> names() const;

  /// Creates every model the scenario enables, in name order. Throws InputError listing every parameter
  /// problem ("file:line: models.water.x: ...") and unknown model names.
  std::vector<std::unique_ptr<Model>> create(const Scenario& scenario) const;

 private:
  struct Entry {
    std::string description;
    Factory factory;
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace citytwin
