#pragma once
/// The registry of every model compiled into this build: what the CLI, a Session, a sweep, the Python
/// module and the tests all run.
#include "engine/sim/registry.hpp"

namespace citytwin {

/// A new registry with every model of this build (occupancy, and water, energy and traffic when built).
ModelRegistry all_models();

}  // namespace citytwin
