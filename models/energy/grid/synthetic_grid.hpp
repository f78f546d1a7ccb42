#pragma once
/// A generated meshed network of any size, for benchmarks and scaling tests: buses on a square lattice grouped
/// in regions of 7 x 7; inside a region a seeded random spanning tree of the lattice links plus local ties,
/// two tie lines between neighbouring regions; about 1.25 branches per bus like real transmission cases (e.g.
/// 1.22 for MATPOWER's case2383wp). Seeded random impedances and loads, a PV generator on every 25th bus and
/// the reference bus at the corner.
#include <cstdint>

#include "models/energy/io/matpower.hpp"

namespace citytwin::energy {

GridCase synthetic_grid(int buses, std::uint64_t seed);

}  // namespace citytwin::energy
