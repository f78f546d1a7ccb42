#include "engine/sim/registry.hpp"

namespace citytwin {

void ModelRegistry::add(const std::string& name, const std::string& description, Factory factory) {
  entries_[name] = Entry{description, std::move(factory)};
}

std::vector<std::string> ModelRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, e] : entries_) out.push_back(name);
  return out;
}

std::vector<std::unique_ptr<Model>> ModelRegistry::create(const Scenario& scenario) const {
  ErrorList errors;
  std::vector<std::unique_ptr<Model>> models;
  for (const auto& [name, section] : scenario.models) {
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      std::string known;
      for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
      errors.add(section.where, "unknown model (models: " + known + ")");
      continue;
    }
    Params params(&section.params, scenario.file, "models." + name, errors);
    auto model = it->second.factory(params);
    params.finish();
    if (model) models.push_back(std::move(model));
  }
  errors.throw_if_any();
  return models;
}

}  // namespace citytwin
