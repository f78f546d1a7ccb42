// Sensors in the viewer, on the PoC replay's results (scenarios/poc_replay.toml: sensors on buildings and
// water elements, and a city-wide weather station), checked against validation.csv and the manifest read
// here as plain text and JSON.
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <osgDB/ReadFile>
#include <sstream>

#include "engine/data/results_io.hpp"
#include "engine/render/city_scene.hpp"
#include "engine/render/sensor_markers.hpp"
#include "tools/viewer/sensor_panel.hpp"

using namespace citytwin;
namespace fs = std::filesystem;

namespace {

using Row = std::map<std::string, std::string>;

/// The PoC's results, made once by `citytwin run`.
struct PocRun {
  fs::path dir = fs::temp_directory_path() / ("viewer-sensors-" + std::to_string(getpid()));
  PocRun() {
    fs::create_directories(dir);
    const std::string cmd = std::string(CITYTWIN_CLI) + " run " + CITYTWIN_SOURCE_DIR +
                            "/scenarios/poc_replay.toml -q -o " + results().string() + " > /dev/null";
    BOOST_REQUIRE(std::system(cmd.c_str()) == 0);
  }
  ~PocRun() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  fs::path results() const { return dir / "poc"; }
};

PocRun& poc() {
  static PocRun run;
  return run;
}

/// validation.csv's rows by column name (the PoC's fields hold no commas or quotes).
std::map<std::string, Row> validation_rows() {
  std::ifstream in(poc().results() / "validation.csv");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> names;
  for (std::stringstream h(line); std::getline(h, line, ',');) names.push_back(line);
  std::map<std::string, Row> rows;
  while (std::getline(in, line)) {
    Row row;
    std::stringstream cells(line + ",");
    for (const auto& n : names) std::getline(cells, row[n], ',');
    rows[row["sensor"]] = row;
  }
  return rows;
}

nlohmann::json manifest_sensor(const std::string& id) {
  const auto m = nlohmann::json::parse(std::ifstream(poc().results() / "manifest.json"));
  for (const auto& s : m.at("sensors"))
    if (s.at("id") == id) return s;
  BOOST_FAIL("no sensor " + id + " in the manifest");
  return {};
}

double distance_to_line(const osg::Vec2d& p, const Polyline& line) {
  double best = INFINITY;
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    const osg::Vec2d a(line[i].x, line[i].y), b(line[i + 1].x, line[i + 1].y), ab = b - a;
    const double t = std::clamp((p - a) * ab / std::max(ab * ab, 1e-12), 0.0, 1.0);
    best = std::min(best, (a + ab * t - p).length());
  }
  return best;
}

bool near_rgb(const unsigned char* p, const std::array<unsigned char, 3>& want, int tol) {
  for (int c = 0; c < 3; ++c)
    if (std::abs(p[c] - want[c]) > tol) return false;
  return true;
}

std::array<unsigned char, 3> bytes(const render::Rgb& c) {
  const auto b = render::to_bytes(c);
  return {b.r(), b.g(), b.b()};
}

/// The window pixel (x right, y down) of each pin's head seen from the home camera, projected here from the
/// pin's foot and the documented head height.
std::map<std::string, osg::Vec2d> head_pixels(const Results& r, int w, int h) {
  render::CityScene scene(r);
  render::SensorMarkers pins(r, scene);
  const auto cam = render::fit_camera(scene.fit_points(), w, h);
  std::map<std::string, osg::Vec2d> out;
  for (size_t k = 0; k < pins.size(); ++k) {
    const osg::Vec3d ndc = pins.anchor(k) * cam.view * cam.projection;
    out[r.sensors[pins.sensor(k)].id] = {(ndc.x() + 1) * 0.5 * w,
                                         (1 - ndc.y()) * 0.5 * h - render::kPinHeadHeightPx};
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_pin_per_placed_sensor_standing_on_its_element) {
  const auto rows = validation_rows();
  const Results r = load_results(poc().results().string());
  render::CityScene scene(r);
  render::SensorMarkers pins(r, scene);
  size_t placed = 0;
  for (const auto& [id, row] : rows) placed += !row.at("element").empty();
  BOOST_TEST(rows.size() == r.sensors.size());
  BOOST_TEST(placed >= 5u);          // the building meters at least
  BOOST_TEST(placed < rows.size());  // the weather station has no place
  BOOST_TEST(pins.size() == placed);
  BOOST_TEST(pins.unplaced().empty());
  for (size_t k = 0; k < pins.size(); ++k) {
    const std::string id = r.sensors[pins.sensor(k)].id;
    BOOST_TEST_CONTEXT("sensor " << id) {
      const Row& row = rows.at(id);
      const auto m = manifest_sensor(id);
      BOOST_TEST(m.at("element").get<std::string>() == row.at("element"));
      const ElementSet* set = r.find_set(m.at("set").get<std::string>());
      BOOST_REQUIRE(set);
      const size_t e = static_cast<size_t>(std::find(set->ids.begin(), set->ids.end(), row.at("element")) -
                                           set->ids.begin());
      BOOST_REQUIRE(e < set->size());
      const osg::Vec3d foot = pins.anchor(k);
      const osg::Vec2d at(foot.x(), foot.y()),
          sensor(m.at("position").at(0).get<double>(), m.at("position").at(1).get<double>());
      const double snap_m = std::stod(row.at("snap_m"));
      if (set->kind == GeometryKind::polygon) {
        // On the roof (flat polygons, such as water districts, are drawn as 0.5 m slabs).
        BOOST_TEST(foot.z() == std::max(set->heights_m[e], 0.5), boost::test_tools::tolerance(1e-4));
        // A sensor snapped by its position is snapped by its distance to the polygon's centre, where the pin
        // stands; one given by element or zone stands within the polygon's bounds.
        if (snap_m > 0) BOOST_TEST((at - sensor).length() == snap_m, boost::test_tools::tolerance(1e-6));
        double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
        for (const auto& poly : set->polygons[e])
          for (const auto& q : poly.outer)
            x0 = std::min(x0, q.x), y0 = std::min(y0, q.y), x1 = std::max(x1, q.x), y1 = std::max(y1, q.y);
        BOOST_TEST((at.x() > x0 && at.x() < x1 && at.y() > y0 && at.y() < y1));
      } else {
        // A pipe's sensor is snapped to the nearest point of the pipe; the pin stands on the pipe.
        BOOST_REQUIRE(set->kind == GeometryKind::line);
        BOOST_TEST(distance_to_line(at, set->lines[e]) < 1e-3);
        BOOST_TEST((at - sensor).length() >= snap_m - 1e-6);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_click_on_a_pin_shows_the_sensor_its_metrics_and_paired_chart) {
  if (!std::getenv("DISPLAY")) {
    BOOST_TEST_MESSAGE("no DISPLAY: window test skipped (tools/test runs it under xvfb-run)");
    return;
  }
  const int w = 1280, h = 720;
  const Results r = load_results(poc().results().string());
  const auto heads = head_pixels(r, w, h);
  const auto rows = validation_rows();
  const fs::path pins = poc().dir / "pins.png", fit = poc().dir / "fit.png", panel = poc().dir / "panel.png",
                 text = poc().dir / "sensor.txt", script = poc().dir / "script.txt",
                 out = poc().dir / "out.txt";
  // The pin nearest the middle of the view (clear of the panels) is clicked.
  std::string picked;
  for (const auto& [id, p] : heads)
    if (picked.empty() ||
        (p - osg::Vec2d(w / 2, h / 2)).length() < (heads.at(picked) - osg::Vec2d(w / 2, h / 2)).length())
      picked = id;
  BOOST_REQUIRE(!picked.empty());
  const osg::Vec2d click = heads.at(picked);
  const auto where = manifest_sensor(picked);
  std::ofstream(script) << "open " << poc().results().string() << "\npanels off\nscreenshot " << pins.string()
                        << "\nsensor-colors fit\nscreenshot " << fit.string()
                        << "\nsensor-colors quantity\npanels on\n"
                        << "frames 2\nclick " << click.x() << " " << click.y() << "\nexpect-sensor " << picked
                        << "\nexpect-selected " << where.at("set").get<std::string>() << " "
                        << where.at("element").get<std::string>() << "\nwrite-sensor " << text.string()
                        << "\nframes 2\nscreenshot "
                        << panel.string()
                        // A click on the sky clears the sensor.
                        << "\nclick 1100 40\nexpect-sensor none\nexpect-no-error\n";
  const int rc =
      std::system((std::string(CITYTWIN_CLI) + " view --width " + std::to_string(w) + " --height " +
                   std::to_string(h) + " --script " + script.string() + " > " + out.string() + " 2>&1")
                      .c_str());
  std::ifstream log(out);
  BOOST_REQUIRE_MESSAGE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0,
                        std::string(std::istreambuf_iterator<char>(log), {}));

  // Each pin's head, where its element projects, in its quantity's colour, then in its fit class's.
  osg::ref_ptr<osg::Image> by_quantity = osgDB::readImageFile(pins.string()),
                           by_fit = osgDB::readImageFile(fit.string());
  BOOST_REQUIRE(by_quantity && by_fit);
  for (const auto& [id, p] : heads) {
    BOOST_TEST_CONTEXT("pin " << id << " at " << p.x() << ", " << p.y()) {
      const int x = static_cast<int>(std::lround(p.x())), y = h - 1 - static_cast<int>(std::lround(p.y()));
      BOOST_TEST(
          near_rgb(by_quantity->data(x, y), bytes(render::quantity_color(rows.at(id).at("quantity"))), 6));
      const std::string nse = rows.at(id).at("nse");
      BOOST_TEST(near_rgb(by_fit->data(x, y),
                          bytes(render::fit_class(nse.empty() ? NAN : std::stod(nse)).color), 6));
    }
  }

  // The Sensor window's text holds validation.csv's row.
  std::map<std::string, std::string> shown;
  std::ifstream in(text);
  for (std::string line; std::getline(in, line);)
    if (const auto colon = line.find(": "); colon != std::string::npos)
      shown[line.substr(0, colon)] = line.substr(colon + 2);
  BOOST_TEST(shown["sensor"] == picked);
  BOOST_TEST(shown["element"] == rows.at(picked).at("element"));
  for (const char* key :
       {"n", "missing", "mae", "rmse", "mape_pct", "nse", "geh_lt5_share", "cvrmse_pct", "nmbe_pct"}) {
    BOOST_TEST_CONTEXT(key) {
      const std::string want = rows.at(picked).at(key);
      if (want.empty())
        BOOST_TEST(shown[key].empty());
      else
        BOOST_TEST(std::stod(shown[key]) == std::stod(want), boost::test_tools::tolerance(1e-9));
    }
  }

  // The window's chart: both lines' colours inside the window's rectangle, not there before the pick.
  osg::ref_ptr<osg::Image> with_panel = osgDB::readImageFile(panel.string());
  BOOST_REQUIRE(with_panel);
  const auto rect = viewer::sensor_panel_rect(w, h);
  auto count = [&](const osg::Image& img, const std::array<unsigned char, 3>& want) {
    size_t n = 0;
    for (int y = static_cast<int>(rect[1]); y < static_cast<int>(rect[1] + rect[3]); ++y)
      for (int x = static_cast<int>(rect[0]); x < static_cast<int>(rect[0] + rect[2]); ++x)
        n += near_rgb(img.data(x, h - 1 - y), want, 12);
    return n;
  };
  BOOST_TEST(count(*with_panel, viewer::kMeasuredLineRgb) > 300u);
  BOOST_TEST(count(*with_panel, viewer::kSimulatedLineRgb) > 300u);
  BOOST_TEST(count(*by_quantity, viewer::kMeasuredLineRgb) < 20u);
  BOOST_TEST(count(*by_quantity, viewer::kSimulatedLineRgb) < 20u);
}
