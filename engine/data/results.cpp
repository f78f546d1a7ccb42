#include "engine/data/results.hpp"

#include <algorithm>

namespace citytwin {

size_t Layer::time_index(double t_s) const {
  if (times_s.empty()) return 0;
  auto it = std::upper_bound(times_s.begin(), times_s.end(), t_s + 1e-9);
  return it == times_s.begin() ? 0 : static_cast<size_t>(it - times_s.begin()) - 1;
}

template <typename T>
static const T* find_by_name(const std::vector<T>& items, const std::string& name) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& x) { return x.name == name; });
  return it == items.end() ? nullptr : &*it;
}

const ElementSet* Results::find_set(const std::string& name) const { return find_by_name(sets, name); }
const Layer* Results::find_layer(const std::string& name) const { return find_by_name(layers, name); }
const Kpi* Results::find_kpi(const std::string& name) const { return find_by_name(kpis, name); }
const Table* Results::find_table(const std::string& name) const { return find_by_name(tables, name); }

std::optional<size_t> Table::column(const std::string& name) const {
  auto it = std::find(columns.begin(), columns.end(), name);
  if (it == columns.end()) return std::nullopt;
  return static_cast<size_t>(it - columns.begin());
}

}  // namespace citytwin
