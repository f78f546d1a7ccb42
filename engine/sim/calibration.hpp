#pragma once
/// Calibration of a scenario to its `compare` feeds (`citytwin calibrate`): hourly multipliers fitted by
/// least squares to the measured values of a training run, written back into the scenario as the model
/// parameters that apply them (engine/sim/hourly_factors.hpp).
///
/// Each knob is a multiplier on what the model computes for one element in each local hour of day:
///   water.zone_inflow            -> [models.water]  district_demand_multipliers (a district's demand)
///   energy.building_electricity  -> [models.energy] building_demand_multipliers (a building's demand)
///   traffic.flow                 -> [models.traffic] demand_multipliers (the whole city's trips, by hour of
///                                   departure: one factor per hour fitted to every count at once)
/// Both outputs are proportional to their multiplier (a demand-driven district without tanks draws what
/// its junctions demand; a building's demand is scaled as a whole), so the least-squares factor of hour h,
/// sum(m s) / sum(s^2) over the training pairs of that hour, is the exact minimiser of the squared error.
/// Road flows are proportional to demand only below capacity: there the factor is the least-squares scale
/// of the counts (routeSampler's aim, in one step); near congestion it is a first step, and the report's
/// after-columns show how far it got.
#include <array>
#include <string>
#include <vector>

#include "engine/core/time.hpp"
#include "engine/data/results.hpp"

namespace citytwin {

struct CalibrationKnob {
  std::string quantity;  ///< the sensors' quantity
  std::string model;     ///< the model whose table gets the key
  std::string key;
  bool per_element = true;  ///< a factor table per element (else one for the whole model)
};
/// The knob for a quantity, or null when nothing calibrates it.
const CalibrationKnob* calibration_knob(const std::string& quantity);

struct FittedMultipliers {
  const CalibrationKnob* knob = nullptr;
  std::string element;               ///< empty for a whole-model knob
  std::vector<std::string> sensors;  ///< fitted to
  std::array<double, 24> factors{};  ///< by local hour of the step's start; 1 where nothing was measured
  std::array<int, 24> pairs{};       ///< training pairs behind each factor
};

/// Fits every compared sensor of a training run with a knob. step_s: the run's step (a value recorded at t
/// was computed over the step that started at t - step_s). Factors are clamped to [0, 1000].
std::vector<FittedMultipliers> fit_multipliers(const Results& train, double step_s, std::int64_t start_unix_s,
                                               const TimeZone& zone);

/// The sensors of a run that no knob calibrates (compared, but left as they are).
std::vector<std::string> uncalibrated_sensors(const Results& run);

}  // namespace citytwin
