#pragma once
/// Goodness of fit of a simulated series against a measured one, over the times where both have a value.
#include <cstddef>
#include <span>

namespace citytwin {

struct FitMetrics {
  size_t n = 0;        ///< pairs with both values
  size_t missing = 0;  ///< times with a simulated value but no measured one (or the reverse)
  double mae = 0, rmse = 0;
  double mape_pct = 0;   ///< over measured values other than 0 (NaN when all are 0)
  double nse = 0;        ///< Nash-Sutcliffe efficiency: 1 - SSE / sum (m - mean m)^2 (NaN for a constant measurement)
  double geh_lt5_share = 0;  ///< share of pairs with GEH < 5 (traffic counts in veh/h; NaN otherwise)
  double cvrmse_pct = 0;     ///< ASHRAE Guideline 14: 100 sqrt(SSE / (n - 1)) / mean m
  double nmbe_pct = 0;       ///< ASHRAE Guideline 14: 100 sum (m - s) / ((n - 1) mean m)
};

/// measured and simulated have one entry per time; NaN marks no value. geh: compute the GEH share
/// (hourly flows). Metrics of fewer than two pairs are NaN.
FitMetrics fit_metrics(std::span<const double> measured, std::span<const double> simulated, bool geh);

/// The GEH statistic of an hourly flow pair (UK DMRB vol. 12): sqrt(2 (s - m)^2 / (s + m)); 0 when both are 0.
double geh(double measured, double simulated);

}  // namespace citytwin
