#pragma once

#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/status.h"

namespace gale::common {

// Runs `body` on its own thread every `interval`, immediately on TriggerNow(),
// and backs off (doubling the wait, up to `max_backoff` intervals, default 32)
// while the body keeps failing. With `jitter` (a fraction, e.g. 0.2) each wait is spread randomly
// by up to that much either way, so that many processes restarted together
// do not stay in step. The body is a class's public RunOnce(), tested directly; this class
// only owns the thread. Thread-safe. Stop() is idempotent and is called by the
// destructor.
class PeriodicLoop {
 public:
  PeriodicLoop(std::string name, absl::Duration interval, std::function<Status()> body,
               double jitter = 0, int max_backoff = 32);
  ~PeriodicLoop();

  PeriodicLoop(const PeriodicLoop&) = delete;
  PeriodicLoop& operator=(const PeriodicLoop&) = delete;

  // Starts the thread; the first run happens after one interval.
  void Start();
  // Asks for a run as soon as the current one (if any) finishes.
  void TriggerNow();
  // Asks for the next run to start within `delay` (real time) at the
  // latest; requests coalesce, the earliest wins.
  void RunWithin(absl::Duration delay);
  // Stops the thread after the current run; returns when it has exited.
  void Stop();

  // Number of completed runs (successful or not), for tests and metrics.
  int64_t runs() const;

 private:
  void Run();

  const std::string name_;
  const absl::Duration interval_;
  const std::function<Status()> body_;
  const double jitter_;
  const int max_backoff_;

  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool triggered_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time run_by_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  int64_t runs_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Mutex join_mu_;  // serializes concurrent Stop() calls
  std::thread thread_;
};

}  // namespace gale::common
