#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "coordinator/store/postgres/pg_connection.h"

namespace gale::coordinator {

// Up to `size` PostgreSQL connections to one database, opened as needed and
// reused, and the retry policy of the work run on them. Owned by the
// PostgresStore. Thread-safe: each unit of work has a connection to itself.
class PgPool {
 public:
  // Connects once to check that the database answers; UNAVAILABLE if not.
  static Result<std::unique_ptr<PgPool>> Open(std::string url, int size);

  // Runs `body` in a unit of work of `isolation` on a pooled connection and
  // commits it. A serialization failure or deadlock runs the whole body again
  // (after a short random back-off), and so does a lost connection, on a new
  // one, unless it was lost during COMMIT; after kMaxAttempts conflicts the
  // error is UNAVAILABLE (busy). `body` may run several times: it must start
  // from scratch each time. `what` names the work in error messages. Returns
  // the body's Status or Result<T>.
  template <typename Body>
  std::invoke_result_t<Body&, PgTx&> Run(std::string_view what, PgIsolation isolation,
                                         Body&& body) {
    using R = std::invoke_result_t<Body&, PgTx&>;
    if constexpr (std::is_same_v<R, Status>) {
      return RunWithRetries(what, isolation, body);
    } else {
      std::optional<typename R::value_type> out;
      RETURN_IF_ERROR(RunWithRetries(what, isolation, [&](PgTx& tx) -> Status {
        ASSIGN_OR_RETURN(auto value, body(tx));
        out.emplace(std::move(value));
        return absl::OkStatus();
      }));
      return std::move(*out);
    }
  }

  // The URL with its credentials: for new dedicated connections only, never
  // for logs.
  const std::string& url() const { return url_; }
  // The URL without its password, for logs and messages.
  const std::string& redacted_url() const { return redacted_url_; }

  static constexpr int kMaxAttempts = 10;

  // The server processes of the pool's open sessions (idle and in use): a
  // change feed leaves out what they announce.
  absl::flat_hash_set<int> BackendPids() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  PgPool(std::string url, int size);
  Status RunWithRetries(std::string_view what, PgIsolation isolation,
                        const std::function<Status(PgTx&)>& body);
  // An idle connection, a new one while fewer than size_ are open, or the
  // next one released (UNAVAILABLE after a while).
  Result<std::unique_ptr<PgConnection>> Acquire();
  bool CanAcquire() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return !idle_.empty() || open_ < size_;
  }
  // Back to the idle list, or closed when broken.
  void Release(std::unique_ptr<PgConnection> conn);

  const std::string url_;
  const std::string redacted_url_;
  const int size_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<PgConnection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle and in use
  // Their server processes. A session libpqxx reconnected behind the pool's
  // back is closed at its release, so that no pid of a session gone (which
  // the server may give another client) stays here.
  absl::flat_hash_set<int> pids_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::coordinator
