#include "tools/viewer/run_job.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <regex>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace citytwin::viewer {

RunJob::RunJob(const std::string& citytwin_exe, const std::string& scenario, const std::string& out_dir)
    : scenario_(scenario), out_dir_(out_dir), status_("starting " + scenario) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error(std::string("cannot make a pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<std::string> args{citytwin_exe, "run", scenario, "-o", out_dir};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = posix_spawn(&pid_, citytwin_exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw std::runtime_error("cannot start " + citytwin_exe + ": " + std::strerror(rc));
  }
  reader_ = std::thread([this, fd = fds[0]] { read_output(fd); });
}

RunJob::~RunJob() {
  if (!done_.load() && pid_ > 0) kill(pid_, SIGTERM);
  if (reader_.joinable()) reader_.join();
}

std::string RunJob::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void RunJob::read_output(int fd) {
  // The run prints "run NAME:  40% (1.2s) DATE" lines when its stderr is not a terminal
  // (engine/core/progress.cpp); anything else is kept as the status (an error names its file and line).
  static const std::regex kProgress(R"(^run .*: +([0-9]+)% )");
  std::string pending;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
      std::string line = pending.substr(0, nl);
      if (line.empty()) continue;
      std::smatch m;
      if (std::regex_search(line, m, kProgress)) progress_ = std::stod(m[1].str()) / 100.0;
      std::lock_guard lock(mutex_);
      status_ = line;
    }
  }
  close(fd);
  int wstatus = 0;
  while (waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
  }
  exit_code_ =
      WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + (WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
  if (exit_code_ == 0) progress_ = 1.0;
  done_ = true;
}

}  // namespace citytwin::viewer
