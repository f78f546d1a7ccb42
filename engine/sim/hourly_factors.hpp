#pragma once
/// Multipliers by local hour of day for named elements, as `citytwin calibrate` writes them into a model's
/// table: `district_demand_multipliers = { DMA1 = [24 numbers], ... }`. Hour h applies to the step that
/// starts in local hour h (engine/core/time local_time).
#include <array>
#include <map>
#include <string>

#include "engine/sim/params.hpp"

namespace citytwin {

struct HourlyFactors {
  std::map<std::string, std::array<double, 24>> by_id;
  SourceLocation where;  ///< of the key, for an ID the model does not know

  bool empty() const { return by_id.empty(); }
  /// Reads p[key] (absent: none); every problem into p's errors.
  static HourlyFactors read(Params& p, const std::string& key);
};

}  // namespace citytwin
