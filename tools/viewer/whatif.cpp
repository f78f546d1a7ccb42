#include "tools/viewer/whatif.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <sstream>

#include "engine/core/error.hpp"
#include "engine/sim/scenario.hpp"

namespace citytwin::viewer {
namespace {

namespace fs = std::filesystem;

void absolutise_paths(toml::node& node, const fs::path& base_dir) {
  if (auto* s = node.as_string()) {
    const fs::path p(s->get());
    std::error_code ec;
    if (!s->get().empty() && p.is_relative() && fs::is_regular_file(base_dir / p, ec))
      *s = fs::weakly_canonical(base_dir / p).string();
  } else if (auto* t = node.as_table()) {
    for (auto&& [k, v] : *t) absolutise_paths(v, base_dir);
  } else if (auto* a = node.as_array()) {
    for (auto& v : *a) absolutise_paths(v, base_dir);
  }
}

}  // namespace

std::string whatif_scenario_text(const std::string& base_text, const std::string& base_file,
                                 const std::string& name, const std::vector<InterventionDraft>& drafts) {
  toml::table root;
  try {
    root = toml::parse(base_text, base_file);
  } catch (const toml::parse_error& e) {
    throw InputError({base_file, static_cast<int>(e.source().begin.line), ""}, std::string(e.description()));
  }
  const fs::path base_dir = fs::absolute(fs::path(base_file)).parent_path();
  for (auto&& [key, value] : root)
    if (key.str() != "name" && key.str() != "description" && key.str() != "interventions")
      absolutise_paths(value, base_dir);
  const std::string base_name = root["name"].value_or(std::string("scenario"));
  root.insert_or_assign("name", name);
  root.insert_or_assign("description", "what-if on " + base_name + " made in citytwin view");
  if (!root.contains("interventions")) root.insert("interventions", toml::array{});
  auto* list = root["interventions"].as_array();
  if (!list) throw InputError({base_file, 0, "interventions"}, "expected an array of tables");
  for (size_t i = 0; i < drafts.size(); ++i) {
    const auto& d = drafts[i];
    toml::table entry;
    try {
      entry = toml::parse(d.params, "intervention " + std::to_string(i + 1) + " parameters");
    } catch (const toml::parse_error& e) {
      throw InputError({"", 0, "intervention " + std::to_string(i + 1) + " parameters"},
                       std::string(e.description()) + " (write them as TOML, e.g. factor = 0.5)");
    }
    entry.insert_or_assign("at", d.at);
    if (!d.until.empty()) entry.insert_or_assign("until", d.until);
    entry.insert_or_assign("model", d.model);
    entry.insert_or_assign("action", d.action);
    if (!d.target.empty()) entry.insert_or_assign("target", d.target);
    list->push_back(std::move(entry));
  }
  std::ostringstream out;
  out << "# What-if made in citytwin view from " << base_file << "; run it with: citytwin run FILE -o DIR\n";
  out << root << "\n";
  return out.str();
}

std::vector<std::string> scenario_models(const std::string& text) {
  std::vector<std::string> out;
  try {
    const toml::table root = toml::parse(text);
    if (const auto* models = root["models"].as_table())
      for (auto&& [k, v] : *models) out.emplace_back(k.str());
  } catch (const toml::parse_error&) {
  }
  return out;
}

std::vector<Closure> scenario_closures(const std::string& text, const std::string& file) {
  struct ClosingAction {
    const char *model, *action, *set;
  };
  static constexpr ClosingAction kClosingActions[] = {{"traffic", "close_edge", "roads"},
                                                      {"water", "close_pipe", "water.pipes"},
                                                      {"energy", "line_outage", "grid.lines"},
                                                      {"energy", "substation_outage", "grid.substations"}};
  std::vector<Closure> out;
  for (const auto& iv : parse_scenario(text, file).interventions)
    for (const auto& c : kClosingActions)
      if (iv.model == c.model && iv.action == c.action)
        out.push_back({c.set, iv.target, iv.at_s, iv.until_s});
  return out;
}

}  // namespace citytwin::viewer
