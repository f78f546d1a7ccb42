#include "engine/data/sensor_registry.hpp"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/data/csv_io.hpp"

namespace citytwin {

std::optional<size_t> SensorRegistry::find(std::string_view id) const {
  auto it = index_.find(std::string(id));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

void SensorRegistry::add(Sensor s) {
  if (s.id.empty()) throw InputError(s.where, "a sensor without an id");
  if (auto taken = find(s.id))
    throw InputError(s.where, "sensor \"" + s.id + "\" is already defined at line " + std::to_string(sensors[*taken].where.line));
  index_.emplace(s.id, sensors.size());
  sensors.push_back(std::move(s));
}

namespace {

/// Fills quantity and conversion from the names given, or throws at the sensor's location.
void check_quantity(Sensor& s, const std::string& quantity) {
  s.quantity = find_quantity(quantity);
  if (!s.quantity)
    throw InputError(s.where, "sensor \"" + s.id + "\": unknown quantity \"" + quantity + "\" (known: " + quantity_names() + ")");
  auto conv = unit_conversion(s.quantity->unit, s.unit);
  if (!conv)
    throw InputError(s.where, "sensor \"" + s.id + "\": unit \"" + s.unit + "\" does not measure " + quantity +
                                  " (use " + unit_examples(s.quantity->unit) + ")");
  s.to_model = *conv;
}

void check_place(const Sensor& s) {
  if (s.quantity->set.empty()) return;  // city-wide (weather): no place needed
  if (s.element.empty() && !s.lonlat && !(s.quantity->by_zone && !s.zone.empty()))
    throw InputError(s.where, "sensor \"" + s.id + "\": give an element ID or lon and lat" +
                                  (s.quantity->by_zone ? " or a zone" : ""));
  if (s.lonlat && (std::abs(s.lonlat->x) > 180 || std::abs(s.lonlat->y) > 90))
    throw InputError(s.where, "sensor \"" + s.id + "\": lon/lat out of range (degrees WGS 84 expected)");
}

}  // namespace

SensorRegistry parse_sensor_registry_csv(std::string_view text, const std::string& file) {
  SensorRegistry r;
  r.file = file;
  std::istringstream in{std::string(text)};
  std::string line;
  int line_no = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++line_no;
    if (!trim(line).empty()) header = csv_split(trim(line));
  }
  auto column = [&](const char* name, bool required) -> int {
    for (size_t i = 0; i < header.size(); ++i)
      if (trim(header[i]) == name) return static_cast<int>(i);
    if (required) throw InputError({file, line_no, ""}, std::string("the header has no column \"") + name + "\" (id,quantity,unit,element,lon,lat,zone)");
    return -1;
  };
  const int c_id = column("id", true), c_q = column("quantity", true), c_unit = column("unit", true);
  const int c_el = column("element", false), c_lon = column("lon", false), c_lat = column("lat", false),
            c_zone = column("zone", false);
  if ((c_lon < 0) != (c_lat < 0)) throw InputError({file, line_no, ""}, "the header has lon without lat or lat without lon");
  while (std::getline(in, line)) {
    ++line_no;
    line = std::string(trim(line));
    if (line.empty() || line[0] == '#') continue;
    const auto f = csv_split(line);
    if (f.size() != header.size())
      throw InputError({file, line_no, ""}, std::to_string(f.size()) + " fields where the header has " + std::to_string(header.size()));
    auto get = [&](int c) { return c < 0 ? std::string() : std::string(trim(f[c])); };
    Sensor s;
    s.where = {file, line_no, ""};
    s.id = get(c_id);
    s.unit = get(c_unit);
    s.element = get(c_el);
    s.zone = get(c_zone);
    const std::string lon = get(c_lon), lat = get(c_lat);
    if (!lon.empty() || !lat.empty()) {
      auto x = parse_number(lon), y = parse_number(lat);
      if (!x || !y) throw InputError(s.where, "sensor \"" + s.id + "\": lon and lat must both be numbers (\"" + lon + "\", \"" + lat + "\")");
      s.lonlat = Point2{*x, *y};
    }
    if (s.id.empty()) throw InputError(s.where, "a sensor without an id");
    check_quantity(s, get(c_q));
    check_place(s);
    r.add(std::move(s));
  }
  if (header.empty()) throw InputError({file, 0, ""}, "empty sensor registry");
  return r;
}

namespace {
SensorRegistry read_geojson(std::string_view text, const std::string& file);
}

SensorRegistry parse_sensor_registry_geojson(std::string_view text, const std::string& file) {
  try {
    return read_geojson(text, file);
  } catch (const nlohmann::json::exception& e) {
    throw InputError({file, 0, ""}, std::string("malformed GeoJSON: ") + e.what());
  }
}

namespace {
SensorRegistry read_geojson(std::string_view text, const std::string& file) {
  using nlohmann::json;
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    throw InputError({file, 0, ""}, std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object() || doc.value("type", "") != "FeatureCollection" || !doc.contains("features") || !doc["features"].is_array())
    throw InputError({file, 0, ""}, "a GeoJSON FeatureCollection expected");
  SensorRegistry r;
  r.file = file;
  int n = 0;
  for (const auto& feature : doc["features"]) {
    Sensor s;
    s.where = {file, 0, "features[" + std::to_string(n++) + "]"};
    if (!feature.is_object() || !feature.contains("properties") || !feature["properties"].is_object())
      throw InputError(s.where, "a Feature with properties expected");
    const auto& p = feature["properties"];
    auto text_of = [&](const char* key) -> std::string {
      if (!p.contains(key) || p[key].is_null()) return {};
      if (p[key].is_string()) return p[key].get<std::string>();
      if (p[key].is_number_integer()) return std::to_string(p[key].get<long long>());
      throw InputError(s.where, std::string("property \"") + key + "\" must be a string");
    };
    s.id = text_of("id");
    s.unit = text_of("unit");
    s.element = text_of("element");
    s.zone = text_of("zone");
    if (s.id.empty()) throw InputError(s.where, "a sensor without an id");
    if (feature.contains("geometry") && !feature["geometry"].is_null()) {
      const auto& g = feature["geometry"];
      if (!g.is_object() || g.value("type", "") != "Point" || !g.contains("coordinates") || !g["coordinates"].is_array() ||
          g["coordinates"].size() < 2 || !g["coordinates"][0].is_number() || !g["coordinates"][1].is_number())
        throw InputError(s.where, "sensor \"" + s.id + "\": geometry must be a Point [lon, lat]");
      s.lonlat = Point2{g["coordinates"][0].get<double>(), g["coordinates"][1].get<double>()};
    }
    check_quantity(s, text_of("quantity"));
    check_place(s);
    r.add(std::move(s));
  }
  return r;
}
}  // namespace

SensorRegistry load_sensor_registry(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({path, 0, ""}, "cannot open the sensor registry");
  std::stringstream buf;
  buf << in.rdbuf();
  const bool geojson = path.ends_with(".geojson") || path.ends_with(".json");
  return geojson ? parse_sensor_registry_geojson(buf.str(), path) : parse_sensor_registry_csv(buf.str(), path);
}

}  // namespace citytwin
