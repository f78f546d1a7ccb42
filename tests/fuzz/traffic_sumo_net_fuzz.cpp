// libFuzzer target for the SUMO .net.xml reader: any input gives a network that passed Network::finalise's
// consistency checks (and whose connections join lanes that meet), or an InputError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/core/error.hpp"
#include "models/traffic/io/sumo_net.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace citytwin::traffic;
  try {
    const Network net = io::parse_sumo_net(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.net.xml");
    for (int c = 0; c < net.connections(); ++c)
      if (net.edge_to[net.lane_edge[net.conn_from_lane[c]]] != net.edge_from[net.lane_edge[net.conn_to_lane[c]]])
        __builtin_trap();
  } catch (const citytwin::InputError&) {
  }
  return 0;
}
