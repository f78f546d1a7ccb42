// libFuzzer target: the sweep parser must turn any input into a Sweep or an InputError, and a Sweep's
// design must expand, its keys set in a small scenario's tree and parsed, without a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/core/error.hpp"
#include "engine/sim/scenario_keys.hpp"
#include "engine/sim/sweep.hpp"

namespace {

const char* kBase = R"(seed = 7
[city]
file = "city.geojson"
[period]
start = "2026-07-13T00:00"
duration = "2h"
[models.energy]
pv_share = 0.2
[[interventions]]
at = "01:00"
model = "energy"
action = "pv_share"
share = 0.5
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const toml::table base = toml::parse(kBase);
  try {
    const citytwin::Sweep sweep = citytwin::parse_sweep(std::string(reinterpret_cast<const char*>(data), size), "fuzz.sweep.toml");
    // Large designs are valid; expanding a few thousand runs is what this target checks.
    double runs = 1;
    for (const auto& p : sweep.parameters) runs *= p.values.empty() ? 1.0 : static_cast<double>(p.values.size());
    if (runs * sweep.replicates > 4096 || sweep.samples > 4096 || sweep.seeds.size() > 64) return 0;
    const auto expanded = citytwin::expand_sweep(sweep, 7);
    for (size_t i = 0; i < expanded.size() && i < 8; ++i) {
      const auto settings = citytwin::run_settings(sweep, expanded[i]);
      try {
        citytwin::scenario_with(citytwin::tree_with(base, settings), "fuzz.toml", settings);
      } catch (const citytwin::InputError&) {
      }
    }
  } catch (const citytwin::InputError&) {
  }
  return 0;
}
