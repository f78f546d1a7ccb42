#include "models/water/criticality.hpp"

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <limits>

#include "models/water/extended_period.hpp"

namespace citytwin::water {
namespace {

Network pda_copy(const Network& net, const CriticalityOptions& o) {
  Network pda = net;
  pda.options.demand_model = DemandModel::PDA;
  pda.options.min_pressure_m = o.min_pressure_m;
  pda.options.required_pressure_m = o.required_pressure_m;
  pda.options.pressure_exponent = o.pressure_exponent;
  return pda;
}

// One extended-period run with link `closed` (or none, -1) closed from the start.
PipeCriticality run_closed(const Network& net, int closed) {
  PipeCriticality r;
  r.link = closed;
  r.min_pressure_m = std::numeric_limits<double>::infinity();
  HydraulicRun run(net);
  run.init();
  if (closed >= 0) {
    run.state().status[closed] = LinkStatus::Closed;
    run.state().flow_m3s[closed] = 1.0e-6 * kCubicMetresPerCubicFoot;  // EPANET's QZERO
  }
  long step = 0;
  do {
    run.run();
    if (!run.last_solve().converged) r.converged = false;
    const auto& s = run.state();
    for (int i = 0; i < net.num_junctions; ++i)
      if (s.demand_flow_m3s[i] > 0.0 || s.demand_m3s[i] > 0.0)
        r.min_pressure_m = std::min(r.min_pressure_m, s.head_m[i] - net.elevation_m[i]);
    step = run.next();
  } while (step > 0);
  r.unmet_demand_m3 = run.unmet_demand_m3();
  return r;
}

}  // namespace

PipeCriticality baseline_criticality(const Network& net, const CriticalityOptions& options) {
  return run_closed(pda_copy(net, options), -1);
}

std::vector<PipeCriticality> pipe_criticality(const Network& net, const CriticalityOptions& options) {
  const Network pda = pda_copy(net, options);
  std::vector<int> pipes;
  for (int k = 0; k < pda.num_links(); ++k)
    if (pda.link_type[k] == LinkType::Pipe || pda.link_type[k] == LinkType::CVPipe) pipes.push_back(k);
  std::vector<PipeCriticality> out(pipes.size());
  auto body = [&] {
    tbb::parallel_for(size_t{0}, pipes.size(), [&](size_t i) { out[i] = run_closed(pda, pipes[i]); });
  };
  if (options.threads > 0) tbb::task_arena(options.threads).execute(body);
  else body();
  std::stable_sort(out.begin(), out.end(), [](const PipeCriticality& a, const PipeCriticality& b) {
    if (a.unmet_demand_m3 != b.unmet_demand_m3) return a.unmet_demand_m3 > b.unmet_demand_m3;
    if (a.min_pressure_m != b.min_pressure_m) return a.min_pressure_m < b.min_pressure_m;
    return a.link < b.link;
  });
  return out;
}

}  // namespace citytwin::water
