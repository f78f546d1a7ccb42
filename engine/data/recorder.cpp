#include "engine/data/recorder.hpp"

#include <algorithm>
#include <stdexcept>

namespace citytwin {

void Recorder::add_set(ElementSet set) {
  if (find_set(set.name)) throw std::logic_error("element set declared twice: " + set.name);
  sets_.push_back(std::move(set));
}

const ElementSet* Recorder::find_set(const std::string& name) const {
  for (const auto& s : sets_)
    if (s.name == name) return &s;
  return nullptr;
}

bool Recorder::has_layer(const std::string& name) const {
  for (const auto& l : layers_)
    if (l.name == name) return true;
  return false;
}

bool Recorder::has_series(const std::string& name) const {
  for (const auto& s : series_)
    if (s.name == name) return true;
  return false;
}

Recorder::LayerId Recorder::add_layer(const std::string& name, const std::string& set, const std::string& unit,
                                      const std::string& description) {
  if (!find_set(set)) throw std::logic_error("layer " + name + " on unknown element set " + set);
  for (const auto& l : layers_)
    if (l.name == name) throw std::logic_error("layer declared twice: " + name);
  layers_.push_back(Layer{name, set, unit, description, {}, {}});
  return layers_.size() - 1;
}

Recorder::SeriesId Recorder::add_series(const std::string& name, const std::string& unit) {
  for (const auto& s : series_)
    if (s.name == name) throw std::logic_error("series declared twice: " + name);
  series_.push_back(Series{name, unit, {}, {}});
  return series_.size() - 1;
}

Recorder::TableId Recorder::add_table(const std::string& name, const std::vector<std::string>& columns,
                                      const std::vector<std::string>& units, const std::string& description) {
  for (const auto& t : tables_)
    if (t.name == name) throw std::logic_error("table declared twice: " + name);
  if (columns.empty() || units.size() != columns.size())
    throw std::logic_error("table " + name + ": needs columns and one unit per column");
  tables_.push_back(Table{name, description, columns, units, {}});
  return tables_.size() - 1;
}

void Recorder::record_row(TableId id, std::span<const double> row) {
  Table& t = tables_.at(id);
  if (row.size() != t.columns.size())
    throw std::logic_error("table " + t.name + ": " + std::to_string(row.size()) + " values for " +
                           std::to_string(t.columns.size()) + " columns");
  t.values.insert(t.values.end(), row.begin(), row.end());
}

void Recorder::record_layer(LayerId id, double t_s, std::span<const double> values) {
  Layer& layer = layers_.at(id);
  const size_t n = find_set(layer.set)->size();
  if (values.size() != n)
    throw std::logic_error("layer " + layer.name + ": " + std::to_string(values.size()) + " values for " +
                           std::to_string(n) + " elements");
  layer.times_s.push_back(t_s);
  layer.values.insert(layer.values.end(), values.begin(), values.end());
}

void Recorder::record_series(SeriesId id, double t_s, double value) {
  Series& s = series_.at(id);
  s.times_s.push_back(t_s);
  s.values.push_back(value);
}

void Recorder::kpi(const std::string& name, double value, const std::string& unit, const std::string& description) {
  std::lock_guard lock(kpi_mutex_);
  kpis_.push_back(Kpi{name, value, unit, description});
}

Results Recorder::take() {
  Results r;
  r.sets = std::move(sets_);
  r.layers.assign(std::make_move_iterator(layers_.begin()), std::make_move_iterator(layers_.end()));
  r.series.assign(std::make_move_iterator(series_.begin()), std::make_move_iterator(series_.end()));
  r.tables.assign(std::make_move_iterator(tables_.begin()), std::make_move_iterator(tables_.end()));
  r.kpis = std::move(kpis_);
  std::sort(r.kpis.begin(), r.kpis.end(), [](const Kpi& a, const Kpi& b) { return a.name < b.name; });
  sets_.clear();
  layers_.clear();
  series_.clear();
  tables_.clear();
  kpis_.clear();
  return r;
}

}  // namespace citytwin
