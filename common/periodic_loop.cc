#include "common/periodic_loop.h"

#include <algorithm>
#include <random>

#include "spdlog/spdlog.h"

namespace gale::common {

PeriodicLoop::PeriodicLoop(std::string name, absl::Duration interval, std::function<Status()> body,
                           double jitter, int max_backoff)
    : name_(std::move(name)),
      interval_(interval),
      body_(std::move(body)),
      jitter_(jitter),
      max_backoff_(max_backoff) {}

PeriodicLoop::~PeriodicLoop() { Stop(); }

void PeriodicLoop::Start() {
  absl::MutexLock lock(&mu_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void PeriodicLoop::TriggerNow() {
  absl::MutexLock lock(&mu_);
  triggered_ = true;
}

void PeriodicLoop::RunWithin(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  run_by_ = std::min(run_by_, absl::Now() + delay);
}

void PeriodicLoop::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  absl::MutexLock join_lock(&join_mu_);
  if (thread_.joinable()) thread_.join();
}

int64_t PeriodicLoop::runs() const {
  absl::MutexLock lock(&mu_);
  return runs_;
}

void PeriodicLoop::Run() {
  int failures = 0;
  std::minstd_rand rng(std::random_device{}());
  while (true) {
    // Doubling back-off while the body fails, so a broken dependency (say, an
    // unreachable database) is not hammered.
    absl::Duration wait =
        interval_ * std::min<int64_t>(int64_t{1} << std::min(failures, 30), max_backoff_);
    if (jitter_ > 0) wait *= std::uniform_real_distribution<double>(1 - jitter_, 1 + jitter_)(rng);
    {
      absl::MutexLock lock(&mu_);
      const absl::Time deadline = absl::Now() + wait;
      while (!stopping_ && !triggered_) {
        // Wake at the deadline, or earlier when RunWithin moves run_by_.
        const absl::Time run_by = run_by_;
        const absl::Time until = std::min(deadline, run_by);
        if (absl::Now() >= until) break;
        auto wake = [this, run_by]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return stopping_ || triggered_ || run_by_ != run_by;
        };
        mu_.AwaitWithDeadline(absl::Condition(&wake), until);
      }
      if (stopping_) return;
      triggered_ = false;
      run_by_ = absl::InfiniteFuture();
    }
    Status status = body_();
    if (status.ok()) {
      failures = 0;
    } else {
      ++failures;
      spdlog::warn("{}: run failed ({} in a row): {}", name_, failures, status.ToString());
    }
    absl::MutexLock lock(&mu_);
    ++runs_;
  }
}

}  // namespace gale::common
