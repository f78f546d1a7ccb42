#include "engine/sim/params.hpp"

#include "engine/sim/scenario.hpp"

#include <filesystem>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "engine/core/time.hpp"

namespace citytwin {
namespace {

std::string range_text(double min, double max) {
  std::ostringstream s;
  s << "between " << min << " and " << max;
  return s.str();
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: return "a date or time";
  }
}

}  // namespace

std::string describe_toml(const toml::node& node) {
  if (auto s = node.as_string()) return "\"" + s->get() + "\"";
  if (node.is_table() || node.is_array()) return type_name(node);
  std::ostringstream out;
  if (auto i = node.as_integer()) out << i->get();
  else if (auto f = node.as_floating_point()) out << f->get();
  else if (auto b = node.as_boolean()) out << (b->get() ? "true" : "false");
  else out << type_name(node);
  return out.str();
}

Params::Params(const toml::table* table, std::string file, std::string prefix, ErrorList& errors, int line)
    : table_(table), file_(std::move(file)), prefix_(std::move(prefix)), line_(line), errors_(&errors) {}

Params Params::of(const Intervention& iv, ErrorList& errors) {
  return Params(&iv.params, iv.where.file, iv.where.element, errors, iv.where.line);
}

SourceLocation Params::where(const std::string& key) const {
  int line = 0;
  if (table_) {
    line = static_cast<int>(table_->source().begin.line);
    // A copied table keeps the lines of its keys only.
    for (auto&& [k, v] : *table_)
      if (k.str() == key) line = static_cast<int>(v.source().begin.line ? v.source().begin.line : k.source().begin.line);
  }
  if (line == 0) line = line_;
  return {file_, line, prefix_.empty() ? key : prefix_ + "." + key};
}

bool Params::has(const std::string& key) const { return table_ && table_->get(key) != nullptr; }

const toml::node* Params::get(const std::string& key) {
  used_.insert(key);
  return table_ ? table_->get(key) : nullptr;
}

void Params::error(const std::string& key, const std::string& message) { errors_->add(where(key), message); }

std::optional<double> Params::optional_number(const std::string& key, double min, double max) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (!n->is_number()) {
    error(key, std::string("expected a number ") + range_text(min, max) + ", got " + describe_toml(*n));
    return std::nullopt;
  }
  double v = n->value<double>().value_or(NAN);
  if (!(v >= min && v <= max)) {
    error(key, "expected a number " + range_text(min, max) + ", got " + describe_toml(*n));
    return std::nullopt;
  }
  return v;
}

double Params::number(const std::string& key, double fallback, double min, double max) {
  return optional_number(key, min, max).value_or(fallback);
}

long long Params::integer(const std::string& key, long long fallback, long long min, long long max) {
  const toml::node* n = get(key);
  if (!n) return fallback;
  auto v = n->as_integer();
  if (!v || v->get() < min || v->get() > max) {
    std::ostringstream s;
    s << "expected an integer between " << min << " and " << max << ", got " << describe_toml(*n);
    error(key, s.str());
    return fallback;
  }
  return v->get();
}

bool Params::boolean(const std::string& key, bool fallback) {
  const toml::node* n = get(key);
  if (!n) return fallback;
  if (auto b = n->as_boolean()) return b->get();
  error(key, "expected true or false, got " + describe_toml(*n));
  return fallback;
}

std::string resolve_path(const std::string& file, const std::string& relative) {
  namespace fs = std::filesystem;
  if (relative.empty()) return relative;
  const fs::path p(relative);
  return (p.is_absolute() ? p : fs::path(file).parent_path() / p).lexically_normal().string();
}

std::string Params::path(const std::string& key, const std::string& what) {
  const std::string given = string(key, "");
  const std::string resolved = resolve_path(file_, given);
  if (!resolved.empty() && !std::filesystem::is_regular_file(resolved))
    error(key, "no such file: " + resolved + " (" + what + ")");
  return resolved;
}

std::string Params::string(const std::string& key, const std::string& fallback,
                           const std::vector<std::string>& allowed) {
  const toml::node* n = get(key);
  if (!n) return fallback;
  auto s = n->as_string();
  std::string choices;
  for (const auto& a : allowed) choices += (choices.empty() ? "" : ", ") + a;
  if (!s) {
    error(key, "expected a string" + (choices.empty() ? "" : " (one of " + choices + ")") + ", got " + describe_toml(*n));
    return fallback;
  }
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), s->get()) == allowed.end()) {
    error(key, "expected one of " + choices + ", got \"" + s->get() + "\"");
    return fallback;
  }
  return s->get();
}

double Params::duration_s(const std::string& key, double fallback, double min_s, double max_s) {
  const toml::node* n = get(key);
  if (!n) return fallback;
  std::optional<double> v;
  if (n->is_number()) v = n->value<double>();
  else if (auto s = n->as_string()) v = parse_duration_s(s->get());
  if (!v || !(*v >= min_s && *v <= max_s)) {
    std::ostringstream s;
    s << "expected a duration (\"15min\", \"1h\", seconds) between " << min_s << " s and " << max_s << " s, got "
      << describe_toml(*n);
    error(key, s.str());
    return fallback;
  }
  return *v;
}

std::vector<double> Params::numbers(const std::string& key, const std::vector<double>& fallback, double min,
                                    double max) {
  const toml::node* n = get(key);
  if (!n) return fallback;
  auto arr = n->as_array();
  std::vector<double> out;
  bool ok = arr != nullptr;
  if (arr)
    for (const auto& item : *arr) {
      auto v = item.value<double>();
      if (!item.is_number() || !v || !(*v >= min && *v <= max)) ok = false;
      else out.push_back(*v);
    }
  if (!ok) {
    error(key, "expected an array of numbers " + range_text(min, max));
    return fallback;
  }
  return out;
}

std::vector<std::string> Params::strings(const std::string& key) {
  const toml::node* n = get(key);
  if (!n) return {};
  std::vector<std::string> out;
  const auto* arr = n->as_array();
  bool ok = arr != nullptr;
  if (arr)
    for (const auto& item : *arr) {
      if (auto s = item.value<std::string>()) out.push_back(*s);
      else ok = false;
    }
  if (!ok) {
    error(key, "expected an array of strings, got " + describe_toml(*n));
    return {};
  }
  return out;
}

std::vector<std::string> Params::keys() const {
  std::vector<std::string> out;
  if (table_)
    for (auto&& [k, v] : *table_) out.emplace_back(k.str());
  return out;
}

Params Params::table(const std::string& key) {
  const toml::node* n = get(key);
  const std::string prefix = prefix_.empty() ? key : prefix_ + "." + key;
  if (n && !n->is_table()) {
    error(key, std::string("expected a table, got ") + type_name(*n));
    return Params(nullptr, file_, prefix, *errors_);
  }
  return Params(n ? n->as_table() : nullptr, file_, prefix, *errors_);
}

void Params::finish() {
  if (!table_) return;
  for (auto&& [k, v] : *table_) {
    std::string key(k.str());
    if (used_.count(key)) continue;
    errors_->add(where(key), "unknown key");
  }
}

}  // namespace citytwin
