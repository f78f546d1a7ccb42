#pragma once
/// Reader of SUMO road networks (.net.xml, as written by netconvert 1.x) into a traffic Network: edges and
/// lanes (internal ones skipped), connections with their junction request (foes, response), junction types
/// and static signal programs. Errors: InputError "file:line: what".
#include <string>
#include <string_view>

#include "models/traffic/network.hpp"

namespace citytwin::traffic::io {

Network read_sumo_net(const std::string& path);
/// The same from text already in memory (`name` stands for the file in errors).
Network parse_sumo_net(std::string_view text, const std::string& name);

}  // namespace citytwin::traffic::io
