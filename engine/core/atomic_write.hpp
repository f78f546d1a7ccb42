#pragma once
/// Outputs written whole or not at all: under a temporary name beside the target ("<name>.tmp-<PID>"),
/// renamed onto it when complete. A temporary left by a process killed outright is removed by the next
/// writer into the same folder; SIGINT and SIGTERM remove the process's own (install_signal_cleanup).
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace citytwin {

/// Writes a file through fill: InputError naming path when it cannot be written; the target is left as it
/// was then.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& fill);

/// The same for a library that writes a file by name: fill(temporary) returns false on failure. The
/// temporary keeps path's extension ("x.tmp-123.png"), for libraries that choose the format by it.
void write_named_file_atomically(const std::string& path, const std::function<bool(const std::string&)>& fill);

/// A folder built under a temporary name (created empty) and put in place by commit(); removed when it goes out of scope
/// uncommitted (an exception, a failed run).
class AtomicFolder {
 public:
  explicit AtomicFolder(std::filesystem::path target);
  ~AtomicFolder();
  AtomicFolder(const AtomicFolder&) = delete;
  AtomicFolder& operator=(const AtomicFolder&) = delete;

  const std::filesystem::path& path() const { return tmp_; }  ///< where to write
  /// Replaces the target (a folder accepted by may_replace, or nothing) with the temporary.
  void commit(const std::function<bool(const std::filesystem::path&)>& may_replace);

 private:
  std::filesystem::path target_, tmp_;
  bool committed_ = false;
};

/// Removes "<name>.tmp-<PID>[.ext]" entries in folder whose process no longer runs.
void remove_stale_temporaries(const std::filesystem::path& folder);

/// Makes SIGINT and SIGTERM remove this process's temporaries, then exit with 128 + the signal. Call at the
/// start of main, before any other thread exists (the signals are taken by a thread of their own).
void install_signal_cleanup();

}  // namespace citytwin
