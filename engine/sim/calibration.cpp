#include "engine/sim/calibration.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin {
namespace {

const std::vector<CalibrationKnob>& knobs() {
  static const std::vector<CalibrationKnob> all = {
      {"water.zone_inflow", "water", "district_demand_multipliers"},
      {"energy.building_electricity", "energy", "building_demand_multipliers"},
  };
  return all;
}

}  // namespace

const CalibrationKnob* calibration_knob(const std::string& quantity) {
  for (const auto& k : knobs())
    if (k.quantity == quantity) return &k;
  return nullptr;
}

std::vector<FittedMultipliers> fit_multipliers(const Results& train, double step_s, std::int64_t start_unix_s,
                                               const TimeZone& zone) {
  std::vector<FittedMultipliers> out;
  for (const auto& tr : train.sensors) {
    const CalibrationKnob* knob = calibration_knob(tr.quantity);
    if (tr.role != "compare" || !knob || tr.element.empty()) continue;
    std::array<double, 24> ms{}, ss{};
    FittedMultipliers f{knob, tr.element, tr.id, {}, {}};
    for (size_t k = 0; k < tr.times_s.size(); ++k) {
      const double m = tr.measured[k], s = tr.simulated[k];
      if (tr.times_s[k] < step_s || !std::isfinite(m) || !std::isfinite(s)) continue;
      const int h = local_time(static_cast<double>(start_unix_s) + tr.times_s[k] - step_s, zone).hour;
      ms[h] += m * s;
      ss[h] += s * s;
      ++f.pairs[h];
    }
    for (int h = 0; h < 24; ++h) f.factors[h] = ss[h] > 0 ? std::clamp(ms[h] / ss[h], 0.0, 1000.0) : 1.0;
    out.push_back(f);
  }
  return out;
}

std::vector<std::string> uncalibrated_sensors(const Results& run) {
  std::vector<std::string> out;
  for (const auto& tr : run.sensors)
    if (tr.role == "compare" && !calibration_knob(tr.quantity)) out.push_back(tr.id);
  return out;
}

}  // namespace citytwin
