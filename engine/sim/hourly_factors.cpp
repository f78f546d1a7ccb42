#include "engine/sim/hourly_factors.hpp"

#include <algorithm>

namespace citytwin {

HourlyFactors HourlyFactors::read(Params& p, const std::string& key) {
  HourlyFactors f;
  f.key = key;
  if (!p.has(key)) return f;
  f.where = p.where(key);
  Params table = p.table(key);
  for (const auto& id : table.keys()) {
    const auto values = table.numbers(id, {}, 0.0, 1000.0);
    if (values.size() != 24) {
      if (!values.empty()) table.error(id, "expected 24 factors, one per local hour of day (0 .. 23), got " + std::to_string(values.size()));
      continue;
    }
    std::array<double, 24> a{};
    std::copy(values.begin(), values.end(), a.begin());
    f.by_id.emplace(id, a);
  }
  table.finish();
  return f;
}

HourlyFactors::ByIndex HourlyFactors::by_index(const std::vector<std::string>& ids, const std::string& what,
                                               const std::string& place) const {
  ByIndex out;
  for (const auto& [id, factors] : by_id) {
    const auto it = std::find(ids.begin(), ids.end(), id);
    if (it == ids.end()) throw InputError(where, key + ": no " + what + " \"" + id + "\" in " + place);
    out.emplace_back(static_cast<size_t>(it - ids.begin()), factors);
  }
  return out;
}

int HourlyFactors::step_hour(const Scenario& scenario, double t0_s) {
  return local_time(static_cast<double>(scenario.start_unix_s) + t0_s, scenario.timezone).hour;
}

}  // namespace citytwin
