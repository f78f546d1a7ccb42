// libFuzzer target for the SUMO trips/routes reader: a parsed demand has existing edges, routes whose
// ends match the trip, valid types; anything else must be an InputError.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/core/error.hpp"
#include "models/traffic/io/demand.hpp"
#include "traffic_fuzz_net.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace citytwin::traffic;
  const Network& net = fuzz::tiny_network();
  try {
    auto d = io::parse_sumo_demand(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.rou.xml", net);
    for (const auto& t : d.trips) {
      if (t.from_edge < 0 || t.from_edge >= net.edges() || t.to_edge < 0 || t.to_edge >= net.edges()) __builtin_trap();
      if (!t.route.empty() && (t.route.front() != t.from_edge || t.route.back() != t.to_edge)) __builtin_trap();
      if (t.type < 0 || t.type >= static_cast<int>(d.types.size()) || !std::isfinite(t.depart_s)) __builtin_trap();
    }
  } catch (const citytwin::InputError&) {
  }
  return 0;
}
