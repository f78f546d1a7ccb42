// libFuzzer target: a scenario's model tables ([models.*]: numbers, paths, factor tables such as
// district_demand_multipliers) must give models or an InputError listing what is wrong.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/core/error.hpp"
#include "engine/sim/scenario.hpp"
#include "models/all_models.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const citytwin::ModelRegistry registry = citytwin::all_models();
  try {
    const auto scenario = citytwin::parse_scenario(std::string(reinterpret_cast<const char*>(data), size), "fuzz.toml");
    registry.create(scenario);
  } catch (const citytwin::InputError&) {
  }
  return 0;
}
