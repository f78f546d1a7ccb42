#define BOOST_TEST_MODULE viewer
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <osgDB/ReadFile>
#include <sstream>

#include "engine/core/error.hpp"
#include "engine/data/results_io.hpp"
#include "engine/geo/geometry.hpp"
#include "engine/render/city_scene.hpp"
#include "engine/sim/scenario.hpp"
#include "tools/viewer/script.hpp"
#include "tools/viewer/session.hpp"
#include "tools/viewer/whatif.hpp"

using namespace citytwin;
using namespace citytwin::viewer;
namespace fs = std::filesystem;

namespace {

const std::string kGrid = std::string(CITYTWIN_TEST_DATA) + "/viewer/grid.toml";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int shell(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/// A temporary folder with the grid scenario's results in it, made once by `citytwin run`.
struct GridRun {
  fs::path dir;
  GridRun() {
    dir = fs::temp_directory_path() / ("viewer-test-" + std::to_string(getpid()));
    fs::create_directories(dir);
    BOOST_REQUIRE(shell(std::string(CITYTWIN_CLI) + " run " + kGrid + " -q -o " + (dir / "a").string() +
                        " > /dev/null") == 0);
  }
  ~GridRun() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  fs::path results() const { return dir / "a"; }
};

GridRun& grid() {
  static GridRun run;
  return run;
}

/// The value of column `id` at row `time_s` of a layer CSV, read here without the results reader.
double csv_value(const fs::path& csv, const std::string& id, double time_s) {
  std::ifstream in(csv);
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> cols;
  for (std::stringstream h(header); std::getline(h, line, ',');) cols.push_back(line);
  const auto col = std::find(cols.begin(), cols.end(), id) - cols.begin();
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    for (std::stringstream r(line); std::getline(r, header, ',');) cells.push_back(header);
    if (std::stod(cells[0]) == time_s) return std::stod(cells.at(static_cast<size_t>(col)));
  }
  return NAN;
}

bool has_display() {
  if (std::getenv("DISPLAY")) return true;
  BOOST_TEST_MESSAGE("no DISPLAY: window tests skipped (tools/test runs them under xvfb-run)");
  return false;
}

/// Runs `citytwin view --script` on a script text; returns the exit status and the output.
std::pair<int, std::string> run_script(const std::string& name, const std::string& text, int width = 800,
                                       int height = 600) {
  const fs::path script = grid().dir / (name + ".txt"), out = grid().dir / (name + ".out");
  std::ofstream(script) << text;
  const int rc =
      shell(std::string(CITYTWIN_CLI) + " view --width " + std::to_string(width) + " --height " +
            std::to_string(height) + " --script " + script.string() + " > " + out.string() + " 2>&1");
  return {rc, read(out)};
}

/// Window pixels (x right, y down from the top-left) of the element anchors of a set (of every set when
/// `set` is empty; the first set's element for an ID in several), seen from the home camera.
std::map<std::string, osg::Vec2d> home_pixels(const Results& r, const std::string& set, int w, int h) {
  render::CityScene scene(r);
  const auto cam = render::fit_camera(scene.fit_points(), w, h);
  std::map<std::string, osg::Vec2d> out;
  for (size_t s = 0; s < scene.sets().size(); ++s) {
    if (!set.empty() && scene.sets()[s].set->name != set) continue;
    const auto& ids = scene.sets()[s].set->ids;
    for (std::uint32_t e = 0; e < ids.size(); ++e) {
      const osg::Vec3d ndc = osg::Vec3d(scene.element_anchor(s, e)) * cam.view * cam.projection;
      out.try_emplace(ids[e], (ndc.x() + 1) * 0.5 * w, (1 - ndc.y()) * 0.5 * h);
    }
  }
  return out;
}

/// The window pixel of one element's anchor, of any set.
std::pair<double, double> home_pixel(const fs::path& results, const std::string& id, int w, int h) {
  const auto all = home_pixels(load_results(results.string()), "", w, h);
  const auto it = all.find(id);
  if (it == all.end()) BOOST_FAIL("no element " + id);
  return {it->second.x(), it->second.y()};
}

std::array<float, 3> pixel(const osg::Image& img, double x, double y_down) {
  const unsigned char* p = img.data(static_cast<int>(x), img.t() - 1 - static_cast<int>(y_down));
  return {p[0] / 255.f, p[1] / 255.f, p[2] / 255.f};
}

}  // namespace

BOOST_AUTO_TEST_CASE(whatif_scenario_runs_from_anywhere_with_the_interventions) {
  const std::string base = read(kGrid);
  InterventionDraft d{"08:00", "10:00", "occupancy", "scale", "office", "factor = 0.25"};
  const std::string text = whatif_scenario_text(base, kGrid, "grid-b", {d});
  // Parsed as a scenario from another folder: the city path was made absolute.
  const Scenario sc = parse_scenario(text, (fs::temp_directory_path() / "b.toml").string());
  BOOST_TEST(sc.name == "grid-b");
  BOOST_TEST(fs::path(sc.city.path).is_absolute());
  BOOST_TEST(fs::equivalent(sc.city.path, fs::path(CITYTWIN_TEST_DATA) / "viewer/grid_city.geojson"));
  BOOST_REQUIRE(sc.interventions.size() == 1u);
  BOOST_TEST(sc.interventions[0].at_s == 2 * 3600.0);
  BOOST_TEST(sc.interventions[0].until_s == 4 * 3600.0);
  BOOST_TEST(sc.interventions[0].target == "office");
  BOOST_TEST(sc.interventions[0].params["factor"].value<double>().value_or(-1) == 0.25);
  BOOST_TEST(scenario_models(text) == std::vector<std::string>{"occupancy"});
  d.params = "factor = = 2";
  BOOST_CHECK_THROW(whatif_scenario_text(base, kGrid, "x", {d}), InputError);
}

BOOST_AUTO_TEST_CASE(script_errors_name_file_and_line) {
  const fs::path p = fs::temp_directory_path() / ("viewer-script-" + std::to_string(getpid()) + ".txt");
  std::ofstream(p) << "open x\n# comment\nfly away\ntime\nselect roads w1#0 # a comment\n";
  try {
    load_script(p.string());
    BOOST_FAIL("no error");
  } catch (const InputError& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find(p.string() + ":3") != std::string::npos, what);
    BOOST_TEST(what.find(p.string() + ":4") != std::string::npos, what);
    BOOST_TEST(what.find(p.string() + ":5") == std::string::npos, what);
  }
  std::ofstream(p) << "select roads w1#0 # a comment\n";
  const auto commands = load_script(p.string());
  BOOST_REQUIRE(commands.size() == 1u);
  BOOST_TEST(commands[0].args == (std::vector<std::string>{"roads", "w1#0"}));
  fs::remove(p);
}

BOOST_AUTO_TEST_CASE(selection_shows_the_recorded_value_at_the_current_time) {
  Session s(CITYTWIN_CLI);
  s.open(grid().results().string());
  BOOST_REQUIRE(s.a());
  BOOST_TEST(s.layer() == "occupancy.people");  // discovered from the results, not named in the viewer
  s.set_time(3 * 3600 + 1200);                  // 09:20 shows the 09:00 record
  BOOST_REQUIRE(s.select_id("buildings", "b5"));
  const double expected = csv_value(grid().results() / "timeseries/occupancy.people.csv", "b5", 3 * 3600);
  std::ostringstream want;
  want << "layer occupancy.people [people] at 2026-07-13 09:20 UTC: " << expected << "\n";
  BOOST_TEST(s.selection_text().find(want.str()) != std::string::npos, s.selection_text());
  BOOST_TEST(s.selection_text().find("attribute use: office") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_input_becomes_a_message_never_a_crash) {
  const fs::path bad = grid().dir / "bad";
  fs::create_directories(bad / "foreign");
  fs::create_directories(bad / "corrupt");
  std::ofstream(bad / "corrupt/manifest.json") << "{ not json";
  fs::copy(grid().results(), bad / "older", fs::copy_options::recursive);
  {
    // An older format version in the manifest.
    std::string m = read(bad / "older/manifest.json");
    const auto at = m.find("\"version\"");
    BOOST_REQUIRE(at != std::string::npos);
    m.replace(at, m.find_first_of(",}", at) - at, "\"version\": 0");
    std::ofstream(bad / "older/manifest.json") << m;
  }
  fs::copy(grid().results(), bad / "missing", fs::copy_options::recursive);
  fs::remove(bad / "missing/timeseries/occupancy.people.csv");  // a layer the manifest lists
  fs::copy(grid().results(), bad / "truncated", fs::copy_options::recursive);
  std::ofstream(bad / "truncated/timeseries/occupancy.people.csv")
      << "time_s,time,b1\n0,2026-07-13T06:00:00,1,2,3\n";

  Session s(CITYTWIN_CLI);
  for (const char* d : {"foreign", "corrupt", "older", "missing", "truncated"}) {
    const size_t before = s.messages().size();
    s.open((bad / d).string());
    BOOST_TEST(!s.a(), d);
    BOOST_REQUIRE(s.messages().size() == before + 1);
    BOOST_TEST(s.messages().back().error, s.messages().back().text);
    BOOST_TEST(s.messages().back().text.find(d) != std::string::npos, s.messages().back().text);
  }
  s.open((bad / "no-such-thing").string());
  BOOST_TEST(s.messages().back().error);
  // A scenario whose run fails (in the background): its error, with file and line, becomes a message.
  std::string broken = read(kGrid);
  broken.replace(broken.find("grid_city.geojson"), 17,
                 std::string(CITYTWIN_TEST_DATA) + "/viewer/grid_city.geojson");
  std::ofstream(bad / "broken.toml")
      << broken << "\n[[interventions]]\nat = \"07:00\"\nmodel = \"occupancy\"\naction = \"explode\"\n";
  s.open((bad / "broken.toml").string());
  BOOST_TEST(s.busy());
  for (int i = 0; i < 600 && s.busy(); ++i) {
    s.poll();
    usleep(50000);
  }
  BOOST_TEST(!s.a());
  BOOST_TEST(s.messages().back().error);
  BOOST_TEST(s.messages().back().text.find("broken.toml:") != std::string::npos, s.messages().back().text);
  BOOST_TEST(s.messages().back().text.find("explode") != std::string::npos, s.messages().back().text);
  s.open(grid().results().string());
  BOOST_REQUIRE(s.a());
  BOOST_TEST(!s.set_layer("water.pressure"));
  BOOST_TEST(s.messages().back().text.find("unknown layer water.pressure") != std::string::npos);
  BOOST_TEST(s.layer() == "occupancy.people");
  BOOST_TEST(!s.set_view(ViewMode::difference));  // no B yet
}

BOOST_AUTO_TEST_CASE(click_on_the_projected_centre_picks_the_building) {
  if (!has_display()) return;
  const auto [x, y] = home_pixel(grid().results(), "b5", 800, 600);
  std::ostringstream script;
  script << "open " << grid().results().string() << "\npanels off\ntime 09:00\nclick " << x << " " << y
         << "\nexpect-selected buildings b5\nwrite-selection " << (grid().dir / "sel.txt").string()
         << "\nexpect-message picked buildings b5\nclick 5 590\nexpect-selected none none\n"
         // A hidden set is not picked: the click reaches the ground under the building.
         << "hide buildings\nclick " << x << " " << y
         << "\nexpect-selected none none\nshow buildings\n"
         // With the panels on, a click on a panel is the panel's, not a pick through it.
         << "panels on\nframes 2\nselect buildings b5\nclick 100 150\nexpect-selected buildings "
            "b5\nexpect-no-error\n";
  const auto [rc, out] = run_script("pick", script.str());
  BOOST_TEST(rc == 0, out);
  const std::string sel = read(grid().dir / "sel.txt");
  BOOST_TEST(sel.find("id: b5") != std::string::npos, sel);
  BOOST_TEST(sel.find("attribute use: office") != std::string::npos, sel);
}

BOOST_AUTO_TEST_CASE(whatif_difference_is_neutral_where_nothing_changed) {
  if (!has_display()) return;
  const fs::path shot_a = grid().dir / "a.png", shot_d = grid().dir / "diff.png",
                 saved = grid().dir / "b.toml";
  std::ostringstream script;
  script << "open " << grid().results().string()
         << "\npanels off\nlayer occupancy.people\nrange 0 240\ntime 09:00\n"
         << "screenshot " << shot_a.string()
         << "\nselect buildings b5\nintervene occupancy scale @pick.use factor=0\n"
         << "whatif\nexpect-no-error\nview difference\nscreenshot " << shot_d.string() << "\nsave-whatif "
         << saved.string() << "\nwrite-kpis " << (grid().dir / "kpis.csv").string() << "\n";
  const auto [rc, out] = run_script("whatif", script.str());
  BOOST_REQUIRE_MESSAGE(rc == 0, out);
  osg::ref_ptr<osg::Image> a = osgDB::readImageFile(shot_a.string()),
                           d = osgDB::readImageFile(shot_d.string());
  BOOST_REQUIRE(a && d);
  BOOST_REQUIRE(a->s() == 800 && a->t() == 600);
  const render::ColorMap viridis = render::ColorMap::named("viridis"),
                         diverging = render::ColorMap::named("diverging");
  const fs::path csv = grid().results() / "timeseries/occupancy.people.csv";
  for (const char* id : {"b1", "b3", "b4", "b5", "b7", "b9"}) {
    const auto [x, y] = home_pixel(grid().results(), id, 800, 600);
    // A: the roof shows the viridis colour of the recorded value on the 0..240 scale.
    const render::Rgb want = viridis.at(csv_value(csv, id, 3 * 3600) / 240);
    const auto got = pixel(*a, x, y);
    BOOST_TEST(std::abs(got[0] - want.r) < 0.03, id << " A red " << got[0] << " vs " << want.r);
    BOOST_TEST(std::abs(got[1] - want.g) < 0.03, id << " A green " << got[1] << " vs " << want.g);
    BOOST_TEST(std::abs(got[2] - want.b) < 0.03, id << " A blue " << got[2] << " vs " << want.b);
    // Difference: offices (b2, b5, b9 in grid.toml's city) lost everyone and turn blue; the rest is the
    // neutral middle of the diverging map.
    const auto diff = pixel(*d, x, y);
    const bool office = std::string(id) == "b5" || std::string(id) == "b9";
    const render::Rgb neutral = diverging.at(0.5);
    if (office) {
      BOOST_TEST(diff[2] > diff[0] + 0.2f, id << " should be blue");
    } else {
      BOOST_TEST(std::abs(diff[0] - neutral.r) < 0.03, id << " diff red " << diff[0]);
      BOOST_TEST(std::abs(diff[1] - neutral.g) < 0.03, id << " diff green " << diff[1]);
      BOOST_TEST(std::abs(diff[2] - neutral.b) < 0.03, id << " diff blue " << diff[2]);
    }
  }
  // The saved what-if reproduces B with `citytwin run` from another folder.
  const fs::path rerun = grid().dir / "rerun";
  BOOST_REQUIRE(shell("cd / && " + std::string(CITYTWIN_CLI) + " run " + saved.string() + " -q -o " +
                      rerun.string() + " > /dev/null") == 0);
  const std::string kpis = read(grid().dir / "kpis.csv");
  const Results b = load_results(rerun.string());
  std::ostringstream peak;
  peak << "occupancy.peak_people,people,"
       << load_results(grid().results().string()).find_kpi("occupancy.peak_people")->value << ","
       << b.find_kpi("occupancy.peak_people")->value << "\n";
  BOOST_TEST(kpis.find(peak.str()) != std::string::npos, kpis << " lacks " << peak.str());
  // Offices are empty in the rerun, everyone else as in A.
  const fs::path csv_b = rerun / "timeseries/occupancy.people.csv";
  BOOST_TEST(csv_value(csv_b, "b5", 3 * 3600) == 0);
  BOOST_TEST(csv_value(csv_b, "b1", 3 * 3600) == csv_value(csv, "b1", 3 * 3600));
}

BOOST_AUTO_TEST_CASE(timeline_recolours_per_step_without_rebuilding_geometry) {
  Session s(CITYTWIN_CLI);
  s.open(grid().results().string());
  BOOST_REQUIRE(s.a());
  BOOST_TEST(s.step() == 3600.0);
  BOOST_TEST(s.refresh_colors());
  const auto& set = s.primary_scene()->sets().front();
  const osg::Array* vertices = set.geometry->getVertexArray();
  const auto* colors = static_cast<const osg::Vec4ubArray*>(set.geometry->getColorArray());
  const std::vector<osg::Vec4ub> at_0(colors->begin(), colors->end());
  s.set_time(600);  // still the 06:00 record: nothing to do
  BOOST_TEST(!s.refresh_colors());
  s.set_time(3 * 3600);
  BOOST_TEST(s.refresh_colors());
  BOOST_TEST(set.geometry->getVertexArray() == vertices);  // same geometry, new colours
  BOOST_TEST(set.geometry->getColorArray() == colors);
  BOOST_TEST(std::vector<osg::Vec4ub>(colors->begin(), colors->end()) != at_0);
  s.set_time(1e9);  // clamped to the end of the run
  BOOST_TEST(s.time() == s.duration());
}

namespace {

/// The bundled city with water and traffic (tests/data/viewer/monaco_net.toml), run once.
struct MonacoRun {
  fs::path dir;
  MonacoRun() {
    dir = grid().dir / "monaco";
    BOOST_REQUIRE(shell(std::string(CITYTWIN_CLI) + " run " + std::string(CITYTWIN_TEST_DATA) +
                        "/viewer/monaco_net.toml -q -o " + (dir / "a").string() + " > /dev/null") == 0);
  }
  fs::path results() const { return dir / "a"; }
};

MonacoRun& monaco() {
  static MonacoRun run;
  return run;
}

bool near_rgb(const std::array<float, 3>& got, const render::Rgb& want, float tol = 0.03f) {
  return std::abs(got[0] - want.r) < tol && std::abs(got[1] - want.g) < tol &&
         std::abs(got[2] - want.b) < tol;
}

}  // namespace

BOOST_AUTO_TEST_CASE(closed_road_and_burst_junction_are_drawn_where_the_data_says) {
  if (!has_display()) return;
  const int w = 1280, h = 720;
  const fs::path a_dir = monaco().results(), shots = monaco().dir;
  const Results a = load_results(a_dir.string());
  const ElementSet* roads = a.find_set("roads");
  const ElementSet* nodes = a.find_set("water.nodes");
  BOOST_REQUIRE(roads && nodes);
  // The road to close: the longest of two lanes or more whose middle lies at least 15 m from any other
  // road (so no other ribbon covers the pixel looked at).
  const render::CityScene probe(a);
  size_t road_set = 0;
  while (probe.sets()[road_set].set->name != "roads") ++road_set;
  const Attribute* lanes = nullptr;
  const Attribute* length = nullptr;
  for (const auto& attr : roads->attributes) {
    if (attr.name == "lanes") lanes = &attr;
    if (attr.name == "length_m") length = &attr;
  }
  BOOST_REQUIRE(lanes && length);
  std::vector<size_t> order(roads->size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t i, size_t j) { return length->numbers[i] > length->numbers[j]; });
  std::string road;
  for (size_t i : order) {
    if (lanes->numbers[i] < 2) continue;
    const osg::Vec3 m = probe.element_anchor(road_set, static_cast<std::uint32_t>(i));
    bool clear = true;
    for (size_t j = 0; j < roads->size() && clear; ++j)
      clear = j == i || roads->ids[j] == "-" + roads->ids[i] || roads->ids[i] == "-" + roads->ids[j] ||
              project_onto(roads->lines[j], {m.x(), m.y()}).distance > 15;
    if (clear) {
      road = roads->ids[i];
      break;
    }
  }
  BOOST_REQUIRE(!road.empty());
  const std::string burst = "J100";
  std::ostringstream script;
  script << "open " << a_dir.string() << "\npanels off\nhide buildings\nhide water.pipes\nhide roads\n"
         << "layer water.pressure\nrange 0 60\ntime 08:30\nscreenshot " << (shots / "a_pressure.png").string()
         << "\nselect roads " << road << "\nintervene traffic close_edge @pick\n"
         << "select water.nodes " << burst << "\nintervene water burst @pick leak_diameter_mm=150\n"
         << "whatif\nexpect-no-error\nview b\nrange 0 60\nscreenshot " << (shots / "b_pressure.png").string()
         << "\nview difference\nscreenshot " << (shots / "diff_pressure.png").string()
         << "\nview b\nhide water.nodes\nshow roads\nlayer traffic.speed\nscreenshot "
         << (shots / "b_roads.png").string() << "\nview a\nscreenshot " << (shots / "a_roads.png").string()
         << "\nexpect-no-error\n";
  const auto [rc, out] = run_script("monaco", script.str(), w, h);
  BOOST_REQUIRE_MESSAGE(rc == 0, out);
  // What B's data says, from a run of the same interventions here (the viewer's own run left with it).
  std::string base = read(fs::path(CITYTWIN_TEST_DATA) / "viewer/monaco_net.toml");
  base.replace(base.find("../../../assets"), 15, std::string(CITYTWIN_ASSETS));
  std::ofstream(shots / "b.toml") << base << "\n[[interventions]]\nat = \"08:00\"\nmodel = \"traffic\"\n"
                                  << "action = \"close_edge\"\ntarget = \"" << road
                                  << "\"\n\n[[interventions]]\n"
                                  << "at = \"08:00\"\nmodel = \"water\"\naction = \"burst\"\ntarget = \""
                                  << burst << "\"\nleak_diameter_mm = 150\n";
  BOOST_REQUIRE(shell(std::string(CITYTWIN_CLI) + " run " + (shots / "b.toml").string() + " -q -o " +
                      (shots / "b").string() + " > /dev/null") == 0);

  osg::ref_ptr<osg::Image> a_p = osgDB::readImageFile((shots / "a_pressure.png").string()),
                           b_p = osgDB::readImageFile((shots / "b_pressure.png").string()),
                           d_p = osgDB::readImageFile((shots / "diff_pressure.png").string()),
                           b_r = osgDB::readImageFile((shots / "b_roads.png").string()),
                           a_r = osgDB::readImageFile((shots / "a_roads.png").string());
  BOOST_REQUIRE(a_p && b_p && d_p && b_r && a_r);

  // The closed road: drawn in the closed colour in B, in its speed colour (or no-data grey) in A; and B's
  // model indeed let no vehicle onto it.
  const auto road_px = home_pixels(a, "roads", w, h).at(road);
  BOOST_TEST(near_rgb(pixel(*b_r, road_px.x(), road_px.y()), render::kClosedColor), road);
  BOOST_TEST(!near_rgb(pixel(*a_r, road_px.x(), road_px.y()), render::kClosedColor, 0.1f), road);
  const double flow_b = csv_value(shots / "b/timeseries/traffic.flow.csv", road, 1800);
  BOOST_TEST((flow_b == 0 || std::isnan(flow_b)), road << " flow in B " << flow_b);

  // The burst: junctions whose pressure fell show the low end of the map in B and are blue in the
  // difference; those it left alone keep their colour, and are neutral in the difference. Only junctions
  // 15 m or more from any other are looked at (markers do not overlap there).
  const auto node_px = home_pixels(a, "water.nodes", w, h);
  const render::ColorMap viridis = render::ColorMap::named("viridis"),
                         diverging = render::ColorMap::named("diverging");
  int near = 0, far = 0;
  for (size_t i = 0; i < nodes->size(); ++i) {
    bool alone = true;
    for (size_t j = 0; j < nodes->size() && alone; ++j)
      alone = j == i || std::hypot(nodes->points[i].x - nodes->points[j].x,
                                   nodes->points[i].y - nodes->points[j].y) >= 15;
    if (!alone) continue;
    const std::string& id = nodes->ids[i];
    const double pa = csv_value(a_dir / "timeseries/water.pressure.csv", id, 1800);
    const double pb = csv_value(shots / "b/timeseries/water.pressure.csv", id, 1800);
    const osg::Vec2d px = node_px.at(id);
    if (px.x() < 1 || px.y() < 1 || px.x() > w - 2 || px.y() > h - 2) continue;
    const auto got_b = pixel(*b_p, px.x(), px.y()), got_a = pixel(*a_p, px.x(), px.y());
    const auto got_d = pixel(*d_p, px.x(), px.y());
    if (pa > 40 && pb < 12) {
      ++near;
      BOOST_TEST(near_rgb(got_b, viridis.at(pb / 60)), id << " B " << pb << " m");
      BOOST_TEST(got_d[2] > got_d[0] + 0.2f, id << " should be blue in the difference");
    } else if (std::abs(pb - pa) < 0.3 && pa > 30) {
      if (++far > 40) continue;
      BOOST_TEST(near_rgb(got_a, viridis.at(pa / 60)), id << " A " << pa << " m");
      BOOST_TEST(near_rgb(got_b, viridis.at(pb / 60)), id << " B " << pb << " m");
      BOOST_TEST(near_rgb(got_d, diverging.at(0.5)), id << " difference not neutral");
    }
  }
  BOOST_TEST(near >= 3);
  BOOST_TEST(far >= 20);
}

namespace {

/// The grid run with two vehicles' positions: vehicle 1 drives east 100 m in 10 s from 07:00, vehicle 2
/// north from (50, 50) at 07:00 to (50, 80) at 08:00, slowing from 2 m/s to a stop.
Results with_vehicles() {
  Results r = load_results(grid().results().string());
  Table t;
  t.name = render::kVehicleTable;
  t.columns = {"t_s", "vehicle", "x_m", "y_m", "heading_rad", "speed_mps"};
  t.units = {"s", "1", "m", "m", "rad", "m/s"};
  t.values = {3600, 1, 0, 0, 0, 10, 3610, 1, 100, 0, 0, 10, 3600, 2, 50, 50, 1.5, 2, 7200, 2, 50, 80, 1.5, 0};
  r.tables.push_back(t);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_moving_vehicle_is_drawn_where_and_in_the_colour_its_samples_say) {
  if (!has_display()) return;
  const fs::path dir = grid().dir / "drawn-vehicles";
  const Results r = with_vehicles();
  write_results(dir.string(), r, {});
  const fs::path shot = grid().dir / "vehicles.png", hidden = grid().dir / "no-vehicles.png";
  std::ostringstream script;
  script << "open " << dir.string() << "\npanels off\nhide buildings\nhide roads\ntime 07:30\nscreenshot "
         << shot.string() << "\nhide vehicles\nscreenshot " << hidden.string() << "\nexpect-no-error\n";
  const auto [rc, out] = run_script("vehicles", script.str());
  BOOST_REQUIRE_MESSAGE(rc == 0, out);
  osg::ref_ptr<osg::Image> img = osgDB::readImageFile(shot.string()),
                           none = osgDB::readImageFile(hidden.string());
  BOOST_REQUIRE(img && none);
  // At 07:30 vehicle 2 is halfway: (50, 65), roof 2.4 m up, at 1 of the 10 m/s top speed.
  render::CityScene scene(r);
  const auto cam = render::fit_camera(scene.fit_points(), 800, 600);
  const osg::Vec3d ndc = osg::Vec3d(50, 65, 0.8 + render::Vehicles::kHeight) * cam.view * cam.projection;
  const double x = (ndc.x() + 1) * 400, y = (1 - ndc.y()) * 300;
  const render::Rgb want = render::ColorMap::named("traffic").at(0.1);
  BOOST_TEST(near_rgb(pixel(*img, x, y), want), "vehicle pixel " << pixel(*img, x, y)[0] << " "
                                                                 << pixel(*img, x, y)[1] << " "
                                                                 << pixel(*img, x, y)[2]);
  BOOST_TEST(!near_rgb(pixel(*none, x, y), want, 0.1f));  // hidden: the ground shows there
  // Vehicle 1 came and went at 07:00: nothing drawn where it drove.
  const osg::Vec3d gone = osg::Vec3d(50, 0, 0.8 + render::Vehicles::kHeight) * cam.view * cam.projection;
  BOOST_TEST(pixel(*img, (gone.x() + 1) * 400, (1 - gone.y()) * 300) ==
             pixel(*none, (gone.x() + 1) * 400, (1 - gone.y()) * 300));
}

BOOST_AUTO_TEST_CASE(vehicles_are_shown_only_when_their_positions_were_recorded) {
  Session s(CITYTWIN_CLI);
  s.open(grid().results().string());
  BOOST_REQUIRE(s.a());
  BOOST_TEST(!s.a()->vehicles);  // no traffic.vehicles table in this run: nothing to draw
  BOOST_TEST(s.update_vehicles() == 0u);

  // The same run with two vehicles' positions, written and read back as a results directory.
  Results r = with_vehicles();
  const fs::path with = grid().dir / "with-vehicles";
  write_results(with.string(), r, {});
  s.open(with.string());
  BOOST_REQUIRE(s.a() && s.a()->vehicles);
  BOOST_TEST(s.a()->vehicles->vehicles() == 2u);
  s.set_time(3605);
  BOOST_TEST(s.update_vehicles() == 2u);
  BOOST_TEST(std::abs(s.a()->vehicles->position(0).x() - 50) < 1e-3);  // halfway from 0 to 100 m
  s.set_time(5400);
  BOOST_TEST(s.update_vehicles() == 1u);  // vehicle 1 has left, vehicle 2 is halfway up
  BOOST_TEST(std::abs(s.a()->vehicles->position(1).y() - 65) < 1e-3);
  s.set_visible("vehicles", false);
  BOOST_TEST(s.a()->vehicles->node()->getNodeMask() == 0u);

  // A table without the columns the viewer needs: a message, and the run opens without vehicles.
  r.tables.back().columns[2] = "lon";
  const fs::path bad = grid().dir / "bad-vehicles";
  write_results(bad.string(), r, {});
  s.open(bad.string());
  BOOST_REQUIRE(s.a());
  BOOST_TEST(!s.a()->vehicles);
  bool told = false;
  for (const auto& m : s.messages())
    told = told || (m.error && m.text.find("vehicles not shown") != std::string::npos &&
                    m.text.find("no column x_m") != std::string::npos);
  BOOST_TEST(told);
}
