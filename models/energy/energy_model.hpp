#pragma once
/// The energy model for simulation runs ([models.energy] in a scenario).
#include "engine/sim/registry.hpp"

namespace citytwin::energy {

/// Registers the "energy" model with the registry (called from the CLI's main).
void register_energy_model(ModelRegistry& registry);

}  // namespace citytwin::energy
