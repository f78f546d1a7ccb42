#pragma once
/// The Recorder collects a run's results. Element sets, layers and series are declared during setup
/// (single-threaded); during the run each layer or series has one writer, and different layers may be
/// written from different threads at once. KPIs may be added from any thread.
#include <deque>
#include <mutex>
#include <span>
#include <string>

#include "engine/data/results.hpp"

namespace citytwin {

class Recorder {
 public:
  using LayerId = size_t;
  using SeriesId = size_t;
  using TableId = size_t;

  /// Setup phase. Throws std::logic_error on a duplicate name.
  void add_set(ElementSet set);
  LayerId add_layer(const std::string& name, const std::string& set, const std::string& unit,
                    const std::string& description);
  SeriesId add_series(const std::string& name, const std::string& unit);
  /// A table of records; units has one entry per column.
  TableId add_table(const std::string& name, const std::vector<std::string>& columns,
                    const std::vector<std::string>& units, const std::string& description);
  const ElementSet* find_set(const std::string& name) const;
  bool has_layer(const std::string& name) const;
  bool has_series(const std::string& name) const;

  /// Run phase: values has one entry per element of the layer's set.
  void record_layer(LayerId layer, double t_s, std::span<const double> values);
  void record_series(SeriesId series, double t_s, double value);
  /// Appends one record (one value per column); one writer per table.
  void record_row(TableId table, std::span<const double> row);
  void kpi(const std::string& name, double value, const std::string& unit, const std::string& description);

  /// Moves everything out into a Results (info left for the caller to fill).
  Results take();

 private:
  std::vector<ElementSet> sets_;
  std::deque<Layer> layers_;  // deque: stable addresses while others are recorded
  std::deque<Series> series_;
  std::deque<Table> tables_;
  std::vector<Kpi> kpis_;
  std::mutex kpi_mutex_;
};

}  // namespace citytwin
