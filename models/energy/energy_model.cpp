#include "models/energy/energy_model.hpp"

namespace citytwin::energy {

// The building/grid run model is not written yet: nothing is registered, so a scenario that enables
// [models.energy] is refused by the registry as an unknown model.
void register_energy_model(ModelRegistry&) {}

}  // namespace citytwin::energy
