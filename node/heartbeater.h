#pragma once

#include <atomic>
#include <string>

#include "client/coordinator_client.h"
#include "common/clock.h"
#include "common/status.h"
#include "node/chunk_reporter.h"
#include "node/chunk_store.h"
#include "node/node_identity.h"
#include "node/node_stats.h"
#include "node/task_runner.h"

namespace gale::node {

struct HeartbeaterOptions {
  std::string advertise_address;  // host:port of the data API
  std::string zone;
  std::string version;
  int report_batch = 10000;  // chunks per ReportChunks message
  // A full chunk report also this often (besides after each registration),
  // so that the coordinator catches up with anything a lost incremental
  // report left out. Zero: only after registration.
  absl::Duration full_report_interval = absl::Hours(1);
};

// The node's side of the control plane. Each RunOnce() either registers (and
// then sends a full chunk report, so the coordinator learns which replicas
// really exist) or heartbeats with fresh stats, registering again at once
// when the coordinator does not know the node or declared it dead, and
// sending a full chunk report to each new coordinator process it meets
// (what a coordinator held only in memory died with it). Each
// heartbeat carries the results of finished tasks (after the chunk changes
// they caused have been reported) and brings back new ones. A PeriodicLoop
// (with back-off and jitter) calls it. Thread-safe, though runs are expected
// one at a time.
class Heartbeater {
 public:
  // Everything must outlive the heartbeater. `tasks` runs the orders
  // heartbeats bring back; `reporter` (may be null) sends chunk changes.
  Heartbeater(client::CoordinatorClient* coordinator, ChunkStore* store, NodeIdentity* identity,
              StatsSampler* stats, TaskRunner* tasks, ChunkReporter* reporter, common::Clock* clock,
              HeartbeaterOptions options);

  // FAILED_PRECONDITION when this data directory belongs to another cluster
  // (fatal: the node must stop); UNAVAILABLE and others: try again later.
  Status RunOnce();

  bool registered() const { return registered_.load(); }
  // The coordinator said, at the last heartbeat, that work is under way.
  bool poll_soon() const { return poll_soon_.load(); }
  // The next run registers again and sends a full chunk report.
  void RequestFullReport() { registered_ = false; }
  int64_t failures_total() const { return failures_total_.load(); }

 private:
  Status Register();
  // A full report, with no change report in flight meanwhile.
  Status ReportChunks();
  Status SendFullReport();
  Status Heartbeat();

  client::CoordinatorClient* const coordinator_;
  ChunkStore* const store_;
  NodeIdentity* const identity_;
  StatsSampler* const stats_;
  TaskRunner* const tasks_;
  ChunkReporter* const reporter_;
  common::Clock* const clock_;
  const HeartbeaterOptions options_;
  std::atomic<int64_t> last_full_report_ns_{0};  // monotonic time of the last full report
  // The coordinator process the last heartbeat reached (RunOnce's own).
  std::string coordinator_instance_;
  std::atomic<bool> registered_{false};
  std::atomic<bool> poll_soon_{false};
  std::atomic<int64_t> failures_total_{0};
};

}  // namespace gale::node
