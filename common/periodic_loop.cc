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
      auto wake = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || triggered_; };
      mu_.AwaitWithTimeout(absl::Condition(&wake), wait);
      if (stopping_) return;
      triggered_ = false;
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
