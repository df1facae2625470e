#include "tests/testing/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <deque>
#include <fstream>
#include <thread>

#include "absl/time/clock.h"
#include "common/strings.h"

extern char** environ;

namespace gale::testing {

Subprocess::Subprocess(std::string binary, std::vector<std::string> args, std::string log_path,
                       std::map<std::string, std::string> extra_env)
    : binary_(std::move(binary)),
      args_(std::move(args)),
      log_path_(std::move(log_path)),
      extra_env_(std::move(extra_env)) {}

Subprocess::~Subprocess() {
  if (pid_ > 0 && !Exited()) {
    ::kill(pid_, SIGKILL);
    (void)Wait(absl::Seconds(10));
  }
}

Status Subprocess::Start() {
  std::vector<std::string> argv_storage = {binary_};
  argv_storage.insert(argv_storage.end(), args_.begin(), args_.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) env_storage.emplace_back(*e);
  for (const auto& [k, v] : extra_env_) env_storage.push_back(StrCat(k, "=", v));
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return absl::InternalError(StrCat("cannot open log ", log_path_));
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    // Child: a clean signal mask (the test runner may block some) and the log.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execve(binary_.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  ::close(log_fd);
  pid_ = pid;
  exited_ = false;
  return absl::OkStatus();
}

Status Subprocess::Signal(int signal) {
  if (pid_ <= 0 || Exited()) return absl::FailedPreconditionError("process is not running");
  if (::kill(pid_, signal) != 0) return absl::InternalError("kill failed");
  return absl::OkStatus();
}

bool Subprocess::Exited() {
  if (pid_ <= 0) return true;
  if (exited_) return true;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return exited_;
}

Result<int> Subprocess::Wait(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (!Exited()) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(StrCat(binary_, " still running"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code_;
}

Result<int> Subprocess::Stop(absl::Duration grace) {
  if (Exited()) return exit_code_;
  ::kill(pid_, SIGTERM);
  auto code = Wait(grace);
  if (code.ok()) return code;
  ::kill(pid_, SIGKILL);
  return Wait(absl::Seconds(10));
}

std::string Subprocess::LogTail(int lines) const {
  std::ifstream in(log_path_);
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& l : tail) out += l + "\n";
  return out;
}

}  // namespace gale::testing
