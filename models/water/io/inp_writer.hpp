#pragma once
/// Writer for EPANET 2.2 input files: a Network back to .inp text in its own units, so that EPANET (and
/// read_inp) give the same hydraulics. Sections kept as written by the reader are written back unchanged.
#include <ostream>
#include <string>

#include "models/water/network.hpp"

namespace citytwin::water {

/// Writes the network as .inp text.
void write_inp(std::ostream& out, const Network& net);

/// Writes an .inp file (to a temporary name, then renamed). Throws InputError if it cannot be written.
void write_inp_file(const std::string& path, const Network& net);

}  // namespace citytwin::water
