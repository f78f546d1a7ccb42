#pragma once
/// The sensors' part of a results directory: validation.csv (one row of fit metrics per sensor), the paired
/// series measured/<sensor>.csv (time,measured,simulated) and their entries in the manifest.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/data/results.hpp"

namespace citytwin {

/// The header of validation.csv.
extern const char* const kValidationHeader;

/// Writes validation.csv and measured/*.csv under dir; returns the manifest's "sensors" array.
nlohmann::json write_sensor_files(const std::filesystem::path& dir, const Results& r);
/// Reads them back as the manifest's "sensors" array names them. Throws InputError naming the file.
void read_sensor_files(const std::filesystem::path& dir, const nlohmann::json& sensors, Results& r);

}  // namespace citytwin
