#pragma once
/// Reader for an hourly outdoor air temperature series that replaces a weather file's (a heat wave scenario).
/// CSV with the header `hour_of_year,temperature_c`; hour 1 is 00:00-01:00 on 1 January in local standard
/// time (the numbering of EPW records), up to 8760; degrees Celsius. Hours the file does not list keep the
/// weather file's temperature. Blank lines and lines starting with '#' are skipped.
#include <string>
#include <vector>

namespace citytwin::energy {

constexpr int kHoursPerYear = 8760;

/// One value per hour of the year (index = hour_of_year - 1), NaN where the file gives none.
/// Throws InputError naming file, line and field (every problem, up to 20).
std::vector<double> read_temperature_csv(const std::string& path);
/// The same from text; file is used in messages.
std::vector<double> parse_temperature_csv(const std::string& text, const std::string& file);

}  // namespace citytwin::energy
