#pragma once
/// Reader for EPANET 2.2 input files (.inp).
///
/// Every section EPANET 2.2 defines is accepted. Sections that shape the hydraulics are parsed and
/// checked (TITLE, JUNCTIONS, RESERVOIRS, TANKS, PIPES, PUMPS, VALVES, DEMANDS, STATUS, PATTERNS, CURVES,
/// CONTROLS, RULES, EMITTERS, ENERGY, OPTIONS, TIMES, COORDINATES, VERTICES); the others (QUALITY,
/// SOURCES, REACTIONS, MIXING, REPORT, LABELS, TAGS, BACKDROP) are kept as written. Values are converted
/// to SI. Sections may come in any order. Every problem found is reported as "file:line: reason" in one
/// InputError.
#include <string>
#include <string_view>

#include "models/water/network.hpp"

namespace citytwin::water {

/// Reads an .inp file. Throws InputError (file:line: reason) for anything EPANET would reject.
Network read_inp(const std::string& path);

/// Parses .inp text; `file` names it in error messages.
Network parse_inp(std::string_view text, const std::string& file);

}  // namespace citytwin::water
