#define BOOST_TEST_MODULE citytwin command line
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fs = std::filesystem;

namespace {

const std::string kCli = CITYTWIN_CLI;
const std::string kMonaco = std::string(CITYTWIN_ASSETS) + "/monaco/monaco-2026-07-10.osm.pbf";

struct Outcome {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A scratch folder per test case.
struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("citytwin_cli_" + std::to_string(getpid()));
  Scratch() { fs::create_directories(dir); }
  ~Scratch() { fs::remove_all(dir); }

  Outcome run(const std::string& args) const {
    const std::string cmd = kCli + " " + args + " >" + (dir / "out.txt").string() + " 2>" + (dir / "err.txt").string();
    int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir / "out.txt"), slurp(dir / "err.txt")};
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return dir / name;
  }
  std::string scenario(const std::string& extra = "") const {
    return write("s.toml", "name = \"cli\"\n[city]\nfile = \"" + kMonaco +
                               "\"\n[period]\nstart = \"2026-07-13T06:00\"\nduration = \"3h\"\nstep = \"30min\"\n"
                               "[models.occupancy]\n" + extra)
        .string();
  }
};

int count_lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cli, Scratch)

BOOST_AUTO_TEST_CASE(every_subcommand_has_help) {
  for (const char* sub : {"info", "run", "batch", "render"}) {
    Outcome o = run(std::string(sub) + " --help");
    BOOST_TEST(o.code == 0, sub);
    BOOST_TEST(o.out.find("Usage") != std::string::npos, sub);
  }
}

BOOST_AUTO_TEST_CASE(info_json_counts) {
  Outcome o = run("info --json " + kMonaco);
  BOOST_REQUIRE(o.code == 0);
  auto j = nlohmann::json::parse(o.out);
  BOOST_TEST(j["buildings"]["count"].get<int>() == 1624);
  BOOST_TEST(j["crs"].get<std::string>() == "EPSG:32632");
  BOOST_TEST(j["roads"]["edges"].get<int>() > 1000);
  BOOST_TEST(j["roads"]["lane_km"].get<double>() > 50);
  Outcome text = run("info " + kMonaco);
  BOOST_TEST(text.out.find("buildings   1624") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(run_writes_a_complete_results_directory) {
  const fs::path out = dir / "results";
  Outcome o = run("run -q " + scenario() + " -o " + out.string());
  BOOST_REQUIRE_MESSAGE(o.code == 0, o.err);
  for (const char* f : {"kpis.json", "timeseries/occupancy.people.csv", "layers.gpkg", "run.log", "manifest.json"})
    BOOST_TEST(fs::exists(out / f), f);
  auto kpis = nlohmann::json::parse(slurp(out / "kpis.json"));
  BOOST_TEST(kpis["kpis"]["occupancy.peak_people"]["value"].get<double>() > 0);
  BOOST_TEST(o.out.find("occupancy.peak_people") != std::string::npos);
  // The GeoPackage lists its layers to GDAL (what ogrinfo shows) with one feature per element.
  GDALAllRegister();
  std::unique_ptr<GDALDataset> ds(static_cast<GDALDataset*>(
      GDALOpenEx((out / "layers.gpkg").c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr)));
  BOOST_REQUIRE(ds);
  BOOST_TEST(ds->GetLayerByName("buildings")->GetFeatureCount() == 1624);
  BOOST_TEST(ds->GetLayerByName("roads")->GetFeatureCount() > 1000);
  BOOST_TEST(ds->GetLayerByName("buildings")->GetLayerDefn()->GetFieldIndex("occupancy_people_mean") >= 0);
  // 3 h in 30 min steps: 7 rows and a header.
  BOOST_TEST(count_lines(slurp(out / "timeseries/occupancy.people.csv")) == 8);
}

BOOST_AUTO_TEST_CASE(same_results_at_one_and_two_threads) {
  const std::string s = scenario();
  BOOST_REQUIRE(run("run -q --threads 1 " + s + " -o " + (dir / "t1").string()).code == 0);
  BOOST_REQUIRE(run("run -q --threads 2 " + s + " -o " + (dir / "t2").string()).code == 0);
  for (const auto& entry : fs::directory_iterator(dir / "t1" / "timeseries"))
    BOOST_TEST(slurp(entry.path()) == slurp(dir / "t2" / "timeseries" / entry.path().filename()),
               entry.path().filename());
  BOOST_TEST(slurp(dir / "t1" / "kpis.json") == slurp(dir / "t2" / "kpis.json"));
}

/// Every file under a, relative, with its bytes (run.log left out: it names the output folder).
std::map<std::string, std::string> tree(const fs::path& a) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(a))
    if (e.is_regular_file() && e.path().filename() != "run.log") files[fs::relative(e.path(), a).string()] = slurp(e.path());
  return files;
}

// N runs on one Session (citytwin batch, two at once) are byte for byte N separate `citytwin run`
// processes, and the batch prepares each model's static data once.
BOOST_AUTO_TEST_CASE(batch_is_separate_runs_byte_for_byte) {
  const std::string weather = std::string(CITYTWIN_ASSETS) + "/weather/PRT_Lisboa.085360_INETI.epw";
  std::vector<std::string> files;
  for (int seed = 1; seed <= 3; ++seed) {
    const std::string text = "seed = " + std::to_string(seed) + "\n[city]\nfile = \"" + kMonaco +
                             "\"\n[period]\nstart = \"2026-07-13T06:00+02:00\"\ntimezone = \"Europe/Monaco\"\n"
                             "duration = \"2h\"\nstep = \"15min\"\n[models.occupancy]\nscale = " + std::to_string(0.5 * seed) +
                             "\n[models.traffic]\ntrips_per_day = 3000\n[models.water]\n[models.energy]\nweather = \"" + weather +
                             "\"\npv_share = " + std::to_string(0.2 * seed) + "\n";
    files.push_back(write("s" + std::to_string(seed) + ".toml", text).string());
  }
  for (size_t i = 0; i < files.size(); ++i) {
    Outcome o = run("run " + files[i] + " -q -o " + (dir / "alone" / ("s" + std::to_string(i + 1))).string());
    BOOST_REQUIRE_MESSAGE(o.code == 0, o.err);
  }
  Outcome b = run("batch " + files[0] + " " + files[1] + " " + files[2] + " -j 2 -t 1 -q -o " + (dir / "batch").string());
  BOOST_REQUIRE_MESSAGE(b.code == 0, b.err);
  BOOST_TEST(b.out.find("static data prepared: energy 1x traffic 1x water 1x") != std::string::npos, b.out);
  for (int i = 1; i <= 3; ++i) {
    const std::string name = "s" + std::to_string(i);
    const auto alone = tree(dir / "alone" / name), batch = tree(dir / "batch" / name);
    BOOST_TEST(alone.size() > 10u);
    BOOST_TEST(alone.size() == batch.size(), name);
    for (const auto& [file, bytes] : alone) BOOST_TEST((batch.count(file) && batch.at(file) == bytes), name << "/" << file);
  }
  // The seeds and parameters did make the runs differ.
  BOOST_TEST(tree(dir / "alone" / "s1").at("kpis.json") != tree(dir / "alone" / "s2").at("kpis.json"));
}

// A run stopped by SIGTERM exits 143 (128 + 15) through its own handler and leaves no temporary; one killed
// outright leaves its temporary, which the next run into the same folder removes.
BOOST_AUTO_TEST_CASE(stopped_runs_leave_no_temporaries) {
  const std::string s = write("long.toml", "[city]\nfile = \"" + kMonaco + "\"\n[period]\nstart = \"2026-07-13T00:00\"\n"
                                           "duration = \"72h\"\nstep = \"5min\"\n[models.occupancy]\n[models.traffic]\n").string();
  const fs::path out = dir / "out";
  const std::string script = kCli + " run " + s + " -q -o " + out.string() + " >/dev/null 2>&1 & p=$!; sleep 1.5; kill -TERM $p; wait $p; echo $? >" +
                             (dir / "rc").string();
  BOOST_REQUIRE(std::system(("sh -c '" + script + "'").c_str()) == 0);
  BOOST_TEST(slurp(dir / "rc") == "143\n");
  for (const auto& e : fs::directory_iterator(dir)) BOOST_TEST(e.path().filename().string().find(".tmp-") == std::string::npos, e.path());
  BOOST_TEST(!fs::exists(out));
  // A temporary of a process that is gone (PID 2^22 + 1 is above Linux's largest PID by default, so free).
  const fs::path stale = dir / "out.tmp-4194305";
  fs::create_directories(stale / "timeseries");
  Outcome o = run("run " + scenario() + " -q -o " + out.string());
  BOOST_TEST(o.code == 0, o.err);
  BOOST_TEST(!fs::exists(stale));
  BOOST_TEST(fs::exists(out / "manifest.json"));
}

BOOST_AUTO_TEST_CASE(bad_input_is_one_line_exit_2_and_no_results) {
  const fs::path out = dir / "results";
  auto expect_error = [&](const std::string& args, const std::string& start) {
    Outcome o = run(args);
    BOOST_TEST(o.code == 2, args);
    BOOST_TEST(count_lines(o.err) == 1, args << ": " << o.err);
    BOOST_TEST(o.err.rfind("citytwin: " + start, 0) == 0u, args << ": " << o.err);
    BOOST_TEST(!fs::exists(out), args);
  };
  expect_error("info /nonexistent/city.osm.pbf", "/nonexistent/city.osm.pbf: no such file");
  const fs::path junk = write("junk.osm", "<not an osm file>\n");
  expect_error("info " + junk.string(), junk.string() + ": ");
  {
    std::ifstream in(kMonaco, std::ios::binary);
    std::string head(20000, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    write("truncated.osm.pbf", head);
  }
  expect_error("info " + (dir / "truncated.osm.pbf").string(), (dir / "truncated.osm.pbf").string() + ": ");
  expect_error("info --buildings-layer nope " + kMonaco, kMonaco + ": layer nope: no such layer");
  const fs::path broken = write("broken.toml", "name = \"x\"\n[period\n");
  expect_error("run " + broken.string() + " -o " + out.string(), broken.string() + ":2: malformed TOML");
  const std::string s = scenario("colour = \"red\"\n");
  expect_error("run " + s + " -o " + out.string(), s + ":9: models.occupancy.colour: unknown key");
  // A folder of something else is refused before anything else (here a bad key the scenario also has) and
  // left as it was: a run is not made only to find it cannot be written.
  const fs::path other = dir / "notes";
  fs::create_directories(other);
  std::ofstream(other / "mine.txt") << "keep me\n";
  Outcome o = run("run " + scenario("colour = \"red\"\n") + " -q -o " + other.string());
  BOOST_TEST(o.code == 2);
  BOOST_TEST(o.err == "citytwin: " + other.string() + ": exists and is not a results directory: not replacing it\n", o.err);
  BOOST_TEST(slurp(other / "mine.txt") == "keep me\n");
  BOOST_TEST(std::distance(fs::directory_iterator(other), fs::directory_iterator()) == 1);
#ifdef CITYTWIN_HAS_RENDER
  expect_error("render " + scenario() + " --at 07:00 --layer nope -o " + (dir / "x.png").string(), "layer nope: unknown layer");
#else
  expect_error("render " + scenario() + " --at 07:00 --layer nope -o " + (dir / "x.png").string(),
               "render: this build has no renderer");
  expect_error("view " + scenario(), "view: this build has no viewer");
#endif
}

#ifndef CITYTWIN_HAS_RENDER
// The headless build (CITYTWIN_RENDER=OFF) links no OpenSceneGraph, OpenGL or ImGui, directly or through
// another library: ldd lists every shared library the binary loads.
BOOST_AUTO_TEST_CASE(headless_binary_loads_no_graphics_library) {
  const std::string cmd = "ldd " + kCli + " >" + (dir / "ldd.txt").string();
  BOOST_REQUIRE(std::system(cmd.c_str()) == 0);
  const std::string libs = slurp(dir / "ldd.txt");
  BOOST_TEST(libs.find("libtbb") != std::string::npos);  // ldd did list the libraries
  for (const char* lib : {"libosg", "libOpenThreads", "libGL", "libGLX", "libimgui", "libX11"})
    BOOST_TEST(libs.find(lib) == std::string::npos, lib);
}
#endif

BOOST_AUTO_TEST_SUITE_END()
