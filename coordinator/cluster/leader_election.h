#pragma once

#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"

namespace gale::coordinator {

// Decides whether this coordinator leads, that is runs the background loops
// that must run exactly once per cluster (failure detector transitions,
// replication planning, garbage collection). Every coordinator serves the
// APIs either way.
//
// With a lock (PostgreSQL: a session advisory lock on a dedicated
// connection), RunOnce() tries to take it, or checks that it still holds it;
// leadership is lost the moment the check fails, so two coordinators never
// both lead on one database. Without a lock (SQLite: one coordinator per
// database file, enforced by the store) this coordinator always leads.
// Thread-safe.
class LeaderElection {
 public:
  // Returns true while this process holds the lock. An error means "not held
  // now" (the connection is gone); it is retried on the next run.
  using TryLock = std::function<Result<bool>()>;
  // Who holds the lock, as the holder described itself ("" if nobody);
  // asked by RunOnce only, so it may keep a connection of its own.
  using Holder = std::function<Result<std::string>()>;

  // A null `try_lock` means always the leader. `on_change` is called after
  // each change of leadership.
  LeaderElection(TryLock try_lock, Holder holder, std::function<void(bool leader)> on_change);

  // Takes or re-verifies the lock. Returns the lock's error, if any (after
  // stepping down).
  Status RunOnce();

  bool is_leader() const;
  // How this coordinator is named in logs and status ("host:grpc_port"), set
  // once its port is bound.
  void set_self(std::string self);
  std::string self() const;
  // The leading coordinator's name: self() when leading, else whoever held
  // the lock at the last run ("" when unknown or nobody).
  std::string leader() const;

 private:
  const TryLock try_lock_;
  const Holder holder_;
  const std::function<void(bool)> on_change_;
  absl::Mutex run_mu_;  // one run at a time
  mutable absl::Mutex mu_;
  bool leader_ ABSL_GUARDED_BY(mu_);
  std::string self_ ABSL_GUARDED_BY(mu_);
  std::string holder_name_ ABSL_GUARDED_BY(mu_);  // as of the last run
};

}  // namespace gale::coordinator
