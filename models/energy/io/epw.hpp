#pragma once
/// Reader for EnergyPlus weather files (.epw): location, time zone and the hourly series the energy model
/// uses. Only full-year files are accepted (8,760 hours, or 8,784 with a leap day), so that a record's
/// index is its hour of the year. Irradiances are the file's values: energy over the hour ending at the
/// record's time stamp, i.e. the mean power over that hour in W/m2.
#include <string>
#include <vector>

namespace citytwin::energy {

struct WeatherLocation {
  std::string city, region, country, source, wmo;
  double latitude_deg = 0;   ///< north positive
  double longitude_deg = 0;  ///< east positive
  double timezone_h = 0;     ///< standard time offset from UTC
  double elevation_m = 0;
};

/// Hourly weather, structure of arrays, index = hour of the year (record i covers [i h, (i+1) h) from
/// 1 January 00:00 local standard time).
struct Weather {
  std::string file;
  WeatherLocation location;
  int records_per_hour = 1;
  std::vector<int> month, day, hour;     ///< as in the file (hour 1..24 = end of the interval)
  std::vector<double> dry_bulb_c;        ///< air temperature, degrees Celsius
  std::vector<double> dew_point_c;
  std::vector<double> relative_humidity; ///< 0..1
  std::vector<double> pressure_pa;       ///< station pressure
  std::vector<double> horizontal_ir_wm2; ///< long-wave radiation from the sky on a horizontal surface
  std::vector<double> ghi_wm2;           ///< global horizontal irradiance
  std::vector<double> dni_wm2;           ///< direct normal irradiance
  std::vector<double> dhi_wm2;           ///< diffuse horizontal irradiance
  std::vector<double> wind_dir_deg;
  std::vector<double> wind_speed_ms;

  size_t size() const { return dry_bulb_c.size(); }
  /// Length of one record in seconds (3600 / records_per_hour).
  double step_s() const { return 3600.0 / records_per_hour; }
  /// The record in force at a UTC instant: the file's records are in its local standard time (timezone_h),
  /// in a non-leap year (29 February reads 28 February), and repeat every year.
  size_t record_at(double unix_s) const;
};

/// Reads an EPW file. Throws InputError naming file, line and field (all problems, up to 20).
Weather read_epw(const std::string& path);
/// The same from text; file is used in messages.
Weather parse_epw(const std::string& text, const std::string& file);

}  // namespace citytwin::energy
