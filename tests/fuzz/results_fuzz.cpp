// libFuzzer target: reading a results directory (engine/data/results_io.cpp, its CSV fields through
// engine/data/csv_io.cpp; what `citytwin view` and `citytwin render` open) must turn
// any manifest, layer CSV, table CSV, KPI file and sensor pairs into Results or an InputError. The input is
// split at lines "%%" into up to five parts that replace, in this order, manifest.json, the layer's CSV, the
// table's CSV, kpis.json and measured/s1.csv (engine/data/sensor_results_io.cpp) of a small sound results
// directory (written once); parts left out keep the sound file.
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/data/recorder.hpp"
#include "engine/data/results_io.hpp"

namespace {

namespace fs = std::filesystem;

struct Sound {
  fs::path dir;
  std::vector<fs::path> files;  ///< the four replaceable files
  std::vector<std::string> texts;
  ~Sound() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
};

Sound make_sound() {
  citytwin::Recorder rec;
  citytwin::ElementSet b;
  b.name = "buildings";
  b.kind = citytwin::GeometryKind::polygon;
  b.ids = {"b0", "b1"};
  b.polygons = {{citytwin::Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}}, {}}},
                {citytwin::Polygon{{{20, 0}, {30, 0}, {30, 10}, {20, 10}}, {}}}};
  b.heights_m = {10, 20};
  rec.add_set(b);
  const auto layer = rec.add_layer("test.value", "buildings", "kW", "a value");
  rec.record_layer(layer, 0, std::vector<double>{1, 2});
  rec.record_layer(layer, 3600, std::vector<double>{3, 4});
  const auto table = rec.add_table("test.trips", {"id", "time_s"}, {"1", "s"}, "records");
  rec.record_row(table, std::vector<double>{1, 10});
  rec.kpi("test.total", 5, "kWh", "a total");
  citytwin::Results r = rec.take();
  r.info.scenario_name = "fuzz";
  r.info.duration_s = 3600;
  r.info.step_s = 3600;
  citytwin::SensorTrace trace;
  trace.id = "s1";
  trace.quantity = "energy.building_electricity";
  trace.unit = "W";
  trace.times_s = {0, 3600};
  trace.measured = {NAN, 2.5};
  trace.simulated = {1, 2};
  r.sensors.push_back(trace);
  Sound s;
  s.dir = fs::temp_directory_path() / ("citytwin_results_fuzz_" + std::to_string(getpid()));
  citytwin::write_results(s.dir.string(), r, {});
  s.files = {s.dir / "manifest.json", s.dir / "timeseries" / citytwin::layer_file_name("test.value"),
             s.dir / "tables" / citytwin::table_file_name("test.trips"), s.dir / "kpis.json",
             s.dir / "measured" / "s1.csv"};
  for (const auto& f : s.files) {
    std::ifstream in(f, std::ios::binary);
    s.texts.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return s;
}

void write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Sound sound = make_sound();
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t cut = input.find("\n%%\n", start);
    parts.push_back(input.substr(start, cut == std::string::npos ? std::string::npos : cut - start));
    if (cut == std::string::npos || parts.size() == sound.files.size()) break;
    start = cut + 4;
  }
  for (size_t k = 0; k < sound.files.size(); ++k)
    write(sound.files[k], k < parts.size() ? parts[k] : sound.texts[k]);
  try {
    citytwin::load_results(sound.dir.string());
  } catch (const citytwin::InputError&) {
  }
  return 0;
}
