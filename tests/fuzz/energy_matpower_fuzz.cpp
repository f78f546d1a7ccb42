// libFuzzer target: the MATPOWER case reader, then the power flow on whatever it accepts.
// Any input must give a GridCase or an InputError, and a solve must end (converged or not) without a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/core/error.hpp"
#include "models/energy/grid/power_flow.hpp"
#include "models/energy/io/matpower.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    citytwin::energy::GridCase grid = citytwin::energy::parse_matpower(text, "fuzz.m");
    if (grid.buses.size() <= 200) {
      citytwin::energy::PowerFlowOptions opt;
      opt.max_iterations = 8;
      opt.enforce_q_limits = size % 2 == 1;
      citytwin::energy::PowerFlow(grid).solve(opt);
    }
  } catch (const citytwin::InputError&) {
  }
  return 0;
}
