#include "engine/data/results_io.hpp"

#include "engine/core/atomic_write.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <utility>
#include <limits>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/core/error.hpp"
#include "engine/core/time.hpp"
#include "engine/data/csv_io.hpp"
#include "engine/data/sensor_results_io.hpp"

namespace citytwin {
std::string file_safe(const std::string& name) {
  std::string s = name;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
  return s;
}

std::string layer_file_name(const std::string& name) { return file_safe(name) + ".csv"; }
std::string series_file_name(const std::string& name) { return file_safe(name) + ".series.csv"; }
std::string table_file_name(const std::string& name) { return layer_file_name(name); }

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kFormatVersion = 1;

const char* kind_name(GeometryKind k) {
  switch (k) {
    case GeometryKind::polygon: return "polygon";
    case GeometryKind::line: return "line";
    case GeometryKind::point: return "point";
  }
  return "point";
}

std::string gpkg_layer_name(const std::string& set) {
  std::string s = set;
  for (char& c : s)
    if (c == '.') c = '_';
  return s;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw InputError({path.string(), 0, ""}, "cannot write");
}

json manifest_json(const Results& r) {
  json j;
  j["format"] = "citytwin-results";
  j["version"] = kFormatVersion;
  j["scenario"] = r.info.scenario_name;
  // Absolute, so that a results folder opened from elsewhere still finds its scenario and city.
  std::error_code ec;
  j["scenario_file"] = r.info.scenario_file.empty() ? "" : fs::absolute(r.info.scenario_file, ec).string();
  j["city"] = r.info.city_source.empty() ? "" : fs::absolute(r.info.city_source, ec).string();
  j["start"] = format_datetime(r.info.start_unix_s);
  j["start_unix_s"] = r.info.start_unix_s;
  j["timezone"] = r.info.timezone;
  j["duration_s"] = r.info.duration_s;
  j["step_s"] = r.info.step_s;
  j["seed"] = r.info.seed;
  j["crs"] = r.info.crs;
  j["origin"] = {r.info.origin.x, r.info.origin.y};
  for (const auto& s : r.sets)
    j["sets"].push_back({{"name", s.name}, {"kind", kind_name(s.kind)}, {"count", s.size()},
                         {"gpkg_layer", gpkg_layer_name(s.name)}});
  for (const auto& l : r.layers)
    j["layers"].push_back({{"name", l.name}, {"set", l.set}, {"unit", l.unit}, {"description", l.description},
                           {"file", "timeseries/" + layer_file_name(l.name)}});
  for (const auto& s : r.series)
    j["series"].push_back({{"name", s.name}, {"unit", s.unit}, {"file", "timeseries/" + series_file_name(s.name)}});
  for (const auto& t : r.tables)
    j["tables"].push_back({{"name", t.name}, {"description", t.description}, {"columns", t.columns},
                           {"units", t.units}, {"rows", t.rows()}, {"file", "tables/" + table_file_name(t.name)}});
  return j;
}

json kpis_json(const Results& r) {
  json j;
  j["scenario"] = r.info.scenario_name;
  j["start"] = format_datetime(r.info.start_unix_s);
  j["duration_s"] = r.info.duration_s;
  j["kpis"] = json::object();
  for (const auto& k : r.kpis)
    j["kpis"][k.name] = {{"value", k.value}, {"unit", k.unit}, {"description", k.description}};
  return j;
}

void write_layer_csv(const fs::path& path, const Layer& layer, const ElementSet& set, std::int64_t start,
                     const TimeZone& zone) {
  std::ofstream out(path, std::ios::binary);
  out << "time_s,time";
  for (const auto& id : set.ids) out << ',' << csv_field(id);
  out << '\n';
  const size_t n = layer.elements();
  for (size_t t = 0; t < layer.times_s.size(); ++t) {
    out << format_number(layer.times_s[t]) << ',' << format_local_datetime(start + std::llround(layer.times_s[t]), zone);
    const float* row = layer.row(t);
    for (size_t i = 0; i < n; ++i) out << ',' << format_float(row[i]);
    out << '\n';
  }
  if (!out) throw InputError({path.string(), 0, ""}, "cannot write");
}

void write_series_csv(const fs::path& path, const Series& s, std::int64_t start, const TimeZone& zone) {
  std::ofstream out(path, std::ios::binary);
  out << "time_s,time," << csv_field(s.name) << '\n';
  for (size_t t = 0; t < s.times_s.size(); ++t)
    out << format_number(s.times_s[t]) << ',' << format_local_datetime(start + std::llround(s.times_s[t]), zone) << ','
        << format_number(s.values[t]) << '\n';
  if (!out) throw InputError({path.string(), 0, ""}, "cannot write");
}

void write_table_csv(const fs::path& path, const Table& t) {
  std::ofstream out(path, std::ios::binary);
  for (size_t c = 0; c < t.columns.size(); ++c) out << (c ? "," : "") << csv_field(t.columns[c]);
  out << '\n';
  for (size_t row = 0; row < t.rows(); ++row) {
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const double v = t.at(row, c);
      if (c) out << ',';
      out << format_number(v);  // empty for NaN
    }
    out << '\n';
  }
  if (!out) throw InputError({path.string(), 0, ""}, "cannot write");
}

OGRGeometry* make_geometry(const ElementSet& set, size_t i, const Point2& o) {
  switch (set.kind) {
    case GeometryKind::polygon: {
      auto* multi = new OGRMultiPolygon();
      for (const auto& poly : set.polygons[i]) {
        OGRPolygon p;
        auto ring = [&](const Ring& r) {
          auto* lr = new OGRLinearRing();
          for (const auto& pt : r) lr->addPoint(pt.x + o.x, pt.y + o.y);
          lr->closeRings();
          return lr;
        };
        p.addRingDirectly(ring(poly.outer));
        for (const auto& h : poly.holes) p.addRingDirectly(ring(h));
        multi->addGeometry(&p);
      }
      return multi;
    }
    case GeometryKind::line: {
      auto* line = new OGRLineString();
      for (const auto& pt : set.lines[i]) line->addPoint(pt.x + o.x, pt.y + o.y);
      return line;
    }
    case GeometryKind::point: return new OGRPoint(set.points[i].x + o.x, set.points[i].y + o.y);
  }
  return nullptr;
}

std::string column_name(const std::string& layer, const char* suffix) {
  std::string s = layer;
  for (char& c : s)
    if (c == '.') c = '_';
  return s + suffix;
}

void write_geopackage(const fs::path& path, const Results& r) {
  GDALAllRegister();
  // GeoPackage stamps each table with the time it was written (gpkg_contents.last_change): stamp the run's
  // start instead, so that the same run gives the same bytes.
  const std::string stamp = format_datetime(r.info.start_unix_s) + ".000Z";
  CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", stamp.c_str());
  struct ResetStamp {
    ~ResetStamp() { CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", nullptr); }
  } reset;
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
  if (!driver) throw InputError({path.string(), 0, ""}, "GDAL has no GPKG driver");
  std::unique_ptr<GDALDataset> ds(driver->Create(path.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) throw InputError({path.string(), 0, ""}, std::string("cannot create: ") + CPLGetLastErrorMsg());
  OGRSpatialReference srs;
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  const bool has_srs = !r.info.crs.empty() && srs.SetFromUserInput(r.info.crs.c_str()) == OGRERR_NONE;
  for (const auto& set : r.sets) {
    const OGRwkbGeometryType type = set.kind == GeometryKind::polygon ? wkbMultiPolygon
                                    : set.kind == GeometryKind::line  ? wkbLineString
                                                                      : wkbPoint;
    OGRLayer* layer = ds->CreateLayer(gpkg_layer_name(set.name).c_str(), has_srs ? &srs : nullptr, type, nullptr);
    if (!layer) throw InputError({path.string(), 0, set.name}, std::string("cannot create layer: ") + CPLGetLastErrorMsg());
    OGRFieldDefn id_field("element_id", OFTString);
    layer->CreateField(&id_field);
    for (const auto& a : set.attributes) {
      OGRFieldDefn f(a.name.c_str(), a.texts.empty() ? OFTReal : OFTString);
      layer->CreateField(&f);
    }
    // Per result layer on this set: mean, max and final value over the run.
    std::vector<const Layer*> results;
    for (const auto& l : r.layers)
      if (l.set == set.name) {
        results.push_back(&l);
        for (const char* suffix : {"_mean", "_max", "_final"}) {
          OGRFieldDefn f(column_name(l.name, suffix).c_str(), OFTReal);
          layer->CreateField(&f);
        }
      }
    ds->StartTransaction();
    for (size_t i = 0; i < set.size(); ++i) {
      OGRFeature feature(layer->GetLayerDefn());
      feature.SetField("element_id", set.ids[i].c_str());
      for (const auto& a : set.attributes) {
        if (a.texts.empty()) feature.SetField(a.name.c_str(), a.numbers[i]);
        else feature.SetField(a.name.c_str(), a.texts[i].c_str());
      }
      for (const Layer* l : results) {
        double sum = 0, mx = -INFINITY, last = NAN;
        int n = 0;
        for (size_t t = 0; t < l->times_s.size(); ++t) {
          float v = l->row(t)[i];
          if (std::isnan(v)) continue;
          sum += v, mx = std::max(mx, static_cast<double>(v)), last = v, ++n;
        }
        if (n == 0) continue;
        feature.SetField(column_name(l->name, "_mean").c_str(), sum / n);
        feature.SetField(column_name(l->name, "_max").c_str(), mx);
        feature.SetField(column_name(l->name, "_final").c_str(), last);
      }
      feature.SetGeometryDirectly(make_geometry(set, i, r.info.origin));
      if (layer->CreateFeature(&feature) != OGRERR_NONE)
        throw InputError({path.string(), 0, set.name + " " + set.ids[i]}, "cannot write feature");
    }
    ds->CommitTransaction();
  }
  CPLErrorReset();
  ds->FlushCache();
  if (CPLGetLastErrorType() >= CE_Failure)
    throw InputError({path.string(), 0, ""}, std::string("cannot write: ") + CPLGetLastErrorMsg());
}

}  // namespace


bool is_results_dir(const std::string& dir) { return fs::is_regular_file(fs::path(dir) / "manifest.json"); }

void write_results(const std::string& dir, const Results& r, const WriteOptions& options) {
  try {
    AtomicFolder folder(dir);
    const fs::path& tmp = folder.path();
    fs::create_directories(tmp / "timeseries");
    json manifest = manifest_json(r);
    if (!r.sensors.empty()) manifest["sensors"] = write_sensor_files(tmp, r);
    write_text(tmp / "manifest.json", manifest.dump(2) + "\n");
    write_text(tmp / "kpis.json", kpis_json(r).dump(2) + "\n");
    if (options.timeseries) {
      const TimeZone zone = TimeZone::find_or_utc(r.info.timezone);
      for (const auto& l : r.layers) {
        const ElementSet* set = r.find_set(l.set);
        write_layer_csv(tmp / "timeseries" / layer_file_name(l.name), l, *set, r.info.start_unix_s, zone);
      }
      for (const auto& s : r.series)
        write_series_csv(tmp / "timeseries" / series_file_name(s.name), s, r.info.start_unix_s, zone);
    }
    if (!r.tables.empty()) fs::create_directories(tmp / "tables");
    for (const auto& t : r.tables) write_table_csv(tmp / "tables" / table_file_name(t.name), t);
    if (options.geopackage) write_geopackage(tmp / "layers.gpkg", r);
    write_text(tmp / "run.log", options.log_text);
    if (options.extra) options.extra(tmp);
    if (!options.scenario_text.empty()) write_text(tmp / "scenario.toml", options.scenario_text);
    folder.commit([](const fs::path& existing) { return is_results_dir(existing.string()); });
  } catch (const fs::filesystem_error& e) {
    throw InputError({dir, 0, ""}, std::string("cannot write results: ") + e.code().message());
  }
}

namespace {

/// A member that may be absent (then an empty JSON value).
/// An integer member of a manifest, range-checked before any conversion (a JSON number may be 1e300, and
/// converting that to an integer type is undefined behaviour): fallback when absent, InputError otherwise.
template <class Int>
Int integer_member(const json& j, const char* key, Int fallback, const fs::path& file) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (it->is_number_unsigned()) {
    if (std::in_range<Int>(it->get<std::uint64_t>())) return static_cast<Int>(it->get<std::uint64_t>());
  } else if (it->is_number_integer()) {
    if (std::in_range<Int>(it->get<std::int64_t>())) return static_cast<Int>(it->get<std::int64_t>());
  } else if (it->is_number_float()) {
    const double v = it->get<double>();
    const double lo = static_cast<double>(std::numeric_limits<Int>::min());
    const double hi = static_cast<double>(std::numeric_limits<Int>::max()) + 1.0;  // exclusive, exact as a double
    if (v >= lo && v < hi && v == std::floor(v)) return static_cast<Int>(v);
  }
  throw InputError({file.string(), 0, key}, "expected an integer from " + std::to_string(std::numeric_limits<Int>::min()) +
                                                " to " + std::to_string(std::numeric_limits<Int>::max()) + ", got " + it->dump());
}

json member(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? json() : *it;
}

json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw InputError({path.string(), 0, ""}, "missing: not a complete results directory");
  try {
    return json::parse(in);
  } catch (const json::parse_error& e) {
    throw InputError({path.string(), 0, ""}, std::string("corrupt JSON: ") + e.what());
  }
}

GeometryKind kind_from(const std::string& s, const fs::path& file) {
  if (s == "polygon") return GeometryKind::polygon;
  if (s == "line") return GeometryKind::line;
  if (s == "point") return GeometryKind::point;
  throw InputError({file.string(), 0, ""}, "unknown geometry kind \"" + s + "\"");
}

void read_sets(const fs::path& gpkg, const json& manifest, Results& r) {
  GDALAllRegister();
  CPLPushErrorHandler(CPLQuietErrorHandler);
  std::unique_ptr<GDALDataset> ds(static_cast<GDALDataset*>(
      GDALOpenEx(gpkg.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
  CPLPopErrorHandler();
  if (!ds) throw InputError({gpkg.string(), 0, ""}, "missing or not a GeoPackage");
  const Point2 o = r.info.origin;
  for (const auto& js : member(manifest, "sets")) {
    ElementSet set;
    set.name = js.at("name").get<std::string>();
    set.kind = kind_from(js.at("kind").get<std::string>(), gpkg);
    const std::string lname = js.at("gpkg_layer").get<std::string>();
    OGRLayer* layer = ds->GetLayerByName(lname.c_str());
    if (!layer) throw InputError({gpkg.string(), 0, "layer " + lname}, "missing");
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    const int id_field = defn->GetFieldIndex("element_id");
    const int height_field = defn->GetFieldIndex("height_m");
    for (int f = 0; f < defn->GetFieldCount(); ++f) {
      std::string name = defn->GetFieldDefn(f)->GetNameRef();
      if (name == "element_id" || name.ends_with("_mean") || name.ends_with("_max") || name.ends_with("_final"))
        continue;
      set.attributes.push_back(Attribute{name, {}, {}});
    }
    layer->ResetReading();
    for (auto& feature : *layer) {
      set.ids.push_back(id_field >= 0 ? feature->GetFieldAsString(id_field) : std::to_string(feature->GetFID()));
      for (auto& a : set.attributes) {
        int idx = defn->GetFieldIndex(a.name.c_str());
        if (defn->GetFieldDefn(idx)->GetType() == OFTString) a.texts.push_back(feature->GetFieldAsString(idx));
        else a.numbers.push_back(feature->GetFieldAsDouble(idx));
      }
      const OGRGeometry* g = feature->GetGeometryRef();
      const std::string where = "layer " + lname + ", fid " + std::to_string(feature->GetFID());
      if (!g) throw InputError({gpkg.string(), 0, where}, "empty geometry");
      auto flat = wkbFlatten(g->getGeometryType());
      if (set.kind == GeometryKind::polygon) {
        std::vector<Polygon> polys;
        auto add_poly = [&](const OGRPolygon& p) {
          Polygon out;
          auto ring = [&](const OGRLinearRing* lr) {
            Ring rr;
            for (int k = 0; k + 1 < lr->getNumPoints(); ++k) rr.push_back({lr->getX(k) - o.x, lr->getY(k) - o.y});
            return rr;
          };
          out.outer = ring(p.getExteriorRing());
          for (int h = 0; h < p.getNumInteriorRings(); ++h) out.holes.push_back(ring(p.getInteriorRing(h)));
          polys.push_back(std::move(out));
        };
        if (flat == wkbPolygon) add_poly(*g->toPolygon());
        else if (flat == wkbMultiPolygon)
          for (const auto* p : *g->toMultiPolygon()) add_poly(*p);
        else throw InputError({gpkg.string(), 0, where}, "expected a polygon");
        set.polygons.push_back(std::move(polys));
        set.heights_m.push_back(height_field >= 0 ? feature->GetFieldAsDouble(height_field) : 0.0);
      } else if (set.kind == GeometryKind::line) {
        if (flat != wkbLineString) throw InputError({gpkg.string(), 0, where}, "expected a line");
        Polyline line;
        const auto* ls = g->toLineString();
        for (int k = 0; k < ls->getNumPoints(); ++k) line.push_back({ls->getX(k) - o.x, ls->getY(k) - o.y});
        set.lines.push_back(std::move(line));
      } else {
        if (flat != wkbPoint) throw InputError({gpkg.string(), 0, where}, "expected a point");
        set.points.push_back({g->toPoint()->getX() - o.x, g->toPoint()->getY() - o.y});
      }
    }
    const size_t count = integer_member(js, "count", set.size(), gpkg);
    if (set.size() != count)
      throw InputError({gpkg.string(), 0, "layer " + lname}, "has " + std::to_string(set.size()) +
                                                                 " features, the manifest says " + std::to_string(count));
    r.sets.push_back(std::move(set));
  }
}

/// A CSV field as a number; empty means NaN.
double parse_field(const fs::path& path, int line_no, const std::string& s) {
  if (s.empty()) return NAN;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    throw InputError({path.string(), line_no, ""}, "not a number: \"" + s + "\"");
  return v;
}

/// Reads a CSV ("missing" when it cannot be opened): check_header gets the header's fields (line 1), row
/// each following non-empty line's fields and line number; a row without `width` fields is an error.
template <typename CheckHeader, typename Row>
void read_csv_rows(const fs::path& path, size_t width, CheckHeader check_header, Row row) {
  std::ifstream in(path);
  if (!in) throw InputError({path.string(), 0, ""}, "missing");
  std::string line;
  std::getline(in, line);
  check_header(csv_split(line));
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    auto fields = csv_split(line);
    if (fields.size() != width)
      throw InputError({path.string(), line_no, ""}, "expected " + std::to_string(width) + " fields, got " +
                                                         std::to_string(fields.size()));
    row(fields, line_no);
  }
}

/// Reads a table's CSV: a header naming the columns, then rows of numbers.
void read_table_csv(const fs::path& path, Table& t) {
  read_csv_rows(
      path, t.columns.size(),
      [&](const std::vector<std::string>& header) {
        if (header != t.columns)
          throw InputError({path.string(), 1, ""}, "header does not name the manifest's columns of " + t.name);
      },
      [&](const std::vector<std::string>& fields, int line_no) {
        for (const auto& f : fields) t.values.push_back(parse_field(path, line_no, f));
      });
}

/// Reads a wide CSV (time_s,time,v1,v2,...) into times and a flat row-major matrix.
void read_matrix_csv(const fs::path& path, size_t columns, std::vector<double>& times, std::vector<float>& values,
                     std::vector<double>* doubles) {
  read_csv_rows(
      path, columns + 2,
      [&](const std::vector<std::string>& header) {
        if (header.size() != columns + 2)
          throw InputError({path.string(), 1, ""}, "expected " + std::to_string(columns + 2) + " columns in the header");
      },
      [&](const std::vector<std::string>& fields, int line_no) {
        auto number = [&](const std::string& s) { return parse_field(path, line_no, s); };
        times.push_back(number(fields[0]));
        for (size_t c = 0; c < columns; ++c) {
          double v = number(fields[c + 2]);
          if (doubles) doubles->push_back(v);
          else values.push_back(static_cast<float>(v));
        }
      });
}

}  // namespace

namespace {

/// Everything the manifest (at mpath in the results directory root) describes: run info, element sets (from
/// the GeoPackage), layers, series and tables. A manifest of the wrong shape comes out as a json::exception
/// for the caller to name.
void read_manifest(const fs::path& root, const fs::path& mpath, const json& manifest, Results& r) {
  if (!manifest.is_object() || manifest.value("format", "") != "citytwin-results")
    throw InputError({mpath.string(), 0, ""}, "not a citytwin results manifest");
  const int version = integer_member(manifest, "version", 0, mpath);
  if (version != kFormatVersion)
    throw InputError({mpath.string(), 0, ""}, "results format version " + std::to_string(version) +
                                                  ", this citytwin reads version " + std::to_string(kFormatVersion));
  r.info.scenario_name = manifest.value("scenario", "");
  r.info.scenario_file = manifest.value("scenario_file", "");
  r.info.city_source = manifest.value("city", "");
  r.info.start_unix_s = integer_member(manifest, "start_unix_s", std::int64_t{0}, mpath);
  r.info.timezone = manifest.value("timezone", "UTC");
  r.info.duration_s = manifest.value("duration_s", 0.0);
  r.info.step_s = manifest.value("step_s", 0.0);
  r.info.seed = integer_member(manifest, "seed", std::uint64_t{0}, mpath);
  r.info.crs = manifest.value("crs", "");
  r.info.origin = {manifest.at("origin").at(0).get<double>(), manifest.at("origin").at(1).get<double>()};
  read_sets(root / "layers.gpkg", manifest, r);
  for (const auto& jl : member(manifest, "layers")) {
    Layer l;
    l.name = jl.value("name", "");
    l.set = jl.value("set", "");
    l.unit = jl.value("unit", "");
    l.description = jl.value("description", "");
    const ElementSet* set = r.find_set(l.set);
    if (!set) throw InputError({mpath.string(), 0, l.name}, "layer on unknown element set \"" + l.set + "\"");
    read_matrix_csv(root / jl.value("file", ""), set->size(), l.times_s, l.values, nullptr);
    r.layers.push_back(std::move(l));
  }
  for (const auto& js : member(manifest, "series")) {
    Series s;
    s.name = js.value("name", "");
    s.unit = js.value("unit", "");
    std::vector<float> unused;
    read_matrix_csv(root / js.value("file", ""), 1, s.times_s, unused, &s.values);
    r.series.push_back(std::move(s));
  }
  for (const auto& jt : member(manifest, "tables")) {
    Table t;
    t.name = jt.at("name").get<std::string>();
    t.description = jt.value("description", "");
    t.columns = jt.at("columns").get<std::vector<std::string>>();
    t.units = jt.at("units").get<std::vector<std::string>>();
    if (t.columns.empty() || t.units.size() != t.columns.size())
      throw InputError({mpath.string(), 0, t.name}, "a table needs columns and one unit per column");
    read_table_csv(root / jt.value("file", ""), t);
    r.tables.push_back(std::move(t));
  }
  read_sensor_files(root, member(manifest, "sensors"), r);
}

}  // namespace

Results load_results(const std::string& dir) {
  const fs::path root(dir);
  if (!fs::is_directory(root)) throw InputError({dir, 0, ""}, "no such results directory");
  const fs::path mpath = root / "manifest.json", kpath = root / "kpis.json";
  Results r;
  try {
    read_manifest(root, mpath, read_json(mpath), r);
  } catch (const json::exception& e) {
    throw InputError({mpath.string(), 0, ""}, std::string("malformed manifest: ") + e.what());
  }
  try {
    const json kpis = member(read_json(kpath), "kpis");  // kept: items() refers to it
    for (const auto& [name, k] : kpis.items())
      r.kpis.push_back(Kpi{name, k.value("value", 0.0), k.value("unit", ""), k.value("description", "")});
  } catch (const json::exception& e) {
    throw InputError({kpath.string(), 0, ""}, std::string("malformed KPIs: ") + e.what());
  }
  return r;
}

}  // namespace citytwin
