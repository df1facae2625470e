#include "node/scrubber.h"

#include <algorithm>

#include "spdlog/spdlog.h"

namespace gale::node {

Scrubber::Scrubber(ChunkStore* store, common::Clock* clock, ScrubberOptions options)
    : store_(store), clock_(clock), options_(options) {}

Status Scrubber::RunOnce() {
  if (options_.bytes_per_second <= 0) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  const absl::Duration now = clock_->Monotonic();
  if (!in_pass_) {
    if (passes_.load() > 0 && now < pass_started_ + options_.pass_interval) {
      return absl::OkStatus();
    }
    in_pass_ = true;
    pass_started_ = now;
    cursor_.clear();
    pass_chunks_ = pass_bytes_ = pass_corrupt_ = 0;
  }
  const double budget =
      static_cast<double>(options_.bytes_per_second) * absl::ToDoubleSeconds(options_.period);
  // Unused credit does not pile up: an idle store does not earn a burst.
  credit_ = std::min(credit_ + budget, budget);
  while (credit_ > 0) {
    std::optional<ChunkInfo> chunk = store_->Next(cursor_);
    if (!chunk) {
      spdlog::info("scrub pass done: {} chunks, {} bytes verified, {} corrupt, in {}", pass_chunks_,
                   pass_bytes_, pass_corrupt_,
                   absl::FormatDuration(absl::Trunc(now - pass_started_, absl::Seconds(1))));
      in_pass_ = false;
      passes_.fetch_add(1);
      return absl::OkStatus();
    }
    cursor_ = chunk->id;
    credit_ -= static_cast<double>(chunk->size);
    Status verified = store_->Verify(chunk->id);
    if (absl::IsNotFound(verified)) continue;  // deleted meanwhile
    ++pass_chunks_;
    pass_bytes_ += chunk->size;
    scrubbed_bytes_.fetch_add(chunk->size);
    if (absl::IsDataLoss(verified)) {
      // Quarantined; the store's listener reports it.
      ++pass_corrupt_;
      corrupt_found_.fetch_add(1);
    } else if (!verified.ok()) {
      spdlog::warn("scrub could not read chunk {}: {}", chunk->id, verified.ToString());
    }
  }
  return absl::OkStatus();
}

}  // namespace gale::node
