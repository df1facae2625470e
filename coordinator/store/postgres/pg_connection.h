#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "common/status.h"
#include "common/strings.h"
#include "pqxx/pqxx"

namespace gale::coordinator {

// How a PgConnection runs one unit of work.
enum class PgIsolation {
  kAutocommit,      // no transaction: each statement commits by itself
  kRepeatableRead,  // read only, one snapshot for every statement
  kSerializable,    // read-write, as if alone: a conflict fails it with ABORTED
  kSnapshot,        // read-write, one snapshot; only writes to the same rows conflict (ABORTED)
};

// `url` with its password replaced by "***" (in user:password@ and in
// password=... parameters): the only form of a database URL that may reach
// logs and error messages.
std::string RedactPostgresUrl(std::string_view url);

// `url` (a postgresql:// URI or a "key=value ..." string) with libpq
// connection parameters added, e.g. {{"keepalives", "1"}}.
std::string WithConnectionParams(std::string_view url,
                                 const std::vector<std::pair<std::string, std::string>>& params);

// A text[] literal ({"a","b\"c"}) for a parameter written $n::text[].
std::string PgTextArray(const std::vector<std::string>& values);
// A bytea[] literal for a parameter written $n::bytea[], from byte strings
// spelt in hex (chunk ids): the server decodes them as it parses the array.
// Every element must be hex digits.
std::string PgByteaArray(const std::vector<std::string>& hex_values);
// A bigint[] literal for a parameter written $n::bigint[].
std::string PgInt64Array(const std::vector<int64_t>& values);
// A text[] column's elements (NULL elements are skipped).
std::vector<std::string> ParsePgTextArray(const pqxx::field& field);

// Every row of `result` read by `read`; the first error stops it.
template <typename T>
Result<std::vector<T>> ReadRows(const pqxx::result& result, Result<T> (*read)(const pqxx::row&)) {
  std::vector<T> out;
  out.reserve(result.size());
  for (const pqxx::row& row : result) {
    ASSIGN_OR_RETURN(T value, read(row));
    out.push_back(std::move(value));
  }
  return out;
}

// Whether a text column can hold `text`: valid UTF-8 without NUL bytes. Text
// that cannot be stored equals nothing stored.
bool IsPgText(std::string_view text);

// A LIMIT parameter for `limit`: negative means no limit, as in SQLite.
std::optional<int64_t> PgLimit(int limit);

class PgConnection;

// The statements of one unit of work on a PgConnection: each distinct SQL
// text is prepared once per connection and then reused. Library errors come
// back as Status (see PgErrorStatus). Lives only during PgConnection::Run;
// not thread-safe.
class PgTx {
 public:
  PgTx(PgConnection& conn, pqxx::transaction_base& txn, std::string_view what)
      : conn_(conn), txn_(txn), what_(what) {}
  PgTx(const PgTx&) = delete;
  PgTx& operator=(const PgTx&) = delete;

  // Runs the prepared statement `sql` with parameters $1, $2, ... bound to
  // `args` (strings, integers, doubles, bools; std::optional for NULL).
  // INVALID_ARGUMENT for a string holding a NUL byte, which libpq would
  // silently cut.
  template <typename... Args>
  Result<pqxx::result> Exec(std::string_view sql, const Args&... args) {
    if ((HasNul(args) || ...)) {
      return absl::InvalidArgumentError(StrCat(what_, ": text must not contain NUL bytes"));
    }
    try {
      return txn_.exec_prepared(Prepared(sql), ToParam(args)...);
    } catch (const std::exception& e) {
      return Failed(e);
    }
  }

  // Like Exec, for statements that return no rows of interest: the number
  // of rows they changed.
  template <typename... Args>
  Result<int64_t> Change(std::string_view sql, const Args&... args) {
    ASSIGN_OR_RETURN(pqxx::result result, Exec(sql, args...));
    return static_cast<int64_t>(result.affected_rows());
  }

  // Runs one or more statements without parameters, unprepared (migrations).
  Status ExecScript(std::string_view sql);

 private:
  template <typename T>
  static bool HasNul(const T& value) {
    if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      return std::string_view(value).find('\0') != std::string_view::npos;
    } else {
      return false;
    }
  }
  // pqxx 6 converts std::string but not std::string_view.
  template <typename T>
  static auto ToParam(const T& value) {
    if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      return std::string(std::string_view(value));
    } else {
      return value;
    }
  }
  const std::string& Prepared(std::string_view sql);
  Status Failed(const std::exception& e);

  PgConnection& conn_;
  pqxx::transaction_base& txn_;
  const std::string_view what_;
};

// One PostgreSQL session: a libpqxx connection, the names of the statements
// prepared on it, and whether it broke. Owned by one user at a time (a
// PgPool, a PgSessionLock, a migration); not thread-safe.
class PgConnection {
 public:
  // Connects; UNAVAILABLE (naming the URL without its password) when the
  // server cannot be reached or refuses the login.
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs `body` in a unit of work of `isolation` and commits it when the
  // body returns OK (rolls back otherwise). `what` names the work in error
  // messages. Errors as PgErrorStatus; ABORTED means "run it again".
  Status Run(std::string_view what, PgIsolation isolation,
             const std::function<Status(PgTx&)>& body);

  // False once a statement found the connection lost: discard it.
  bool usable() const { return !broken_ && conn_->is_open(); }
  // Whether the last Run lost the connection during COMMIT, so that nobody
  // knows whether it committed.
  bool commit_in_doubt() const { return in_doubt_; }
  // The server process of this session (changes if libpqxx reconnects).
  int backend_pid() const { return conn_->backendpid(); }
  // The server process the session started with.
  int connected_pid() const { return connected_pid_; }

  // LISTENs on `channel` (one per connection): its notifications are kept
  // for AwaitNotifications.
  Status Listen(const std::string& channel);
  // The payloads of the notifications received since the last call, in the
  // order sent, but those sent by server processes in `ignored`, waiting up
  // to `timeout` for one if there are none yet. UNAVAILABLE once the session
  // is gone, even if libpqxx connected again (notifications of the meantime
  // are lost).
  Result<std::vector<std::string>> AwaitNotifications(absl::Duration timeout,
                                                      const absl::flat_hash_set<int>& ignored = {});

 private:
  friend class PgTx;
  class NoticeLogger;
  class Listener;

  explicit PgConnection(std::unique_ptr<pqxx::connection> conn);
  // A library exception as PgErrorStatus (`what` names the work), marking
  // the connection broken when it is lost.
  Status Failed(const std::exception& e, std::string_view what);

  std::unique_ptr<pqxx::connection> conn_;
  const int connected_pid_;
  std::unique_ptr<NoticeLogger> notices_;                  // declared after conn_: detaches first
  std::unique_ptr<Listener> listener_;                     // likewise
  int listening_pid_ = 0;                                  // the session that LISTENs
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
  bool broken_ = false;
  bool in_doubt_ = false;
};

// A libpqxx exception as a Status with context: UNAVAILABLE for a lost or
// refused connection, an outcome unknown at commit, a busy server or a
// timeout (and `*broken` set when the connection is gone); ABORTED for a
// serialization failure or deadlock; ALREADY_EXISTS for a unique
// violation; INVALID_ARGUMENT for data the server rejects (bad UTF-8, out of
// range); RESOURCE_EXHAUSTED for a full disk or memory; INTERNAL otherwise.
Status PgErrorStatus(const std::exception& e, std::string_view context, bool* broken);

}  // namespace gale::coordinator
