#pragma once
/// Building occupancy: people in each building by use class, floor area and time of day.
/// Writes the Exchange signal "occupancy.building.people" (people per building, City building order), which
/// other models read for internal gains or demand.
#include "engine/sim/registry.hpp"

namespace citytwin::occupancy {

/// Registers the model "occupancy".
void register_occupancy_model(ModelRegistry& registry);

}  // namespace citytwin::occupancy
