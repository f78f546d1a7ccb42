#pragma once
/// The sensor registry: what each sensor of a feed measures, in which unit, and where (an element ID or a
/// longitude/latitude to snap to the nearest element), read from a CSV (`id,quantity,unit,element,lon,lat,zone`)
/// or GeoJSON points with the same properties.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/data/quantity.hpp"
#include "engine/geo/geometry.hpp"

namespace citytwin {

struct Sensor {
  std::string id;
  const QuantityInfo* quantity = nullptr;
  std::string unit;              ///< as the registry gives it
  UnitConversion to_model;       ///< from unit to quantity->unit
  std::string element;           ///< element ID; empty: placed by position
  std::optional<Point2> lonlat;  ///< WGS 84 degrees (x = longitude)
  std::string zone;
  SourceLocation where;          ///< the registry's file and line (or feature)
};

class SensorRegistry {
 public:
  std::string file;
  std::vector<Sensor> sensors;

  /// Index of a sensor by ID, or nullopt.
  std::optional<size_t> find(std::string_view id) const;
  /// Adds a sensor (InputError at its location when the ID is taken).
  void add(Sensor s);

 private:
  std::unordered_map<std::string, size_t> index_;
};

/// Reads a registry: GeoJSON when the name ends in .geojson or .json, CSV otherwise. Throws InputError
/// naming the file, the line (or feature) and what is wrong: a missing column, an unknown quantity, a unit
/// that does not measure the quantity, a sensor with neither element nor position, a repeated ID.
SensorRegistry load_sensor_registry(const std::string& path);
/// The same from text (file is used in messages).
SensorRegistry parse_sensor_registry_csv(std::string_view text, const std::string& file);
SensorRegistry parse_sensor_registry_geojson(std::string_view text, const std::string& file);

}  // namespace citytwin
