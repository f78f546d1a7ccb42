#pragma once
/// The water model on the run's clock: EPANET-exact hydraulics of a network placed on the city.
///
/// Scenario parameters ([models.water]):
///   network = "net.inp"           an EPANET file (relative to the scenario), or "generated" for a network
///                                 built from the city's streets and buildings (city_network.hpp)
///   crs = "EPSG:32632"            CRS of the file's [COORDINATES]; without it they are taken as the
///                                 city's local metres
///   service_pressure_m = 20       pressure below which a junction counts as under-served
///   demand_model = "file"|"dda"|"pda"  override the file's demand model
///   districts = 0                 district metered areas of the generated network (districts.hpp); a
///                                 file's districts come from the registry's meters
/// Set water.zones with layer water.zone_inflow (L/s) when the run has districts; a driving feed of
/// water.zone_inflow sets their demands (signal feed.water.zone_inflow).
/// Layers: water.pressure (m, on set water.nodes), water.flow (L/s) and water.velocity (m/s) on
/// water.pipes (every link). Interventions (model = "water"): close_pipe / open_pipe (target link),
/// burst (target junction, leak_area_m2 or leak_diameter_mm, discharge_coefficient), pump_outage (target
/// pump), demand_multiplier (factor), fire_flow (target junction, flow_lps); timed ones end at `until`.
#include "engine/sim/registry.hpp"

namespace citytwin::water {

/// Registers the model "water".
void register_water_model(ModelRegistry& registry);

}  // namespace citytwin::water
