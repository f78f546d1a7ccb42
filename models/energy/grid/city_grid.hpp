#pragma once
/// A medium-voltage distribution grid generated for a City (no grid data is bundled): substations placed by
/// k-means on the buildings' floor area, 20 kV cable feeders along the streets (the shortest-path tree from
/// the substations over the road graph, pruned to the junctions that serve buildings), every building
/// connected to its nearest junction. Each substation is a 110 kV reference bus and its 110/20 kV transformers.
/// Every cable section and substation is sized for the design load downstream of it (README.md, "The city's
/// distribution grid"): the smallest conductor of the cable table that carries it within the design loading,
/// or several 400 mm2 circuits in parallel (the several feeders that leave a substation along the same street).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/city/city.hpp"
#include "models/energy/io/matpower.hpp"

namespace citytwin::energy {

/// One conductor of the 20 kV cable table (aluminium, XLPE, 12/20 kV), per circuit.
struct CableType {
  double cross_section_mm2;
  double r_ohm_km, x_ohm_km, c_nf_km;
  double rating_a;
};

struct CityGridParams {
  int substations = 2;
  /// Design load of each City building, W (its peak electric demand), one per building. PV and EV
  /// charging are not in it: they are what a study adds to the grid.
  std::vector<double> design_load_w;
  double design_loading = 0.8;       ///< largest design current / rating of a cable or transformer
  double power_factor = 0.95;        ///< of the design load
  double transformer_mva = 63;       ///< rating of each 110/20 kV transformer (at least two per substation)
  double transformer_x_pu = 0.12;    ///< on its own rating
  double transformer_r_pu = 0.004;
  double mv_kv = 20, hv_kv = 110;
};

struct CityGrid {
  GridCase grid;                      ///< buses: per substation a 110 kV reference bus, then 20 kV buses
  std::vector<int> building_bus;      ///< City building -> bus
  std::vector<int> substation_bus;    ///< substation -> its 110 kV bus
  std::vector<int> branch_substation; ///< branch -> substation it belongs to (for outages)
  std::vector<std::string> branch_ids;  ///< "T1" for transformers, "L<n>" for lines
  std::vector<int> branch_circuits;     ///< parallel cables, or transformers of a substation
  std::vector<double> branch_cross_section_mm2;  ///< conductor of a cable section (0 for transformers)
  std::vector<double> branch_design_load_w;      ///< design load downstream of the branch
  std::vector<Polyline> branch_shapes;  ///< local metres (transformers: a short stub at the substation)
  std::vector<Point2> substation_pos;
};

/// Generates the grid (deterministic). Throws InputError when the City has no roads or no buildings, and
/// std::logic_error when p.design_load_w has not one entry per building.
CityGrid generate_city_grid(const City& city, const CityGridParams& p);

/// The cable table, smallest conductor first.
std::span<const CableType> cable_types();

}  // namespace citytwin::energy
