// libFuzzer target for the trips CSV reader: any input parses into trips whose edges exist and whose
// departures are finite, or raises InputError; a parsed demand then runs for a minute without crashing.
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
    auto d = io::parse_trips_csv(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.csv", net);
    for (const auto& t : d.trips)
      if (t.from_edge < 0 || t.from_edge >= net.edges() || t.to_edge < 0 || t.to_edge >= net.edges() ||
          !std::isfinite(t.depart_s) || t.type < 0 || t.type >= static_cast<int>(d.types.size()))
        __builtin_trap();
    if (d.trips.size() > 200) d.trips.resize(200);
    SimulationOptions o;
    o.threads = 1;
    Simulation sim(net, d.types, d.trips, o);
    sim.run_until(60);
    const Counters& c = sim.counters();
    if (c.inserted != c.arrived + c.running + c.removed) __builtin_trap();
  } catch (const citytwin::InputError&) {
  }
  return 0;
}
