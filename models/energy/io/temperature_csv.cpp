#include "models/energy/io/temperature_csv.hpp"

#include <limits>
#include <string_view>

#include "engine/core/error.hpp"
#include "models/energy/io/text_file.hpp"

namespace citytwin::energy {
std::vector<double> parse_temperature_csv(const std::string& text, const std::string& file) {
  std::vector<double> out(kHoursPerYear, std::numeric_limits<double>::quiet_NaN());
  std::vector<int> line_of(kHoursPerYear, 0);
  CappedErrors errors(file, " more errors", true);
  bool header = false;
  int values = 0, line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = trim(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const size_t comma = line.find(',');
    if (!header) {
      header = true;
      if (comma == std::string_view::npos || trim(line.substr(0, comma)) != "hour_of_year" ||
          trim(line.substr(comma + 1)) != "temperature_c")
        errors.add(line_no, "expected the header \"hour_of_year,temperature_c\"");
      continue;
    }
    if (comma == std::string_view::npos || line.find(',', comma + 1) != std::string_view::npos) {
      errors.add(line_no, "expected 2 fields (hour_of_year,temperature_c)");
      continue;
    }
    const std::string_view hour_s = trim(line.substr(0, comma)), temp_s = trim(line.substr(comma + 1));
    int hour = 0;
    auto [hp, hec] = std::from_chars(hour_s.data(), hour_s.data() + hour_s.size(), hour);
    if (hour_s.empty() || hec != std::errc() || hp != hour_s.data() + hour_s.size() || hour < 1 || hour > kHoursPerYear) {
      errors.add(line_no, "field 1 (hour_of_year): expected an integer from 1 to 8760, got \"" + std::string(hour_s) + "\"");
      continue;
    }
    double t = 0;
    if (!to_number(temp_s, t) || t < -70 || t > 70) {
      errors.add(line_no, "field 2 (temperature_c): expected degrees Celsius from -70 to 70, got \"" + std::string(temp_s) + "\"");
      continue;
    }
    if (line_of[hour - 1] != 0) {
      errors.add(line_no, "field 1 (hour_of_year): hour " + std::to_string(hour) + " already given on line " +
                         std::to_string(line_of[hour - 1]));
      continue;
    }
    line_of[hour - 1] = line_no;
    out[hour - 1] = t;
    ++values;
  }
  if (!header) errors.add(0, "empty file: expected the header \"hour_of_year,temperature_c\" and hourly rows");
  else if (values == 0 && errors.count() == 0) errors.add(line_no, "no temperature rows after the header");
  errors.throw_if_any();
  return out;
}

std::vector<double> read_temperature_csv(const std::string& path) {
  return parse_temperature_csv(read_text_file(path), path);
}

}  // namespace citytwin::energy
