#include <gdal_utils.h>
#include <gdal_priv.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>

#include "engine/city/import.hpp"
#include "engine/core/error.hpp"
#include "engine/geo/crs.hpp"

using namespace citytwin;
namespace fs = std::filesystem;

namespace {

const std::string kMonaco = std::string(CITYTWIN_ASSETS) + "/monaco/monaco-2026-07-10.osm.pbf";
const std::string kSmall = std::string(CITYTWIN_TEST_DATA) + "/city/small_city.geojson";

struct MonacoFixture {
  static const City& city() {
    static const City c = load_city({kMonaco, "", "", ""});
    return c;
  }
  static int expected(const std::string& key) {
    static const nlohmann::json j = [] {
      std::ifstream in(std::string(CITYTWIN_TEST_DATA) + "/city/monaco_counts.json");
      return nlohmann::json::parse(in);
    }();
    return j.at("counts").at(key).at("value").get<int>();
  }
};

/// Copies a vector file to another GDAL format with GDAL's own ogr2ogr library call.
std::string translate(const std::string& src, const std::string& dst, const char* format,
                      const char* where = nullptr) {
  fs::remove_all(dst);
  GDALAllRegister();
  GDALDatasetH in = GDALOpenEx(src.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
  BOOST_REQUIRE(in);
  std::vector<const char*> args{"-f", format};
  if (where) args.insert(args.end(), {"-where", where});
  args.push_back(nullptr);
  GDALVectorTranslateOptions* opts = GDALVectorTranslateOptionsNew(const_cast<char**>(args.data()), nullptr);
  int err = 0;
  GDALDatasetH out = GDALVectorTranslate(dst.c_str(), nullptr, 1, &in, opts, &err);
  GDALVectorTranslateOptionsFree(opts);
  BOOST_REQUIRE(out);
  GDALClose(out);
  GDALClose(in);
  return dst;
}

void check_small_city(const City& c) {
  BOOST_TEST(c.crs == "EPSG:32632");
  BOOST_REQUIRE(c.buildings.size() == 3u);
  std::map<std::string, const Building*> by_id;
  for (const auto& b : c.buildings) by_id[b.id] = &b;
  BOOST_REQUIRE(by_id.count("b1") + by_id.count("b2") + by_id.count("b3") == 3u);
  // Areas of the rectangles as drawn (same CRS in and out: no distortion).
  BOOST_TEST(std::abs(by_id["b1"]->area_m2 - 200.0) < 1e-6);
  BOOST_TEST(std::abs(by_id["b2"]->area_m2 - 600.0) < 1e-6);
  BOOST_TEST(std::abs(by_id["b3"]->area_m2 - 150.0) < 1e-6);
  BOOST_TEST(by_id["b1"]->height_m == 12.0);
  BOOST_TEST(by_id["b1"]->levels == 4);
  BOOST_TEST(by_id["b2"]->height_m == 15.0);
  BOOST_TEST(by_id["b2"]->floor_area_m2 == 3000.0);
  BOOST_TEST(by_id["b3"]->use == UseClass::public_use);
  BOOST_TEST(by_id["b3"]->height_source == HeightSource::default_by_use);
  // Centroid of b1 at (373005, 4844010) in the CRS.
  BOOST_TEST(std::abs(by_id["b1"]->centroid.x + c.origin.x - 373005) < 1e-6);
  BOOST_TEST(std::abs(by_id["b1"]->centroid.y + c.origin.y - 4844010) < 1e-6);
  // The two-way street is kept (4 edges), the one-way spur crossing it leads nowhere and is dropped.
  BOOST_TEST(c.roads.edges.size() == 4u);
  BOOST_TEST(c.roads.junctions.size() == 3u);
  BOOST_TEST(c.report.components_dropped == 2);
  BOOST_TEST(std::abs(c.roads.lane_km() - 0.6) < 1e-9);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(import_monaco, MonacoFixture)

BOOST_AUTO_TEST_CASE(counts_match_ogrinfo) {
  const auto& r = city().report;
  BOOST_TEST(r.building_features == expected("buildings"));
  BOOST_TEST(static_cast<int>(city().buildings.size()) == expected("buildings") - r.buildings_skipped);
  BOOST_TEST(r.buildings_skipped == 0);
  BOOST_TEST(r.buildings_with_height_tag == expected("buildings_with_height_tag"));
  BOOST_TEST(r.buildings_with_levels_tag == expected("buildings_with_levels_tag"));
  BOOST_TEST(r.road_features == expected("highway_lines"));
  BOOST_TEST(r.road_features_drivable == expected("drivable_lines"));
  BOOST_TEST(r.signal_nodes == expected("traffic_signals"));
  BOOST_TEST(r.sign_nodes == expected("give_way_and_stop_nodes"));
  int skipped = 0;
  for (const auto& [why, n] : r.signs_skipped) skipped += n;
  BOOST_TEST(r.signs_applied + skipped == r.sign_nodes);
  int signed_edges = 0;
  for (const auto& e : city().roads.edges) signed_edges += e.sign != TrafficSign::none;
  BOOST_TEST(signed_edges >= r.signs_applied * 9 / 10);  // all-way stops sign several approaches
}

BOOST_AUTO_TEST_CASE(crs_extent_and_geometry_are_plausible) {
  const City& c = city();
  BOOST_TEST(c.crs == "EPSG:32632");
  // Monaco lies within about 7.40..7.45 E, 43.72..43.76 N (the data's own extent, GDAL).
  BOOST_TEST(c.extent_lonlat.min_x > 7.40);
  BOOST_TEST(c.extent_lonlat.max_x < 7.46);
  BOOST_TEST(c.extent_lonlat.min_y > 43.71);
  BOOST_TEST(c.extent_lonlat.max_y < 43.77);
  // Local coordinates stay small (float-safe for rendering).
  BOOST_TEST(std::abs(c.extent.min_x) < 5000);
  BOOST_TEST(std::abs(c.extent.max_y) < 5000);
  for (const auto& b : c.buildings) {
    BOOST_REQUIRE(b.area_m2 > 0);
    BOOST_REQUIRE(b.height_m > 0);
    BOOST_REQUIRE(b.floor_area_m2 >= b.area_m2);
  }
}

BOOST_AUTO_TEST_CASE(road_graph_is_strongly_connected_and_close_to_sumo) {
  const auto& net = city().roads;
  BOOST_TEST(net.edges.size() > 1000u);
  std::vector<int> out(net.junctions.size()), in(net.junctions.size());
  for (const auto& e : net.edges) {
    ++out[e.from];
    ++in[e.to];
    BOOST_REQUIRE(e.length_m > 0);
    BOOST_REQUIRE(e.speed_mps > 0);
    BOOST_REQUIRE(e.lanes >= 1);
  }
  for (size_t j = 0; j < net.junctions.size(); ++j) BOOST_REQUIRE(out[j] > 0 && in[j] > 0);
  // SUMO's netconvert gives 103.3 lane-km for the same extract's passenger network (tests/data/city/README.md).
  BOOST_TEST(std::abs(net.lane_km() / 103.3 - 1) < 0.15);
  BOOST_TEST(net.signalised_junctions() > 0);
}


/// Turn restrictions against osmium-tool's reading of the same extract, roles included
/// (tests/data/city/monaco_restrictions.opl): every restriction applied names the relation's own from and to
/// ways, and every relation is either applied or skipped with a reason.
BOOST_AUTO_TEST_CASE(turn_restrictions_match_osmium) {
  struct Truth {
    std::string value, from_way, to_way;
  };
  std::map<std::string, Truth> truth;
  std::set<std::string> ways;  // the member ways present in the extract
  std::ifstream in(std::string(CITYTWIN_TEST_DATA) + "/city/monaco_restrictions.opl");
  for (std::string line; std::getline(in, line);) {
    if (line[0] == 'w') ways.insert(line.substr(0, line.find(' ')));
    if (line[0] != 'r') continue;
    std::istringstream fields(line);
    std::string id, field, tags, members;
    fields >> id;
    while (fields >> field) {
      if (field[0] == 'T') tags = field.substr(1);
      if (field[0] == 'M') members = field.substr(1);
    }
    Truth t;
    const auto r = tags.find("restriction=");
    if (r != std::string::npos) t.value = tags.substr(r + 12, tags.find(',', r) - r - 12);
    std::istringstream ms(members);
    for (std::string m; std::getline(ms, m, ',');) {
      const auto at = m.find('@');
      if (m.substr(at + 1) == "from") t.from_way = m.substr(0, at);
      if (m.substr(at + 1) == "to") t.to_way = m.substr(0, at);
    }
    truth[id] = t;
  }
  BOOST_REQUIRE(truth.size() == 45u);
  int missing_member = 0;
  for (const auto& [id, t] : truth) missing_member += !ways.count(t.from_way) || !ways.count(t.to_way);

  const auto& c = city();
  const auto& rep = c.report;
  BOOST_TEST(rep.restriction_relations == static_cast<int>(truth.size()));
  int skipped = 0;
  for (const auto& [why, n] : rep.restrictions_skipped) {
    skipped += n;
    BOOST_TEST_MESSAGE("skipped " << n << ": " << why);
  }
  BOOST_TEST_MESSAGE("applied " << rep.restrictions_applied << " of " << rep.restriction_relations);
  BOOST_TEST(rep.restrictions_applied + skipped == rep.restriction_relations);
  BOOST_TEST(rep.restrictions_skipped.at("from or to member missing (outside the extract)") == missing_member);
  BOOST_TEST(static_cast<int>(c.roads.restrictions.size()) == rep.restrictions_applied);
  // Edge IDs are "[-]w<way>[.<part>]#<segment>".
  auto way_of = [&](int e) {
    std::string id = c.roads.edges[e].id;
    if (id[0] == '-') id = id.substr(1);
    return id.substr(0, id.find_first_of(".#"));
  };
  for (const auto& r : c.roads.restrictions) {
    BOOST_TEST_CONTEXT(r.id) {
      BOOST_REQUIRE(truth.count(r.id));
      const Truth& t = truth[r.id];
      BOOST_TEST(r.kind == t.value);
      BOOST_TEST(way_of(r.from_edge) == t.from_way);
      BOOST_TEST(way_of(r.to_edge) == t.to_way);
      BOOST_TEST(c.roads.edges[r.from_edge].to == r.via);
      BOOST_TEST(c.roads.edges[r.to_edge].from == r.via);
      BOOST_TEST(r.only == t.value.starts_with("only_"));
    }
  }
  // Most of them resolve: the ambiguous readings are the minority.
  BOOST_TEST(rep.restrictions_applied * 2 > rep.restriction_relations);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(import_other_sources)

/// A hand-made OSM file (tests/data/city/signs.osm): which approach each sign controls.
BOOST_AUTO_TEST_CASE(give_way_and_stop_signs_sit_on_the_approach_they_control) {
  const City c = load_city({std::string(CITYTWIN_TEST_DATA) + "/city/signs.osm", "", "", ""});
  const auto& roads = c.roads;
  // Junctions by their distinct neighbours: 2 and 3 are the crossings, 4 is the north end of way 101.
  auto near = [&](double lon, double lat) {
    Transform t("EPSG:4326", c.crs);
    Point2 p = t.forward(Point2{lon, lat});
    for (size_t j = 0; j < roads.junctions.size(); ++j)
      if (std::hypot(roads.junctions[j].pos.x + c.origin.x - p.x, roads.junctions[j].pos.y + c.origin.y - p.y) < 0.5)
        return static_cast<std::int32_t>(j);
    BOOST_FAIL("no junction at " << lon << ", " << lat);
    return std::int32_t{-1};
  };
  const auto j2 = near(7.4210, 43.7300), j3 = near(7.4220, 43.7300), j4 = near(7.4210, 43.7310),
             j7 = near(7.4210, 43.7290);
  int stops_into_j3 = 0;
  for (const auto& e : roads.edges) {
    if (e.to == j3) {
      BOOST_TEST((e.sign == TrafficSign::stop), e.id);
      ++stops_into_j3;
    } else if (e.from == j4 && e.to == j2) {
      BOOST_TEST((e.sign == TrafficSign::stop), e.id);  // 11 m after the sign
    } else {
      BOOST_TEST((e.sign == TrafficSign::none), e.id);  // including 7 -> 2: the give-way faces away from 2
    }
  }
  BOOST_TEST(stops_into_j3 == 4);
  BOOST_TEST(roads.junctions[j3].all_way_stop);
  BOOST_TEST(!roads.junctions[j2].all_way_stop);
  BOOST_TEST(j7 >= 0);
  BOOST_TEST(c.report.sign_nodes == 3);
  BOOST_TEST(c.report.signs_applied == 2);
}

BOOST_AUTO_TEST_CASE(geojson_geopackage_and_shapefile) {
  check_small_city(load_city({kSmall, "", "", ""}));
  const fs::path tmp = fs::temp_directory_path() / ("citytwin_import_" + std::to_string(getpid()));
  fs::create_directories(tmp);
  check_small_city(load_city({translate(kSmall, (tmp / "small.gpkg").string(), "GPKG"), "", "", ""}));
  // A Shapefile holds one geometry type per file: one file for the buildings, one for the roads.
  const std::string shp_dir = (tmp / "shp").string();
  fs::create_directories(shp_dir);
  translate(kSmall, shp_dir + "/buildings.shp", "ESRI Shapefile", "highway IS NULL");
  translate(kSmall, shp_dir + "/roads.shp", "ESRI Shapefile", "highway IS NOT NULL");
  City shp = load_city({shp_dir, "", "", ""});
  BOOST_TEST(shp.buildings.size() == 3u);
  BOOST_TEST(shp.roads.edges.size() == 4u);
  fs::remove_all(tmp);
}

BOOST_AUTO_TEST_CASE(named_crs_is_used) {
  City c = load_city({kSmall, "EPSG:2154", "", ""});  // RGF93 / Lambert-93 (France)
  BOOST_TEST(c.crs == "EPSG:2154");
  // Areas change only by the projections' scale factors (well under 0.5% here).
  double total = 0;
  for (const auto& b : c.buildings) total += b.area_m2;
  BOOST_TEST(std::abs(total / 950.0 - 1) < 5e-3);
}

BOOST_AUTO_TEST_CASE(bad_sources_name_the_file) {
  auto message = [](const CitySource& s) {
    try {
      load_city(s);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  BOOST_TEST(message({"/nonexistent/city.osm.pbf", "", "", ""}) == "/nonexistent/city.osm.pbf: no such file");
  BOOST_TEST(message({kSmall, "", "nope", ""}).find("layer nope: no such layer") != std::string::npos);
  BOOST_TEST(message({kMonaco, "", "nope", ""}).find("layer nope: no such layer (layers: points") != std::string::npos);
  const fs::path junk = fs::temp_directory_path() / ("citytwin_junk_" + std::to_string(getpid()) + ".osm.pbf");
  std::ofstream(junk) << "this is not a GIS file\n";
  BOOST_TEST(message({junk.string(), "", "", ""}).find(junk.string() + ": ") == 0u);
  fs::remove(junk);
}

BOOST_AUTO_TEST_SUITE_END()
