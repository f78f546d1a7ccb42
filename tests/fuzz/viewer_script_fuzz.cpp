// libFuzzer target: the viewer's script reader (`citytwin view --script FILE`) must turn any file into
// commands or an InputError naming the file and line.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/core/error.hpp"
#include "tools/viewer/script.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path =
      (std::filesystem::temp_directory_path() / ("citytwin_script_fuzz_" + std::to_string(getpid()) + ".txt"))
          .string();
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    for (const auto& c : citytwin::viewer::load_script(path))
      if (c.name.empty() || c.line < 1) __builtin_trap();  // a command always has a name and a line
  } catch (const citytwin::InputError&) {
  }
  std::filesystem::remove(path);
  return 0;
}
