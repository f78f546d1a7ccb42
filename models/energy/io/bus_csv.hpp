#pragma once
/// Writes a power-flow solution as CSV: bus_id,vm_pu,va_deg (one row per bus, in case order; islanded
/// buses get 0,0). Written to a temporary name, then renamed.
#include <string>

#include "models/energy/grid/power_flow.hpp"

namespace citytwin::energy {

void write_bus_csv(const std::string& path, const GridCase& grid, const PowerFlowResult& result);

}  // namespace citytwin::energy
