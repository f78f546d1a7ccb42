// libFuzzer target: the heat-wave temperature series reader (hour_of_year,temperature_c). Any input must give
// a series or an InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/core/error.hpp"
#include "models/energy/io/temperature_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    citytwin::energy::parse_temperature_csv(text, "fuzz.csv");
  } catch (const citytwin::InputError&) {
  }
  return 0;
}
