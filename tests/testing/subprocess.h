#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace gale::testing {

// A child process running a real binary, with stdout and stderr appended to a
// log file. Killed (SIGKILL) on destruction if still running. Not thread-safe.
class Subprocess {
 public:
  Subprocess(std::string binary, std::vector<std::string> args, std::string log_path,
             std::map<std::string, std::string> extra_env = {});
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  Status Start();
  // Sends `signal` (SIGTERM, SIGKILL, SIGSTOP, SIGCONT...).
  Status Signal(int signal);
  // Waits for exit up to `timeout`; returns the exit code (128+signal when
  // killed). DEADLINE_EXCEEDED if still running.
  Result<int> Wait(absl::Duration timeout);
  // Whether the process has exited (reaps it if so).
  bool Exited();
  // SIGTERM, then SIGKILL after `grace`; returns the exit code.
  Result<int> Stop(absl::Duration grace = absl::Seconds(10));

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  // The last `lines` lines of the log, for failure messages.
  std::string LogTail(int lines = 40) const;

 private:
  const std::string binary_;
  const std::vector<std::string> args_;
  const std::string log_path_;
  const std::map<std::string, std::string> extra_env_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = 0;
};

}  // namespace gale::testing
