#pragma once
/// What a run produces, in memory: element sets (geometry + static attributes), time-varying layers over
/// those elements, scalar time series and KPIs. Written to and read back from a results directory
/// (results_io.hpp), drawn by the renderer and the viewer.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/geo/geometry.hpp"

namespace citytwin {

enum class GeometryKind : std::uint8_t { polygon, line, point };

/// A static attribute column of an element set (numbers or texts, one per element).
struct Attribute {
  std::string name;
  std::vector<double> numbers;      ///< used when texts is empty
  std::vector<std::string> texts;
};

/// Elements that results are recorded on: "buildings", "roads", "water.pipes", "grid.lines", ...
struct ElementSet {
  std::string name;
  GeometryKind kind = GeometryKind::point;
  std::vector<std::string> ids;
  std::vector<std::vector<Polygon>> polygons;  ///< kind == polygon: local metres
  std::vector<double> heights_m;               ///< kind == polygon: extrusion height (0 = flat)
  std::vector<Polyline> lines;                 ///< kind == line: local metres
  std::vector<Point2> points;                  ///< kind == point: local metres
  std::vector<Attribute> attributes;

  size_t size() const { return ids.size(); }
};

/// A variable over one element set through time, e.g. "occupancy.people" on "buildings".
struct Layer {
  std::string name;
  std::string set;
  std::string unit;
  std::string description;
  std::vector<double> times_s;  ///< seconds from the run's start
  std::vector<float> values;    ///< times_s.size() rows of set-size values, row-major; NaN = no value

  size_t elements() const { return times_s.empty() ? 0 : values.size() / times_s.size(); }
  /// Index of the last recorded time <= t (clamped to the first).
  size_t time_index(double t_s) const;
  const float* row(size_t time_index) const { return values.data() + time_index * elements(); }
};

struct Series {
  std::string name;
  std::string unit;
  std::vector<double> times_s;
  std::vector<double> values;
};

/// Records with named numeric columns, e.g. per-trip records ("traffic.trips") or sampled vehicle positions
/// ("traffic.vehicles"). NaN marks a missing value.
struct Table {
  std::string name;
  std::string description;
  std::vector<std::string> columns;
  std::vector<std::string> units;  ///< one per column
  std::vector<double> values;      ///< rows() rows of columns.size() values, row-major

  size_t rows() const { return columns.empty() ? 0 : values.size() / columns.size(); }
  double at(size_t row, size_t column) const { return values[row * columns.size() + column]; }
  /// Index of a column, or nullopt.
  std::optional<size_t> column(const std::string& name) const;
};

struct Kpi {
  std::string name;  ///< "<model>.<what>", e.g. "occupancy.peak_people"
  double value = 0;
  std::string unit;
  std::string description;
};

/// A sensor of a feed beside what the twin computed for its element: the measured value as of each recorded
/// time (after the feed's gap policy; for a driving feed, the value applied over the interval ending there)
/// and the simulated one. NaN = no value.
struct SensorTrace {
  std::string id;
  std::string quantity;  ///< "traffic.flow"
  std::string unit;      ///< the model unit the values are in ("veh/h")
  std::string feed;      ///< the [[feeds]] entry's name
  std::string role;      ///< "compare" or "drive"
  std::string set;       ///< element set ("roads"); empty for city-wide quantities
  std::string element;   ///< element ID; empty for city-wide quantities
  std::string simulated_from;  ///< the layer or series compared with
  Point2 position;       ///< local metres
  double snap_m = 0;
  std::vector<double> times_s, measured, simulated;
};

struct RunInfo {
  std::string scenario_name;
  std::string scenario_file;
  std::string city_source;
  std::int64_t start_unix_s = 0;
  std::string timezone = "UTC";  ///< the scenario's [period] timezone (IANA name)
  double duration_s = 0;
  double step_s = 0;
  std::uint64_t seed = 0;
  std::string crs;
  Point2 origin;
};

struct Results {
  RunInfo info;
  std::vector<ElementSet> sets;
  std::vector<Layer> layers;
  std::vector<Series> series;
  std::vector<Table> tables;
  std::vector<Kpi> kpis;
  std::vector<SensorTrace> sensors;  ///< one per sensor of the run's feeds

  const ElementSet* find_set(const std::string& name) const;
  const Layer* find_layer(const std::string& name) const;
  const Kpi* find_kpi(const std::string& name) const;
  const Table* find_table(const std::string& name) const;
};

}  // namespace citytwin
