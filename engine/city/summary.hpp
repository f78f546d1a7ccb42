#pragma once
/// The counts and totals `citytwin info` prints.
#include <nlohmann/json.hpp>
#include <string>

#include "engine/city/city.hpp"

namespace citytwin {

nlohmann::json city_summary_json(const City& city);
std::string city_summary_text(const City& city);

}  // namespace citytwin
