#pragma once
/// The scenario `citytwin calibrate` writes: the original TOML with the fitted multipliers in their models'
/// tables and every relative file path rewritten for the new file's folder.
#include <string>
#include <vector>

#include "engine/sim/calibration.hpp"

namespace citytwin {

/// text: the scenario as read from file. Each fit's factors multiply those already in the table for the
/// same element (a calibrated scenario calibrated again keeps what it had learnt). Throws InputError when
/// a fit's model is not enabled in the scenario.
std::string calibrated_scenario_text(const std::string& text, const std::string& file, const std::vector<FittedMultipliers>& fits,
                                     const std::string& out_file, const std::string& header);

}  // namespace citytwin
