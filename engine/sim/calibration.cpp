#include "engine/sim/calibration.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin {
namespace {

const std::vector<CalibrationKnob>& knobs() {
  static const std::vector<CalibrationKnob> all = {
      {"water.zone_inflow", "water", "district_demand_multipliers"},
      {"energy.building_electricity", "energy", "building_demand_multipliers"},
      {"traffic.flow", "traffic", "demand_multipliers", false},
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
  struct Sums {
    FittedMultipliers fit;
    std::array<double, 24> ms{}, ss{};
  };
  std::vector<Sums> sums;
  for (const auto& tr : train.sensors) {
    const CalibrationKnob* knob = calibration_knob(tr.quantity);
    if (tr.role != "compare" || !knob || tr.element.empty()) continue;
    const std::string element = knob->per_element ? tr.element : "";
    auto it = std::find_if(sums.begin(), sums.end(), [&](const Sums& s) { return s.fit.knob == knob && s.fit.element == element; });
    if (it == sums.end()) it = sums.insert(sums.end(), Sums{{knob, element, {}, {}, {}}, {}, {}});
    it->fit.sensors.push_back(tr.id);
    for (size_t k = 0; k < tr.times_s.size(); ++k) {
      const double m = tr.measured[k], s = tr.simulated[k];
      if (tr.times_s[k] < step_s || !std::isfinite(m) || !std::isfinite(s)) continue;
      const int h = local_time(static_cast<double>(start_unix_s) + tr.times_s[k] - step_s, zone).hour;
      it->ms[h] += m * s;
      it->ss[h] += s * s;
      ++it->fit.pairs[h];
    }
  }
  std::vector<FittedMultipliers> out;
  for (auto& s : sums) {
    for (int h = 0; h < 24; ++h) s.fit.factors[h] = s.ss[h] > 0 ? std::clamp(s.ms[h] / s.ss[h], 0.0, 1000.0) : 1.0;
    out.push_back(std::move(s.fit));
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
