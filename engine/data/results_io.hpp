#pragma once
/// The results directory: kpis.json, manifest.json, timeseries/*.csv, tables/*.csv, layers.gpkg, run.log (and the
/// scenario it came from). Enough to reopen a run in the renderer or viewer without re-running it.
#include <filesystem>
#include <functional>
#include <string>

#include "engine/data/results.hpp"

namespace citytwin {

struct WriteOptions {
  bool geopackage = true;
  bool timeseries = true;
  std::string log_text;       ///< written as run.log
  std::string scenario_text;  ///< written as scenario.toml when not empty
  /// Called with the temporary folder after everything else is written, before it is renamed (charts).
  std::function<void(const std::filesystem::path&)> extra;
};

/// Writes everything into a temporary folder beside dir, then renames it to dir (replacing an older
/// results folder there). A failure leaves no partial dir. Throws InputError naming the path.
void write_results(const std::string& dir, const Results& results, const WriteOptions& options);

/// Reads a results directory back. Throws InputError naming the file and what is wrong
/// (missing manifest, a foreign or older format, a corrupt CSV or GeoPackage).
Results load_results(const std::string& dir);

/// True when dir looks like a results directory (has manifest.json).
bool is_results_dir(const std::string& dir);

/// A name with every character but letters, digits, '.', '_' and '-' replaced by '_', for file names.
std::string file_safe(const std::string& name);
/// Name of a layer's CSV file under timeseries/ ("<layer>.csv").
std::string layer_file_name(const std::string& layer_name);
/// Name of a scalar series' CSV file under timeseries/ ("<series>.series.csv": a model may name a layer
/// and its total alike).
std::string series_file_name(const std::string& series_name);
/// Name of a table's CSV file under tables/ ("<table>.csv").
std::string table_file_name(const std::string& table_name);

}  // namespace citytwin
