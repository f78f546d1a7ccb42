#pragma once
/// Loading a City from any GDAL vector source: an OpenStreetMap file (.osm, .osm.pbf) through GDAL's OSM
/// driver, or GeoPackage / GeoJSON / Shapefile building and road layers.
#include <string>

#include "engine/city/city.hpp"

namespace citytwin {

struct CitySource {
  std::string path;
  std::string crs;              ///< target CRS; empty = the UTM zone of the data's extent
  std::string buildings_layer;  ///< empty = OSM multipolygons, or every polygon layer of other sources
  std::string roads_layer;      ///< empty = OSM lines, or every line layer of other sources
};

/// Throws InputError (naming the file and the layer or feature) on a missing, unreadable or empty source.
City load_city(const CitySource& source);

}  // namespace citytwin
