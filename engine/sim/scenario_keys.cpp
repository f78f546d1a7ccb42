#include "engine/sim/scenario_keys.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <sstream>

#include "engine/data/csv_io.hpp"

namespace citytwin {
namespace {

/// One step of a key: a name, and the index of an array of tables' entry when [N] follows it.
struct KeyStep {
  std::string name;
  std::optional<size_t> index;
};

std::optional<std::vector<KeyStep>> split_key(std::string_view key) {
  std::vector<KeyStep> steps;
  size_t start = 0;
  while (start <= key.size()) {
    const size_t dot = std::min(key.find('.', start), key.size());
    std::string_view part = key.substr(start, dot - start);
    KeyStep step;
    if (const size_t open = part.find('['); open != std::string_view::npos) {
      if (part.back() != ']' || open + 2 > part.size() - 1) return std::nullopt;
      size_t index = 0;
      const auto digits = part.substr(open + 1, part.size() - open - 2);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
      step.index = index;
      part = part.substr(0, open);
    }
    if (part.empty()) return std::nullopt;
    for (char c : part)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return std::nullopt;
    step.name = std::string(part);
    steps.push_back(std::move(step));
    start = dot + 1;
  }
  return steps;
}

toml::array one_value(const KeyValue& value) {
  toml::array a;
  std::visit([&a](const auto& v) { a.push_back(v); }, value);
  return a;
}

}  // namespace

std::string set_scenario_key(toml::table& root, const std::string& key, const KeyValue& value) {
  const auto steps = split_key(key);
  if (!steps) return "not a scenario key (names joined by dots, [N] for an entry of an array: models.energy.pv_share)";
  toml::table* table = &root;
  std::string path;
  for (size_t i = 0; i < steps->size(); ++i) {
    const KeyStep& step = (*steps)[i];
    path += (path.empty() ? "" : ".") + step.name;
    const bool last = i + 1 == steps->size();
    toml::node* node = table->get(step.name);
    if (step.index) {
      toml::array* array = node ? node->as_array() : nullptr;
      if (!array) return "the scenario has no array " + path;
      if (*step.index >= array->size())
        return path + " has " + std::to_string(array->size()) + " entries (numbered from 0)";
      path += "[" + std::to_string(*step.index) + "]";
      toml::node& entry = *array->get(*step.index);
      if (last) {
        if (entry.is_table() || entry.is_array()) return path + " is a table, not a value";
        one_value(value)[0].visit([&](auto&& v) { array->replace(array->cbegin() + static_cast<std::ptrdiff_t>(*step.index), v); });
        return {};
      }
      table = entry.as_table();
      if (!table) return path + " is a value, not a table";
      continue;
    }
    if (last) {
      if (node && (node->is_table() || node->is_array_of_tables())) return path + " is a table, not a value";
      one_value(value)[0].visit([&](auto&& v) { table->insert_or_assign(step.name, v); });
      return {};
    }
    if (!node) return "the scenario has no [" + path + "]";
    table = node->as_table();
    if (!table) return path + " is a value, not a table";
  }
  return {};
}

const toml::node* find_scenario_key(const toml::table& root, const std::string& key) {
  const auto steps = split_key(key);
  if (!steps) return nullptr;
  const toml::node* node = &root;
  for (const auto& step : *steps) {
    const toml::table* table = node->as_table();
    node = table ? table->get(step.name) : nullptr;
    if (node && step.index) {
      const toml::array* array = node->as_array();
      node = array && *step.index < array->size() ? array->get(*step.index) : nullptr;
    }
    if (!node) return nullptr;
  }
  return node;
}

std::string kind_mismatch(const toml::node& node, const KeyValue& value) {
  const std::string given = format_key_value(value);
  const std::string line = " (line " + std::to_string(node.source().begin.line) + ")";
  if (node.is_integer()) {
    if (auto d = std::get_if<double>(&value); d && *d != std::floor(*d))
      return "the scenario's value is an integer" + line + ", not " + given;
    if (!std::holds_alternative<std::int64_t>(value) && !std::holds_alternative<double>(value))
      return "the scenario's value is a number" + line + ", not " + given;
  } else if (node.is_floating_point()) {
    if (!std::holds_alternative<std::int64_t>(value) && !std::holds_alternative<double>(value))
      return "the scenario's value is a number" + line + ", not " + given;
  } else if (node.is_boolean()) {
    if (!std::holds_alternative<bool>(value)) return "the scenario's value is true or false" + line + ", not " + given;
  } else if (node.is_string()) {
    if (!std::holds_alternative<std::string>(value)) return "the scenario's value is a string" + line + ", not " + given;
  }
  return {};
}

KeySetting parse_key_setting(std::string_view argument) {
  const std::string arg(argument);
  const SourceLocation where{"--set " + arg, 0, {}};
  const size_t eq = argument.find('=');
  if (eq == std::string_view::npos || eq == 0) throw InputError(where, "expected KEY=VALUE (models.energy.pv_share=0.5)");
  KeySetting s;
  s.key = std::string(trim(argument.substr(0, eq)));
  s.where = {"--set", 0, "key '" + s.key + "'"};
  const std::string text(trim(argument.substr(eq + 1)));
  s.value = text;
  try {
    const toml::table t = toml::parse("v = " + text);
    const toml::node& v = *t.get("v");
    if (auto i = v.as_integer()) s.value = i->get();
    else if (auto f = v.as_floating_point()) s.value = f->get();
    else if (auto b = v.as_boolean()) s.value = b->get();
    else if (auto str = v.as_string()) s.value = str->get();
    // Anything else (a date, an array) stays the text it is: the scenario reads times as strings.
  } catch (const toml::parse_error&) {
    // Not a TOML value: the text as it is ("6h", "2026-07-13T08:00").
  }
  return s;
}

std::string format_key_value(const KeyValue& value) {
  if (auto i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (auto d = std::get_if<double>(&value)) return format_number(*d);
  if (auto b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  return std::get<std::string>(value);
}

InputError relocate_key_errors(const InputError& error, const std::vector<KeySetting>& settings) {
  std::istringstream lines(error.what());
  std::string line, out;
  while (std::getline(lines, line)) {
    for (const auto& s : settings) {
      const std::string named = ": " + s.key + ": ";
      const size_t at = line.find(named);
      if (at == std::string::npos) continue;
      line = s.where.str() + ": " + line.substr(at + named.size()) + " (in " + line.substr(0, at) + ")";
      break;
    }
    out += (out.empty() ? "" : "\n") + line;
  }
  return InputError(out);
}

toml::table tree_with(const toml::table& base, const std::vector<KeySetting>& settings) {
  toml::table root = base;
  ErrorList errors;
  for (const auto& s : settings)
    if (const std::string wrong = set_scenario_key(root, s.key, s.value); !wrong.empty()) errors.add(s.where, wrong);
  errors.throw_if_any();
  return root;
}

Scenario scenario_with(const toml::table& root, const std::string& file, const std::vector<KeySetting>& settings) {
  try {
    return parse_scenario(root, file);
  } catch (const InputError& e) {
    throw relocate_key_errors(e, settings);
  }
}

std::string scenario_text_with(const toml::table& root, const std::string& file, const std::vector<KeySetting>& settings) {
  std::ostringstream out;
  out << "# " << file << ", with\n";
  for (const auto& s : settings) out << "#   " << s.key << " = " << format_key_value(s.value) << "\n";
  out << toml::toml_formatter(root) << "\n";
  return out.str();
}

}  // namespace citytwin
