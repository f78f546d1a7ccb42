#include "engine/sim/calibrated_scenario.hpp"

#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "engine/core/error.hpp"

namespace citytwin {
namespace {

namespace fs = std::filesystem;

/// Keys whose string values are files named relative to the scenario (Params::path and the feeds' files).
const std::set<std::string>& path_keys() {
  static const std::set<std::string> keys = {"file", "files", "network", "weather", "temperature_file", "trips", "sensors"};
  return keys;
}

struct PathMover {
  fs::path from_dir, to_dir;
  void move(toml::node& node) const {
    auto* s = node.as_string();
    if (!s) return;
    const std::string value = s->get();
    if (value.empty() || value == "generated" || fs::path(value).is_absolute()) return;
    const fs::path absolute = fs::absolute(from_dir / value).lexically_normal();
    *s = absolute.lexically_relative(to_dir).generic_string();
  }
  void walk(toml::table& t) const {
    for (auto&& [key, value] : t) {
      if (path_keys().count(std::string(key.str()))) {
        move(value);
        if (auto* arr = value.as_array())
          for (auto& item : *arr) move(item);
      }
      if (auto* sub = value.as_table()) walk(*sub);
      if (auto* arr = value.as_array())
        for (auto& item : *arr)
          if (auto* sub = item.as_table()) walk(*sub);
    }
  }
};

void add_fit(toml::table& root, const FittedMultipliers& fit, const std::string& file) {
  auto* models = root["models"].as_table();
  auto* model = models ? (*models)[fit.knob->model].as_table() : nullptr;
  if (!model) throw InputError({file, 0, "models." + fit.knob->model}, "the scenario does not enable the " + fit.knob->model + " model");
  // A per-element knob is a table of factor arrays by element; a whole-model knob is one array.
  if (fit.knob->per_element && !(*model)[fit.knob->key].as_table()) model->insert_or_assign(fit.knob->key, toml::table{});
  toml::table& holder = fit.knob->per_element ? *(*model)[fit.knob->key].as_table() : *model;
  const std::string key = fit.knob->per_element ? fit.element : fit.knob->key;
  std::array<double, 24> combined = fit.factors;
  if (const auto* old = holder[key].as_array(); old && old->size() == 24)
    for (size_t h = 0; h < 24; ++h) combined[h] *= old->get(h)->value_or(1.0);
  toml::array out;
  // Four decimals: the fit is no better than its data, and the file stays readable.
  for (double f : combined) out.push_back(std::round(f * 1e4) / 1e4);
  holder.insert_or_assign(key, std::move(out));
}

}  // namespace

std::string calibrated_scenario_text(const std::string& text, const std::string& file, const std::vector<FittedMultipliers>& fits,
                                     const std::string& out_file, const std::string& header) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw InputError({file, static_cast<int>(e.source().begin.line), ""}, std::string(e.description()));
  }
  for (const auto& fit : fits) add_fit(root, fit, file);
  const PathMover mover{fs::absolute(fs::path(file)).parent_path(), fs::absolute(fs::path(out_file)).parent_path()};
  mover.walk(root);
  std::ostringstream out;
  // Relaxed precision: the factors' four decimals as written, not their binary expansion.
  out << header << toml::toml_formatter(root, toml::toml_formatter::default_flags | toml::format_flags::relaxed_float_precision) << "\n";
  return out.str();
}

}  // namespace citytwin
