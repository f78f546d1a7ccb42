// libFuzzer target: the scenario parser must turn any input into a Scenario or an InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/core/error.hpp"
#include "engine/sim/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    citytwin::parse_scenario(std::string(reinterpret_cast<const char*>(data), size), "fuzz.toml");
  } catch (const citytwin::InputError&) {
  }
  return 0;
}
