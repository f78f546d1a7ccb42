#include "models/energy/io/epw.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "engine/core/error.hpp"
#include "engine/core/time.hpp"
#include "models/energy/io/text_file.hpp"

namespace citytwin::energy {
namespace {

constexpr int kDaysInMonth[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

std::vector<std::string_view> split_commas(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t p = line.find(',', start);
    if (p == std::string_view::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, p - start));
    start = p + 1;
  }
}

/// One numeric field of a data record: its column, name, EPW "missing" code and plausible range.
struct FieldSpec {
  int column;
  const char* name;
  double missing;  ///< values >= this are the EPW missing code
  double min, max;
  std::vector<double> Weather::*series;
};

// Columns after EnergyPlus "Auxiliary Programs", section "Weather Data File (EPW) format".
const FieldSpec kFields[] = {
    {6, "dry bulb temperature", 99.9, -70, 70, &Weather::dry_bulb_c},
    {7, "dew point temperature", 99.9, -70, 70, &Weather::dew_point_c},
    {8, "relative humidity", 999, 0, 110, &Weather::relative_humidity},
    {9, "atmospheric station pressure", 999999, 31000, 120000, &Weather::pressure_pa},
    {12, "horizontal infrared radiation intensity", 9999, 0, 2000, &Weather::horizontal_ir_wm2},
    {13, "global horizontal radiation", 9999, 0, 2000, &Weather::ghi_wm2},
    {14, "direct normal radiation", 9999, 0, 2000, &Weather::dni_wm2},
    {15, "diffuse horizontal radiation", 9999, 0, 2000, &Weather::dhi_wm2},
    {20, "wind direction", 999, 0, 360, &Weather::wind_dir_deg},
    {21, "wind speed", 999, 0, 40, &Weather::wind_speed_ms},
};
constexpr int kMinFields = 22;

}  // namespace

Weather parse_epw(const std::string& text, const std::string& file) {
  Weather w;
  w.file = file;
  CappedErrors errors(file, " more errors not shown", false);
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  int periods_line = 0;
  bool leap = false;

  // Header: LOCATION first, DATA PERIODS last (line 8 in every EPW).
  for (int h = 0; h < 8; ++h) {
    if (!std::getline(in, raw)) {
      errors.add(line_no, "file ends inside the 8 header lines");
      errors.throw_if_any();
    }
    ++line_no;
    auto f = split_commas(trim(raw));
    if (h == 0) {
      if (trim(f[0]) != "LOCATION" || f.size() < 10) {
        errors.add(line_no, "expected 'LOCATION,city,region,country,source,WMO,latitude,longitude,time zone,elevation'");
        errors.throw_if_any();
      }
      auto& loc = w.location;
      loc.city = std::string(trim(f[1]));
      loc.region = std::string(trim(f[2]));
      loc.country = std::string(trim(f[3]));
      loc.source = std::string(trim(f[4]));
      loc.wmo = std::string(trim(f[5]));
      struct {
        int col;
        const char* name;
        double min, max;
        double* out;
      } header_fields[] = {{6, "latitude", -90, 90, &loc.latitude_deg},
                           {7, "longitude", -180, 180, &loc.longitude_deg},
                           {8, "time zone", -12, 14, &loc.timezone_h},
                           {9, "elevation", -1000, 9000, &loc.elevation_m}};
      for (auto& hf : header_fields) {
        double v = 0;
        if (!to_number(f[hf.col], v) || v < hf.min || v > hf.max)
          errors.add(line_no, std::string("LOCATION field ") + hf.name + ": expected a number in [" +
                                  std::to_string(static_cast<int>(hf.min)) + ", " + std::to_string(static_cast<int>(hf.max)) +
                                  "], got '" + std::string(trim(f[hf.col]).substr(0, 30)) + "'");
        else
          *hf.out = v;
      }
    } else if (h == 4 && trim(f[0]) == "HOLIDAYS/DAYLIGHT SAVINGS") {
      leap = f.size() > 1 && (trim(f[1]) == "Yes" || trim(f[1]) == "yes");
    } else if (h == 7) {
      periods_line = line_no;
      double n = 0, rph = 0;
      if (trim(f[0]) != "DATA PERIODS" || f.size() < 3) {
        errors.add(line_no, "expected 'DATA PERIODS,...' on line 8");
      } else if (!to_number(f[1], n) || n != 1) {
        errors.add(line_no, "DATA PERIODS: only files with one data period are supported, got '" + std::string(trim(f[1])) + "'");
      } else if (!to_number(f[2], rph) || rph < 1 || rph > 60 || 60 % static_cast<int>(rph) != 0 || rph != std::floor(rph)) {
        errors.add(line_no, "DATA PERIODS: records per hour must divide 60, got '" + std::string(trim(f[2])) + "'");
      } else {
        w.records_per_hour = static_cast<int>(rph);
      }
    }
  }
  errors.throw_if_any();

  const int hours = leap ? 8784 : 8760;
  const size_t expected = static_cast<size_t>(hours) * w.records_per_hour;
  for (const auto& fs : kFields) (w.*fs.series).reserve(expected);
  int month = 1, day = 1, hour = 1, sub = 0;

  while (std::getline(in, raw)) {
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty()) continue;
    if (w.size() >= expected) {
      errors.add(line_no, "more records than a full year (" + std::to_string(expected) + ")");
      break;
    }
    auto f = split_commas(line);
    if (static_cast<int>(f.size()) < kMinFields) {
      errors.add(line_no, "record has " + std::to_string(f.size()) + " fields, expected 35 (at least " +
                              std::to_string(kMinFields) + ")");
      if (errors.full()) break;
      continue;
    }
    double m = 0, d = 0, h = 0;
    if (!to_number(f[1], m) || !to_number(f[2], d) || !to_number(f[3], h) || m != month || d != day || h != hour) {
      errors.add(line_no, "field month/day/hour: expected " + std::to_string(month) + "/" + std::to_string(day) + " hour " +
                              std::to_string(hour) + " (a full year in order), got '" + std::string(trim(f[1])) + "/" +
                              std::string(trim(f[2])) + " hour " + std::string(trim(f[3])) + "'");
      errors.throw_if_any();  // the rest of the file cannot be placed in time
    }
    w.month.push_back(month);
    w.day.push_back(day);
    w.hour.push_back(hour);
    for (const auto& fs : kFields) {
      double v = 0;
      std::string_view cell = trim(f[fs.column]);
      if (!to_number(cell, v)) {
        errors.add(line_no, std::string("field ") + std::to_string(fs.column + 1) + " (" + fs.name +
                                "): expected a number, got '" + std::string(cell.substr(0, 30)) + "'");
      } else if (v >= fs.missing) {
        errors.add(line_no, std::string("field ") + std::to_string(fs.column + 1) + " (" + fs.name +
                                "): missing value (" + std::string(cell) + ")");
      } else if (v < fs.min || v > fs.max) {
        errors.add(line_no, std::string("field ") + std::to_string(fs.column + 1) + " (" + fs.name + "): " +
                                std::string(cell) + " is outside [" + std::to_string(static_cast<int>(fs.min)) + ", " +
                                std::to_string(static_cast<int>(fs.max)) + "]");
      }
      (w.*fs.series).push_back(v);
    }
    if (errors.full()) break;
    // Next expected time stamp.
    if (++sub == w.records_per_hour) {
      sub = 0;
      if (++hour > 24) {
        hour = 1;
        int dim = kDaysInMonth[month - 1] + (leap && month == 2 ? 1 : 0);
        if (++day > dim) {
          day = 1;
          ++month;
        }
      }
    }
  }
  if (!errors.full() && w.size() < expected)
    errors.add(line_no, "file ends after " + std::to_string(w.size()) + " records, expected " + std::to_string(expected) +
                            " (a full year, DATA PERIODS on line " + std::to_string(periods_line) + ")");
  errors.throw_if_any();
  for (double& rh : w.relative_humidity) rh /= 100.0;
  return w;
}

Weather read_epw(const std::string& path) { return parse_epw(read_text_file(path), path); }

size_t Weather::record_at(double unix_s) const {
  const CalendarTime c = local_time(unix_s, TimeZone::fixed(static_cast<int>(std::lround(location.timezone_h * 3600))));
  const int day = c.leap_year && c.day_of_year >= 59 ? c.day_of_year - 1 : c.day_of_year;  // 29 February reads the 28th
  return (static_cast<size_t>(day) * 24 * static_cast<size_t>(records_per_hour) +
          static_cast<size_t>(c.hour_frac * records_per_hour)) % size();
}

}  // namespace citytwin::energy
