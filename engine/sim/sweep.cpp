#include "engine/sim/sweep.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "engine/core/random.hpp"
#include "engine/sim/params.hpp"

namespace citytwin {
namespace {

int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

std::optional<KeyValue> scalar(const toml::node& n) {
  if (auto i = n.as_integer()) return KeyValue{i->get()};
  if (auto f = n.as_floating_point()) return KeyValue{f->get()};
  if (auto b = n.as_boolean()) return KeyValue{b->get()};
  if (auto s = n.as_string()) return KeyValue{s->get()};
  return std::nullopt;
}

/// [set]: every value under it, nested tables joined into dotted keys ("period.duration").
void read_fixed(const toml::table& t, const std::string& prefix, const std::string& file, Sweep& sweep, ErrorList& errors) {
  for (auto&& [k, v] : t) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (auto* sub = v.as_table()) {
      read_fixed(*sub, key, file, sweep, errors);
      continue;
    }
    const SourceLocation where{file, line_of(v) ? line_of(v) : static_cast<int>(k.source().begin.line), "key '" + key + "'"};
    if (auto value = scalar(v)) sweep.fixed.push_back({key, *value, where});
    else errors.add(where, "expected a number, true or false, or a string, got " + describe_toml(v));
  }
}

void read_parameter(const toml::table& t, int line, const std::string& file, Sweep& sweep, ErrorList& errors) {
  SweepParameter p;
  const toml::node* key = t.get("key");
  if (!key || !key->is_string()) {
    errors.add({file, line, "parameters"}, "each [[parameters]] entry needs key = \"...\" (the scenario key it varies)");
    return;
  }
  p.key = key->as_string()->get();
  p.where = {file, line_of(*key) ? line_of(*key) : line, "key '" + p.key + "'"};
  for (const auto& other : sweep.parameters)
    if (other.key == p.key) errors.add(p.where, "varied twice (also at line " + std::to_string(other.where.line) + ")");
  for (auto&& [k, v] : t)
    if (k.str() != "key" && k.str() != "values" && k.str() != "range" && k.str() != "steps")
      errors.add(p.where, "unknown entry '" + std::string(k.str()) + "' (key, values, range, steps)");
  const toml::node* values = t.get("values");
  const toml::node* range = t.get("range");
  const toml::node* steps = t.get("steps");
  if ((values != nullptr) == (range != nullptr)) {
    errors.add(p.where, "give either values = [...] or range = [min, max]");
    return;
  }
  if (values) {
    const toml::array* arr = values->as_array();
    if (!arr || arr->empty()) {
      errors.add(p.where, "values: expected a non-empty array, got " + describe_toml(*values));
      return;
    }
    for (const auto& item : *arr) {
      if (auto v = scalar(item)) p.values.push_back(*v);
      else errors.add(p.where, "values: expected numbers, true or false, or strings, got " + describe_toml(item));
    }
    if (steps) errors.add(p.where, "steps: only with range = [min, max]");
    sweep.parameters.push_back(std::move(p));
    return;
  }
  const toml::array* arr = range->as_array();
  if (!arr || arr->size() != 2 || !arr->get(0)->is_number() || !arr->get(1)->is_number()) {
    std::string got = describe_toml(*range);
    if (arr && arr->size() == 2) got = "[" + describe_toml(*arr->get(0)) + ", " + describe_toml(*arr->get(1)) + "]";
    errors.add(p.where, "range: expected two numbers [min, max], got " + got);
    return;
  }
  p.integer = arr->get(0)->is_integer() && arr->get(1)->is_integer();
  p.min = arr->get(0)->value<double>().value_or(0);
  p.max = arr->get(1)->value<double>().value_or(0);
  if (!(std::isfinite(p.min) && std::isfinite(p.max) && p.min < p.max)) {
    errors.add(p.where, "range: expected min < max, got [" + describe_toml(*arr->get(0)) + ", " + describe_toml(*arr->get(1)) + "]");
    return;
  }
  if (steps) {
    const auto n = steps->as_integer();
    if (!n || n->get() < 2 || n->get() > static_cast<std::int64_t>(kMaxSweepRuns)) {
      errors.add(p.where, "steps: expected an integer from 2 (min and max) to " + std::to_string(kMaxSweepRuns) +
                              ", got " + describe_toml(*steps));
      return;
    }
    const auto count = static_cast<size_t>(n->get());
    // min + (max - min) * i / (n - 1): the values a person would type (0.3, not 0.30000000000000004).
    for (size_t i = 0; i < count; ++i) {
      const double x = i + 1 == count ? p.max : p.min + (p.max - p.min) * static_cast<double>(i) / static_cast<double>(count - 1);
      if (p.integer) p.values.push_back(static_cast<std::int64_t>(std::llround(x)));
      else p.values.push_back(x);
    }
  }
  sweep.parameters.push_back(std::move(p));
}

KeyValue sample_in(const SweepParameter& p, double u) {
  const double x = p.min + (p.max - p.min) * u;
  if (p.integer) return static_cast<std::int64_t>(std::llround(x));
  return x;
}

}  // namespace

Sweep parse_sweep(const std::string& text, const std::string& file) {
  toml::table root = parse_scenario_toml(text, file);
  ErrorList errors;
  Sweep sweep;
  sweep.file = file;
  Params top(&root, file, "", errors);
  sweep.base_where = top.where("base");
  if (!top.has("base")) top.error("base", "missing: the base scenario (base = \"../scenarios/baseline.toml\")");
  sweep.base = resolve_path(file, top.string("base", ""));
  sweep.keep_all = top.string("keep", "kpis", {"kpis", "all"}) == "all";
  sweep.seeds_where = top.where(top.has("seeds") ? "seeds" : "replicates");
  sweep.replicates = static_cast<int>(top.integer("replicates", 1, 1, 100000));
  if (top.has("seeds")) {
    if (top.has("replicates")) top.error("seeds", "give either replicates or seeds, not both");
    for (double s : top.numbers("seeds", {}, 0, static_cast<double>(1LL << 52))) {
      if (s != std::floor(s)) top.error("seeds", "expected whole numbers");
      sweep.seeds.push_back(static_cast<std::uint64_t>(s));
    }
    if (sweep.seeds.empty()) top.error("seeds", "expected at least one seed");
  }

  Params design = top.table("design");
  sweep.design_where = design.where("type");
  sweep.design = design.string("type", "grid", {"grid", "lhs"});
  sweep.samples = static_cast<int>(design.integer("samples", 0, 0, static_cast<long long>(kMaxSweepRuns)));
  sweep.design_seed = static_cast<std::uint64_t>(design.integer("seed", 1, 0, 1LL << 62));
  if (sweep.design == "lhs" && sweep.samples < 2) design.error("samples", "a Latin hypercube needs samples = 2 or more");
  if (sweep.design == "grid" && design.has("samples")) design.error("samples", "only for type = \"lhs\" (a grid runs every combination)");
  design.finish();

  top.accept("set");
  if (const toml::node* set = root.get("set")) {
    if (auto* t = set->as_table()) read_fixed(*t, "", file, sweep, errors);
    else errors.add({file, line_of(*set), "set"}, "expected a table of scenario keys and values");
  }
  top.accept("parameters");
  if (const toml::node* params = root.get("parameters")) {
    const toml::array* arr = params->as_array();
    if (!arr) errors.add({file, line_of(*params), "parameters"}, "expected [[parameters]] entries");
    for (size_t i = 0; arr && i < arr->size(); ++i) {
      const toml::node& item = *arr->get(i);
      if (auto* t = item.as_table()) read_parameter(*t, line_of(item), file, sweep, errors);
      else errors.add({file, line_of(item), "parameters"}, "expected a table ([[parameters]])");
    }
  }
  top.finish();
  if (sweep.parameters.empty() && errors.empty())
    errors.add({file, 0, "parameters"}, "no [[parameters]]: nothing to vary");
  for (const auto& p : sweep.parameters) {
    for (const auto& f : sweep.fixed)
      if (f.key == p.key) errors.add(p.where, "also set in [set] (line " + std::to_string(f.where.line) + ")");
    if (p.key == "seed" && (sweep.replicates > 1 || !sweep.seeds.empty()))
      errors.add(p.where, "the seed is varied and replicated: give one of the two");
    if (sweep.design == "grid" && p.values.empty())
      errors.add(p.where, "range: a grid needs steps = N (or a list of values)");
    if (sweep.design == "lhs" && !p.values.empty())
      errors.add(p.where, "a Latin hypercube samples a range = [min, max] (without steps), not a list");
  }
  errors.throw_if_any();
  // The size of the design, before it is expanded.
  double runs = sweep.seeds.empty() ? sweep.replicates : static_cast<double>(sweep.seeds.size());
  if (sweep.design == "grid")
    for (const auto& p : sweep.parameters) runs *= static_cast<double>(p.values.size());
  else runs *= sweep.samples;
  if (runs > static_cast<double>(kMaxSweepRuns))
    throw InputError(sweep.design_where, "the design has " + std::to_string(static_cast<long long>(runs)) + " runs, more than " +
                                             std::to_string(kMaxSweepRuns));
  return sweep;
}

Sweep load_sweep(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({path, 0, ""}, std::filesystem::exists(path) ? "cannot read the file" : "no such file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_sweep(text.str(), path);
}

std::vector<SweepRun> expand_sweep(const Sweep& sweep, std::uint64_t base_seed) {
  const size_t d = sweep.parameters.size();
  std::vector<std::vector<KeyValue>> points;
  if (sweep.design == "grid") {
    // Every combination, the first parameter varying slowest.
    size_t total = 1;
    for (const auto& p : sweep.parameters) total *= p.values.size();
    for (size_t i = 0; i < total; ++i) {
      std::vector<KeyValue> point(d);
      size_t rest = i;
      for (size_t j = d; j-- > 0;) {
        point[j] = sweep.parameters[j].values[rest % sweep.parameters[j].values.size()];
        rest /= sweep.parameters[j].values.size();
      }
      points.push_back(std::move(point));
    }
  } else {
    // Latin hypercube (McKay, Beckman, Conover 1979): each parameter's range cut into n strata, each stratum
    // sampled once at a uniform position, the strata permuted independently per parameter.
    const auto n = static_cast<size_t>(sweep.samples);
    points.assign(n, std::vector<KeyValue>(d));
    for (size_t j = 0; j < d; ++j) {
      auto rng = random_stream(sweep.design_seed, 0x5357454550ull /* "SWEEP" */, j);
      std::vector<size_t> strata(n);
      std::iota(strata.begin(), strata.end(), 0);
      for (size_t i = n; i-- > 1;) std::swap(strata[i], strata[static_cast<size_t>(uniform01(rng) * static_cast<double>(i + 1))]);
      for (size_t i = 0; i < n; ++i)
        points[i][j] = sample_in(sweep.parameters[j], (static_cast<double>(strata[i]) + uniform01(rng)) / static_cast<double>(n));
    }
  }
  std::vector<std::uint64_t> seeds = sweep.seeds;
  if (seeds.empty())
    for (int r = 0; r < sweep.replicates; ++r) seeds.push_back(base_seed + static_cast<std::uint64_t>(r));
  size_t seed_parameter = d;
  for (size_t j = 0; j < d; ++j)
    if (sweep.parameters[j].key == "seed") seed_parameter = j;
  std::vector<SweepRun> runs;
  runs.reserve(points.size() * seeds.size());
  for (const auto& point : points)
    for (std::uint64_t seed : seeds) {
      SweepRun run;
      run.run = static_cast<int>(runs.size()) + 1;
      run.seed = seed;
      if (seed_parameter < d) {
        const KeyValue& v = point[seed_parameter];
        if (auto i = std::get_if<std::int64_t>(&v)) run.seed = static_cast<std::uint64_t>(*i);
      }
      run.values = point;
      runs.push_back(std::move(run));
    }
  return runs;
}

std::vector<KeySetting> run_settings(const Sweep& sweep, const SweepRun& run) {
  std::vector<KeySetting> settings = sweep.fixed;
  for (size_t j = 0; j < sweep.parameters.size(); ++j)
    settings.push_back({sweep.parameters[j].key, run.values[j], sweep.parameters[j].where});
  if (sweep.replicates > 1 || !sweep.seeds.empty())
    settings.push_back({"seed", static_cast<std::int64_t>(run.seed), sweep.seeds_where});
  return settings;
}

}  // namespace citytwin
