#pragma once
/// The ASHRAE Standard 140 (BESTEST) Case 600 and 900 test buildings, simulated with the zone model
/// (rc_zone.hpp), for validating the building model on the standard's own weather file. Inputs follow the
/// 140-2020 specification as NREL's BESTEST-GSR and LBNL's Modelica Buildings library encode it (see
/// tests/data/energy/BESTEST600.md).
#include <vector>

#include "models/energy/building/constructions.hpp"
#include "models/energy/io/epw.hpp"

namespace citytwin::energy {

enum class BestestCase { case600, case900 };

/// Opaque constructions of a case (outside to inside): wall, roof, floor.
struct BestestConstructions {
  Construction wall, roof, floor;
};
BestestConstructions bestest_constructions(BestestCase c);

struct BestestResult {
  double heating_mwh = 0, cooling_mwh = 0;  ///< annual sensible loads delivered to the zone air
  double peak_heating_kw = 0, peak_cooling_kw = 0;
  int peak_heating_hour = -1, peak_cooling_hour = -1;  ///< record index (hour of the year)
  double max_balance_error_w = 0;  ///< largest |energy balance residual| of any step
  double ua_w_k = 0;               ///< total heat-loss coefficient at the mean ventilation conductance
  double window_u = 0, window_shgc_normal = 0;
  std::vector<double> air_temperature_c, load_w;  ///< hourly, heating > 0, cooling < 0
};

/// Runs one year hourly; free_float: no heating or cooling (cases 600FF and 900FF). Thread-safe.
BestestResult run_bestest(BestestCase c, const Weather& weather, bool free_float = false);

}  // namespace citytwin::energy
