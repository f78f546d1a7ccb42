#pragma once
/// Multipliers by local hour of day for named elements, as `citytwin calibrate` writes them into a model's
/// table: `district_demand_multipliers = { DMA1 = [24 numbers], ... }`. Hour h applies to the step that
/// starts in local hour h (engine/core/time local_time).
#include <array>
#include <map>
#include <string>

#include "engine/sim/params.hpp"
#include "engine/sim/scenario.hpp"

namespace citytwin {

struct HourlyFactors {
  std::map<std::string, std::array<double, 24>> by_id;
  std::string key;
  SourceLocation where;  ///< of the key, for an ID the model does not know

  bool empty() const { return by_id.empty(); }
  /// Reads p[key] (absent: none); every problem into p's errors.
  static HourlyFactors read(Params& p, const std::string& key);

  using ByIndex = std::vector<std::pair<size_t, std::array<double, 24>>>;
  /// The factors by position in ids (the model's element order). Throws InputError at the key for an ID
  /// not among them: "KEY: no WHAT \"ID\" in PLACE".
  ByIndex by_index(const std::vector<std::string>& ids, const std::string& what, const std::string& place) const;
  /// The local hour (0..23) of the step that starts t0_s after the scenario's start.
  static int step_hour(const Scenario& scenario, double t0_s);
};

}  // namespace citytwin
