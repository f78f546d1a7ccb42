#include "engine/sim/hourly_factors.hpp"

namespace citytwin {

HourlyFactors HourlyFactors::read(Params& p, const std::string& key) {
  HourlyFactors f;
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

}  // namespace citytwin
