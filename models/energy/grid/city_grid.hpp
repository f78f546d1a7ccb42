#pragma once
/// A medium-voltage distribution grid generated for a City (no grid data is bundled): substations placed by
/// k-means on the buildings' floor area, 20 kV cable feeders along the streets (the shortest-path tree from
/// the substations over the road graph, pruned to the junctions that serve buildings), every building
/// connected to its nearest junction. Each substation is a 110 kV reference bus and a 110/20 kV transformer.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/city/city.hpp"
#include "models/energy/io/matpower.hpp"

namespace citytwin::energy {

struct CityGridParams {
  int substations = 2;
  double transformer_mva = 63;       ///< rating of each 110/20 kV transformer
  double transformer_x_pu = 0.12;    ///< on its own rating
  double transformer_r_pu = 0.004;
  double cable_r_ohm_km = 0.125, cable_x_ohm_km = 0.10, cable_c_nf_km = 300;  ///< 240 mm2 Al XLPE, 12/20 kV
  double cable_rating_a = 400;
  double mv_kv = 20, hv_kv = 110;
};

struct CityGrid {
  GridCase grid;                      ///< buses: per substation a 110 kV reference bus, then 20 kV buses
  std::vector<int> building_bus;      ///< City building -> bus
  std::vector<int> substation_bus;    ///< substation -> its 110 kV bus
  std::vector<int> branch_substation; ///< branch -> substation it belongs to (for outages)
  std::vector<std::string> branch_ids;  ///< "T1" for transformers, "L<n>" for lines
  std::vector<Polyline> branch_shapes;  ///< local metres (transformers: a short stub at the substation)
  std::vector<Point2> substation_pos;
};

/// Generates the grid (deterministic). Throws InputError when the City has no roads or no buildings.
CityGrid generate_city_grid(const City& city, const CityGridParams& p = {});

}  // namespace citytwin::energy
