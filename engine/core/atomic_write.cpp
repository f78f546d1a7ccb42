#include "engine/core/atomic_write.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/core/error.hpp"

namespace citytwin {
namespace fs = std::filesystem;
namespace {

/// The temporaries this process has open, for the signal thread to remove.
struct LiveTemporaries {
  std::mutex mutex;
  std::vector<fs::path> paths;

  void add(const fs::path& p) {
    std::lock_guard lock(mutex);
    paths.push_back(p);
  }
  void remove(const fs::path& p) {
    std::lock_guard lock(mutex);
    paths.erase(std::remove(paths.begin(), paths.end(), p), paths.end());
  }
  void remove_all_from_disk() {
    std::lock_guard lock(mutex);
    std::error_code ec;
    for (const auto& p : paths) fs::remove_all(p, ec);
  }
};

LiveTemporaries& live() {
  static LiveTemporaries t;
  return t;
}

fs::path temporary_for(const fs::path& target, bool keep_extension) {
  const std::string suffix = ".tmp-" + std::to_string(getpid());
  if (!keep_extension || !target.has_extension()) return fs::path(target.string() + suffix);
  fs::path p = target;
  p.replace_extension();
  return fs::path(p.string() + suffix + target.extension().string());
}

/// A temporary registered for the signal thread while it exists.
class Temporary {
 public:
  Temporary(const fs::path& target, bool keep_extension) : path_(temporary_for(target, keep_extension)) {
    remove_stale_temporaries(target.parent_path().empty() ? fs::path(".") : target.parent_path());
    live().add(path_);
  }
  ~Temporary() {
    std::error_code ec;
    if (!renamed_) fs::remove_all(path_, ec);
    live().remove(path_);
  }
  const fs::path& path() const { return path_; }
  void rename_to(const fs::path& target) {
    fs::rename(path_, target);
    renamed_ = true;
  }

 private:
  fs::path path_;
  bool renamed_ = false;
};

void rename_or_throw(Temporary& tmp, const std::string& path) {
  try {
    tmp.rename_to(path);
  } catch (const fs::filesystem_error& e) {
    throw InputError({path, 0, ""}, std::string("cannot write: ") + e.code().message());
  }
}

}  // namespace

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& fill) {
  Temporary tmp(path, false);
  {
    std::ofstream out(tmp.path(), std::ios::binary | std::ios::trunc);
    if (!out) throw InputError({path, 0, ""}, "cannot write");
    fill(out);
    if (!out.flush()) throw InputError({path, 0, ""}, "write failed");
  }
  rename_or_throw(tmp, path);
}

void write_named_file_atomically(const std::string& path, const std::function<bool(const std::string&)>& fill) {
  Temporary tmp(path, true);
  if (!fill(tmp.path().string())) throw InputError({path, 0, ""}, "cannot write");
  rename_or_throw(tmp, path);
}

AtomicFolder::AtomicFolder(fs::path target) : target_(fs::absolute(std::move(target))), tmp_(temporary_for(target_, false)) {
  remove_stale_temporaries(target_.parent_path());
  std::error_code ec;
  fs::remove_all(tmp_, ec);
  live().add(tmp_);
  fs::create_directories(tmp_);
}

AtomicFolder::~AtomicFolder() {
  std::error_code ec;
  if (!committed_) fs::remove_all(tmp_, ec);
  live().remove(tmp_);
}

void AtomicFolder::commit(const std::function<bool(const fs::path&)>& may_replace) {
  if (fs::exists(target_)) {
    if (!may_replace(target_) && !fs::is_empty(target_))
      throw InputError({target_.string(), 0, ""}, "exists and is not a results directory: not replacing it");
    // Swap the two in one step, so that at every instant a complete folder is in place; the old one then
    // lies under the temporary name and goes with it. A file system without the exchange falls back to
    // removing the old folder first.
    if (renameat2(AT_FDCWD, tmp_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) == 0) {
      committed_ = true;
      std::error_code ec;
      fs::remove_all(tmp_, ec);
      return;
    }
    fs::remove_all(target_);
  }
  fs::create_directories(target_.parent_path());
  fs::rename(tmp_, target_);
  committed_ = true;
}

namespace {

/// The PID in a temporary's name ("<name>.tmp-<PID>" or "<name>.tmp-<PID>.<ext>"), or 0.
long temporary_pid(const std::string& name) {
  const size_t at = name.rfind(".tmp-");
  if (at == std::string::npos) return 0;
  size_t end = at + 5;
  long pid = 0;
  while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end])) && pid < (1L << 30))
    pid = pid * 10 + (name[end++] - '0');
  if (end == at + 5) return 0;
  if (end < name.size()) {  // an extension: ".png"
    if (name[end] != '.' || end + 1 == name.size()) return 0;
    for (size_t i = end + 1; i < name.size(); ++i)
      if (!std::isalnum(static_cast<unsigned char>(name[i]))) return 0;
  }
  return pid;
}

}  // namespace

void remove_stale_temporaries(const fs::path& folder) {
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const long pid = temporary_pid(it->path().filename().string());
    if (pid <= 0 || pid == getpid() || pid >= (1L << 30)) continue;
    if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // that process still runs
    std::error_code rm;
    fs::remove_all(it->path(), rm);
  }
}

void install_signal_cleanup() {
  static std::once_flag once;
  std::call_once(once, [] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([set] {
      int sig = 0;
      sigwait(&set, &sig);
      live().remove_all_from_disk();
      _exit(128 + sig);
    }).detach();
  });
}

}  // namespace citytwin
