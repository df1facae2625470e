#include "coordinator/store/postgres/pg_pool.h"

#include <algorithm>
#include <random>

#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

// How long a caller waits for a connection when all are in use.
constexpr absl::Duration kAcquireTimeout = absl::Seconds(30);

// A random pause before attempt `attempt` (1-based) after a conflict, so
// that the transactions that collided do not collide again: up to 2 ms,
// doubling, at most 100 ms.
absl::Duration ConflictBackoff(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  const int64_t max_us = std::min<int64_t>(int64_t{2000} << std::min(attempt, 6), 100'000);
  return absl::Microseconds(std::uniform_int_distribution<int64_t>(0, max_us)(random));
}

}  // namespace

Result<std::unique_ptr<PgPool>> PgPool::Open(std::string url, int size) {
  if (size < 1) return absl::InvalidArgumentError("a PostgreSQL pool needs at least 1 connection");
  std::unique_ptr<PgPool> pool(new PgPool(std::move(url), size));
  ASSIGN_OR_RETURN(auto first, PgConnection::Connect(pool->url_));
  {
    absl::MutexLock lock(&pool->mu_);
    pool->open_ = 1;
    pool->pids_.insert(first->connected_pid());
  }
  pool->Release(std::move(first));
  return pool;
}

PgPool::PgPool(std::string url, int size)
    : url_(std::move(url)), redacted_url_(RedactPostgresUrl(url_)), size_(size) {}

Result<std::unique_ptr<PgConnection>> PgPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithTimeout(absl::Condition(this, &PgPool::CanAcquire), kAcquireTimeout)) {
      return absl::UnavailableError(
          StrCat("all ", size_, " PostgreSQL connections (database.pool_size) stayed busy for ",
                 absl::FormatDuration(kAcquireTimeout)));
    }
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_;  // reserved; connecting happens outside the lock
  }
  auto conn = PgConnection::Connect(url_);
  absl::MutexLock lock(&mu_);
  if (conn.ok()) {
    pids_.insert((*conn)->connected_pid());
  } else {
    --open_;
  }
  return conn;
}

void PgPool::Release(std::unique_ptr<PgConnection> conn) {
  absl::MutexLock lock(&mu_);
  if (conn->usable() && conn->backend_pid() == conn->connected_pid()) {
    idle_.push_back(std::move(conn));
  } else {
    pids_.erase(conn->connected_pid());
    --open_;
  }
}

absl::flat_hash_set<int> PgPool::BackendPids() const {
  absl::MutexLock lock(&mu_);
  return pids_;
}

Status PgPool::RunWithRetries(std::string_view what, PgIsolation isolation,
                              const std::function<Status(PgTx&)>& body) {
  Status status;
  bool reconnected = false;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, Acquire());
    status = conn->Run(what, isolation, body);
    const bool broken = !conn->usable();
    const bool in_doubt = conn->commit_in_doubt();
    Release(std::move(conn));
    if (status.code() == absl::StatusCode::kAborted) {
      spdlog::debug("{}: serialization conflict (attempt {}), retrying", what, attempt);
      absl::SleepFor(ConflictBackoff(attempt));
      continue;
    }
    // A connection lost before COMMIT changed nothing: one more try on a
    // fresh connection (the server may have restarted). An outcome unknown
    // at COMMIT is reported as it is.
    if (broken && !status.ok() && !reconnected && !in_doubt) {
      spdlog::warn("lost the connection to PostgreSQL at {} during {}; reconnecting", redacted_url_,
                   what);
      reconnected = true;
      continue;
    }
    return status;
  }
  return absl::UnavailableError(StrCat(what, ": the database stayed too busy (", kMaxAttempts,
                                       " serialization conflicts): ", status.message()));
}

}  // namespace gale::coordinator
