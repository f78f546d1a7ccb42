#pragma once
/// Pipe criticality (as in WNTR's pipe-break studies): close each pipe in turn for a whole extended-period
/// run under pressure-driven analysis and rank the pipes by the demand left unmet. The runs go in
/// parallel (oneTBB); they share the one read-only Network, each with its own HydraulicRun.
#include <vector>

#include "models/water/network.hpp"

namespace citytwin::water {

struct CriticalityOptions {
  double min_pressure_m = 0.0;       ///< PDA: no delivery below this pressure
  double required_pressure_m = 20.0; ///< PDA: full delivery above this pressure
  double pressure_exponent = 0.5;
  int threads = 0;  ///< 0: all cores
};

struct PipeCriticality {
  int link = -1;
  double unmet_demand_m3 = 0;  ///< required demand not delivered over the run
  double min_pressure_m = 0;   ///< lowest junction pressure (junctions with demand) over the run
  bool converged = true;       ///< every hydraulic solution converged
};

/// Unmet demand with no pipe closed (the baseline to compare with).
PipeCriticality baseline_criticality(const Network& net, const CriticalityOptions& options);

/// One entry per pipe (check valves included), ranked: most unmet demand first, then lowest minimum
/// pressure, then file order. Deterministic whatever the number of threads.
std::vector<PipeCriticality> pipe_criticality(const Network& net, const CriticalityOptions& options);

}  // namespace citytwin::water
