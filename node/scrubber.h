#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/status.h"
#include "node/chunk_store.h"

namespace gale::node {

struct ScrubberOptions {
  int64_t bytes_per_second = 16 << 20;       // average re-hash rate
  absl::Duration period = absl::Seconds(1);  // how often RunOnce is called
  // A new pass over all chunks starts at most this often (at once when a
  // pass takes longer).
  absl::Duration pass_interval = absl::Hours(24);
};

// Finds silent corruption before a reader does: re-hashes every stored chunk
// in the background, in id order, one pass after another. Each RunOnce()
// (called every `period`) spends one period's worth of the byte budget, at
// least one chunk, carrying any overdraft (a chunk larger than the budget)
// into the next runs, so the long-run rate is `bytes_per_second`. A chunk
// that fails is quarantined by the store, whose listener reports it corrupt.
// Thread-safe; runs are serialized.
class Scrubber {
 public:
  // `store` and `clock` must outlive the scrubber.
  Scrubber(ChunkStore* store, common::Clock* clock, ScrubberOptions options);

  Status RunOnce();

  int64_t scrubbed_bytes_total() const { return scrubbed_bytes_.load(); }
  int64_t corrupt_found_total() const { return corrupt_found_.load(); }
  int64_t passes_total() const { return passes_.load(); }

 private:
  ChunkStore* const store_;
  common::Clock* const clock_;
  const ScrubberOptions options_;

  absl::Mutex mu_;
  std::string cursor_ ABSL_GUARDED_BY(mu_);  // last chunk verified in this pass
  double credit_ ABSL_GUARDED_BY(mu_) = 0;   // bytes this run may still verify
  bool in_pass_ ABSL_GUARDED_BY(mu_) = false;
  absl::Duration pass_started_ ABSL_GUARDED_BY(mu_);
  int64_t pass_chunks_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t pass_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t pass_corrupt_ ABSL_GUARDED_BY(mu_) = 0;

  std::atomic<int64_t> scrubbed_bytes_{0};
  std::atomic<int64_t> corrupt_found_{0};
  std::atomic<int64_t> passes_{0};
};

}  // namespace gale::node
