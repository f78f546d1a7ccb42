#include "models/all_models.hpp"

#include "models/occupancy/occupancy_model.hpp"
#ifdef CITYTWIN_HAS_WATER
#include "models/water/water_model.hpp"
#endif
#ifdef CITYTWIN_HAS_ENERGY
#include "models/energy/energy_model.hpp"
#endif
#ifdef CITYTWIN_HAS_TRAFFIC
#include "models/traffic/traffic_model.hpp"
#endif

namespace citytwin {

ModelRegistry all_models() {
  ModelRegistry registry;
  occupancy::register_occupancy_model(registry);
#ifdef CITYTWIN_HAS_WATER
  water::register_water_model(registry);
#endif
#ifdef CITYTWIN_HAS_ENERGY
  energy::register_energy_model(registry);
#endif
#ifdef CITYTWIN_HAS_TRAFFIC
  traffic::register_traffic_model(registry);
#endif
  return registry;
}

}  // namespace citytwin
