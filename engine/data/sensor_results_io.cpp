#include "engine/data/sensor_results_io.hpp"

#include <cmath>
#include <fstream>
#include <set>

#include "engine/core/error.hpp"
#include "engine/core/time.hpp"
#include "engine/data/csv_io.hpp"
#include "engine/data/results_io.hpp"
#include "engine/data/validation_metrics.hpp"

namespace citytwin {

namespace fs = std::filesystem;
using nlohmann::json;

const char* const kValidationHeader =
    "sensor,quantity,unit,n,missing,mae,rmse,mape_pct,nse,geh_lt5_share,cvrmse_pct,nmbe_pct,feed,role,element,snap_m";

namespace {

std::string sensor_file(const std::string& id, std::set<std::string>& taken) {
  const std::string s = file_safe(id);
  std::string name = s;
  for (int k = 2; !taken.insert(name).second; ++k) name = s + "-" + std::to_string(k);
  return "measured/" + name + ".csv";
}

void write_validation(const fs::path& path, const Results& r) {
  std::ofstream out(path, std::ios::binary);
  out << kValidationHeader << '\n';
  for (const auto& s : r.sensors) {
    const FitMetrics m = fit_metrics(s.measured, s.simulated, s.quantity == "traffic.flow");
    out << csv_field(s.id) << ',' << s.quantity << ',' << csv_field(s.unit) << ',' << m.n << ',' << m.missing;
    for (double v : {m.mae, m.rmse, m.mape_pct, m.nse, m.geh_lt5_share, m.cvrmse_pct, m.nmbe_pct})
      out << ',' << format_number(v);
    out << ',' << csv_field(s.feed) << ',' << s.role << ',' << csv_field(s.element) << ',' << format_number(s.snap_m) << '\n';
  }
  if (!out) throw InputError({path.string(), 0, ""}, "cannot write");
}

void write_pairs(const fs::path& path, const SensorTrace& s, std::int64_t start, const TimeZone& zone) {
  std::ofstream out(path, std::ios::binary);
  out << "time,measured,simulated\n";
  for (size_t k = 0; k < s.times_s.size(); ++k)
    out << format_local_datetime(start + std::llround(s.times_s[k]), zone) << ',' << format_number(s.measured[k]) << ','
        << format_number(s.simulated[k]) << '\n';
  if (!out) throw InputError({path.string(), 0, ""}, "cannot write");
}

double number_field(const fs::path& path, int line, const std::string& s) {
  if (s.empty()) return NAN;
  const auto v = parse_number(s);
  if (!v) throw InputError({path.string(), line, ""}, "not a number: \"" + s + "\"");
  return *v;
}

void read_pairs(const fs::path& path, SensorTrace& s, std::int64_t start) {
  std::ifstream in(path);
  if (!in) throw InputError({path.string(), 0, ""}, "missing");
  std::string line;
  std::getline(in, line);
  if (line != "time,measured,simulated") throw InputError({path.string(), 1, ""}, "header must be time,measured,simulated");
  int n = 1;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    const auto f = csv_split(line);
    if (f.size() != 3) throw InputError({path.string(), n, ""}, "expected 3 fields");
    const auto t = parse_datetime(f[0]);
    if (!t) throw InputError({path.string(), n, ""}, "malformed time \"" + f[0] + "\"");
    s.times_s.push_back(static_cast<double>(*t - start));
    s.measured.push_back(number_field(path, n, f[1]));
    s.simulated.push_back(number_field(path, n, f[2]));
  }
}

}  // namespace

json write_sensor_files(const fs::path& dir, const Results& r) {
  json list = json::array();
  if (r.sensors.empty()) return list;
  fs::create_directories(dir / "measured");
  write_validation(dir / "validation.csv", r);
  const TimeZone zone = TimeZone::find_or_utc(r.info.timezone);
  std::set<std::string> taken;
  for (const auto& s : r.sensors) {
    const std::string file = sensor_file(s.id, taken);
    write_pairs(dir / file, s, r.info.start_unix_s, zone);
    list.push_back({{"id", s.id}, {"quantity", s.quantity}, {"unit", s.unit}, {"feed", s.feed}, {"role", s.role},
                    {"set", s.set}, {"element", s.element}, {"simulated_from", s.simulated_from},
                    {"position", {s.position.x, s.position.y}}, {"snap_m", s.snap_m}, {"file", file}});
  }
  return list;
}

void read_sensor_files(const fs::path& dir, const json& sensors, Results& r) {
  if (!sensors.is_array()) return;
  for (const auto& j : sensors) {
    SensorTrace s;
    s.id = j.at("id").get<std::string>();
    s.quantity = j.value("quantity", "");
    s.unit = j.value("unit", "");
    s.feed = j.value("feed", "");
    s.role = j.value("role", "");
    s.set = j.value("set", "");
    s.element = j.value("element", "");
    s.simulated_from = j.value("simulated_from", "");
    s.position = {j.at("position").at(0).get<double>(), j.at("position").at(1).get<double>()};
    s.snap_m = j.value("snap_m", 0.0);
    const std::string file = j.at("file").get<std::string>();
    if (file.find("..") != std::string::npos) throw InputError({(dir / "manifest.json").string(), 0, s.id}, "a sensor file outside the results");
    read_pairs(dir / file, s, r.info.start_unix_s);
    r.sensors.push_back(std::move(s));
  }
}

}  // namespace citytwin
