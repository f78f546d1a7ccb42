// libFuzzer target for the EPANET .inp reader and writer (models/water/io/inp_reader.cpp, inp_writer.cpp): any
// input either parses into a network whose indices are consistent, or raises InputError; nothing else may
// escape and nothing may crash. A network that parses is written out and must read back with the same
// nodes and links.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "engine/core/error.hpp"
#include "models/water/io/inp_reader.hpp"
#include "models/water/io/inp_writer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const citytwin::water::Network net = citytwin::water::parse_inp(text, "fuzz.inp");
    for (int k = 0; k < net.num_links(); ++k) {
      if (net.from[k] < 0 || net.from[k] >= net.num_nodes() || net.to[k] < 0 || net.to[k] >= net.num_nodes())
        __builtin_trap();
    }
    if (static_cast<int>(net.demand_begin.size()) != net.num_junctions + 1) __builtin_trap();
    std::ostringstream written;
    citytwin::water::write_inp(written, net);
    const citytwin::water::Network back = citytwin::water::parse_inp(written.str(), "written.inp");
    if (back.num_nodes() != net.num_nodes() || back.num_links() != net.num_links()) __builtin_trap();
  } catch (const citytwin::InputError&) {
  }
  return 0;
}
