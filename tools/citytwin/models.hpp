#pragma once
/// The registry of every model compiled into this citytwin.
#include "engine/sim/registry.hpp"

namespace citytwin::cli {

ModelRegistry all_models();

}  // namespace citytwin::cli
