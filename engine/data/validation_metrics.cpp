#include "engine/data/validation_metrics.hpp"

#include <cmath>
#include <limits>

namespace citytwin {

double geh(double m, double s) {
  if (m + s <= 0) return 0;
  return std::sqrt(2 * (s - m) * (s - m) / (s + m));
}

FitMetrics fit_metrics(std::span<const double> measured, std::span<const double> simulated, bool with_geh) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  FitMetrics f;
  double sum_m = 0, sum_abs = 0, sse = 0, sum_diff = 0, sum_ape = 0;
  size_t n_ape = 0, n_geh = 0;
  const size_t count = std::min(measured.size(), simulated.size());
  for (size_t i = 0; i < count; ++i) {
    const double m = measured[i], s = simulated[i];
    if (std::isnan(m) || std::isnan(s)) {
      ++f.missing;
      continue;
    }
    ++f.n;
    sum_m += m;
    sum_abs += std::abs(s - m);
    sse += (s - m) * (s - m);
    sum_diff += m - s;
    if (m != 0) sum_ape += std::abs((s - m) / m), ++n_ape;
    if (with_geh && geh(m, s) < 5) ++n_geh;
  }
  f.missing += measured.size() > count ? measured.size() - count : simulated.size() - count;
  if (f.n < 2) {
    f.mae = f.rmse = f.mape_pct = f.nse = f.geh_lt5_share = f.cvrmse_pct = f.nmbe_pct = nan;
    return f;
  }
  const double n = static_cast<double>(f.n), mean = sum_m / n;
  double ss_m = 0;
  for (size_t i = 0; i < count; ++i)
    if (!std::isnan(measured[i]) && !std::isnan(simulated[i])) ss_m += (measured[i] - mean) * (measured[i] - mean);
  f.mae = sum_abs / n;
  f.rmse = std::sqrt(sse / n);
  f.mape_pct = n_ape ? 100 * sum_ape / static_cast<double>(n_ape) : nan;
  f.nse = ss_m > 0 ? 1 - sse / ss_m : nan;
  f.geh_lt5_share = with_geh ? static_cast<double>(n_geh) / n : nan;
  f.cvrmse_pct = mean != 0 ? 100 * std::sqrt(sse / (n - 1)) / mean : nan;
  f.nmbe_pct = mean != 0 ? 100 * sum_diff / ((n - 1) * mean) : nan;
  return f;
}

}  // namespace citytwin
