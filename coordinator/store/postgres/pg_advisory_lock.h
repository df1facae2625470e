#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "coordinator/store/postgres/pg_connection.h"

namespace gale::coordinator {

// The advisory lock key that elects the coordinator running the background
// loops among those sharing one PostgreSQL database ("gale" and 2).
inline constexpr int64_t kLeaderLockKey = (int64_t{0x67616c65} << 32) | 2;

// A PostgreSQL session-level advisory lock on a dedicated connection, for
// leader election: whoever holds the key leads until it releases it or its
// session ends (the server then frees the lock, so a crashed leader is
// replaced). Owned by whatever elects; thread-safe.
class PgSessionLock {
 public:
  // Does not connect yet: TryAcquire does, so that an unreachable database
  // is just "not the leader" until it answers.
  explicit PgSessionLock(std::string url);
  ~PgSessionLock();
  PgSessionLock(const PgSessionLock&) = delete;
  PgSessionLock& operator=(const PgSessionLock&) = delete;

  // True when this process holds `key`: taken now (pg_try_advisory_lock) or
  // still held from an earlier call, which is verified with a cheap query on
  // the same session; a session found dead means the lock is lost: false,
  // and the next call starts over on a new connection. UNAVAILABLE when the
  // database cannot be reached. Holding one key at a time: asking for
  // another while one is held releases the first.
  Result<bool> TryAcquire(int64_t key);
  // Gives the lock up (pg_advisory_unlock) and closes the session. Safe to
  // call when not held.
  void Release();

  // For tests: whether the last TryAcquire left the lock held.
  bool held() const;

 private:
  void ReleaseLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string url_;
  mutable absl::Mutex mu_;
  std::unique_ptr<PgConnection> conn_ ABSL_GUARDED_BY(mu_);
  std::optional<int64_t> key_ ABSL_GUARDED_BY(mu_);  // held
  int backend_pid_ ABSL_GUARDED_BY(mu_) = 0;         // the session holding it
};

// `url` naming its session `name` (application_name, escaped for either URL
// form), so that every session can tell who holds a lock.
std::string WithApplicationName(const std::string& url, const std::string& name);

// The application_name of the session holding advisory lock `key` in this
// database, "" if none holds it.
Result<std::string> FindLockHolder(PgConnection* conn, int64_t key);

}  // namespace gale::coordinator
