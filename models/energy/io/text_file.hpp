#pragma once
/// Whole-file reading for the energy model's text readers.
#include <fstream>
#include <sstream>
#include <string>

#include "engine/core/error.hpp"

namespace citytwin::energy {

/// The file's bytes, or InputError "PATH: cannot open the file".
inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, {}}, "cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace citytwin::energy
