#pragma once
/// What the command-line tests share: a file's bytes, and a scratch folder in which to run `citytwin`.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace citytwin::test {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A folder of its own under /tmp (removed at the end), the CLI run in it with stdout and stderr kept.
struct CliScratch {
  std::filesystem::path dir;
  explicit CliScratch(const std::string& prefix)
      : dir(std::filesystem::temp_directory_path() / (prefix + std::to_string(getpid()))) {
    std::filesystem::create_directories(dir);
  }
  ~CliScratch() { std::filesystem::remove_all(dir); }
  /// Runs `citytwin ARGS` (stdout in out.txt, stderr in err.txt and *err); its exit code.
  int run(const std::string& args, std::string* err = nullptr) const {
    const std::string cmd = std::string(CITYTWIN_CLI) + " " + args + " >" + (dir / "out.txt").string() + " 2>" +
                            (dir / "err.txt").string();
    const int status = std::system(cmd.c_str());
    if (err) *err = slurp(dir / "err.txt");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
};

}  // namespace citytwin::test
