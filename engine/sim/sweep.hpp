#pragma once
/// A sweep file (TOML): a base scenario, the keys to vary and the design that expands them into runs.
/// Format: scenarios/README.md, "Sweeps".
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/sim/scenario_keys.hpp"

namespace citytwin {

/// One varied key: a list of values, or a range [min, max] (with steps in a grid).
struct SweepParameter {
  std::string key;
  SourceLocation where;     ///< the entry's line, element "key 'KEY'"
  std::vector<KeyValue> values;  ///< a list, or a grid range's evenly spaced values
  double min = 0, max = 0;  ///< a range's bounds
  bool integer = false;     ///< a range of integers: samples rounded to the nearest one
};

struct Sweep {
  std::string file;
  std::string base;                  ///< the base scenario, resolved against the sweep file's folder
  SourceLocation base_where;
  std::string design = "grid";       ///< "grid" (every combination) or "lhs" (Latin hypercube)
  SourceLocation design_where;
  int samples = 0;                   ///< lhs: number of points
  std::uint64_t design_seed = 1;     ///< lhs: seed of the permutations and positions in the strata
  int replicates = 1;                ///< runs of each point, with seeds base, base + 1, ... (or seeds)
  std::vector<std::uint64_t> seeds;  ///< explicit replicate seeds (empty: from replicates)
  SourceLocation seeds_where;
  bool keep_all = false;             ///< keep = "all": every run's results directory
  std::vector<KeySetting> fixed;     ///< [set]: keys set in every run
  std::vector<SweepParameter> parameters;
};

/// One run of a sweep: number (from 1), seed and the parameters' values in the sweep's order.
struct SweepRun {
  int run = 0;
  std::uint64_t seed = 0;
  std::vector<KeyValue> values;
};

/// The most runs a sweep may expand to.
constexpr size_t kMaxSweepRuns = 1'000'000;

/// Reads and checks a sweep file's text (InputError listing every problem as "file:line: key 'x': ...").
Sweep parse_sweep(const std::string& text, const std::string& file);
Sweep load_sweep(const std::string& path);

/// Every run of the design, in run order (points in design order, replicates of a point together).
/// base_seed: the base scenario's seed (with [set] applied), the first replicate's.
std::vector<SweepRun> expand_sweep(const Sweep& sweep, std::uint64_t base_seed);

/// The settings of one run: [set], then the parameters' values, then the seed when replicates give it.
std::vector<KeySetting> run_settings(const Sweep& sweep, const SweepRun& run);

}  // namespace citytwin
