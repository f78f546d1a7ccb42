// libFuzzer target: the EnergyPlus weather reader. Any input must give a Weather or an InputError; an accepted
// file must also survive the sun-position and irradiance precomputation of the building model.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/core/error.hpp"
#include "models/energy/building/stock.hpp"
#include "models/energy/io/epw.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    citytwin::energy::Weather w = citytwin::energy::parse_epw(text, "fuzz.epw");
    citytwin::energy::climate_hours(w, citytwin::energy::EnvelopeDefaults{});
  } catch (const citytwin::InputError&) {
  }
  return 0;
}
