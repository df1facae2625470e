#include "coordinator/store/postgres/pg_advisory_lock.h"

#include <cctype>

#include "absl/strings/str_format.h"
#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

// A leader cut off from the database must step down before the server frees
// its lock for another coordinator. The client gives up on a query the
// server has not acknowledged within 5 s (and the lock is checked every
// second); the server drops a silent session after about 11 s of TCP
// keepalive probes (see kServerKeepalives).
const std::vector<std::pair<std::string, std::string>> kClientParams = {
    {"keepalives", "1"},       {"keepalives_idle", "2"},     {"keepalives_interval", "1"},
    {"keepalives_count", "3"}, {"tcp_user_timeout", "5000"}, {"connect_timeout", "5"}};
constexpr std::string_view kServerKeepalives =
    "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; "
    "SET tcp_keepalives_count = 3";

}  // namespace

PgSessionLock::PgSessionLock(std::string url) : url_(WithConnectionParams(url, kClientParams)) {}

PgSessionLock::~PgSessionLock() { Release(); }

bool PgSessionLock::held() const {
  absl::MutexLock lock(&mu_);
  return key_.has_value();
}

Result<bool> PgSessionLock::TryAcquire(int64_t key) {
  absl::MutexLock lock(&mu_);
  if (key_.has_value() && *key_ != key) ReleaseLocked();
  if (key_.has_value()) {
    // libpqxx may quietly reconnect a broken connection, and a new session
    // holds no lock: the lock is ours only if the same server process
    // answers.
    Status alive = conn_->Run("check leader lock", PgIsolation::kAutocommit,
                              [](PgTx& tx) { return tx.Exec("SELECT 1").status(); });
    if (alive.ok() && conn_->usable() && conn_->backend_pid() == backend_pid_) return true;
    spdlog::warn("lost the PostgreSQL session holding advisory lock {}: {}", key,
                 alive.ok() ? "the server process changed" : alive.ToString());
    key_.reset();
    conn_.reset();
    return false;
  }
  bool acquired = false;
  Status status;
  // The idle session kept from an earlier try may have died meanwhile: then
  // once more on a new one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = conn_ != nullptr && conn_->usable();
    if (!reused) {
      conn_.reset();
      ASSIGN_OR_RETURN(conn_, PgConnection::Connect(url_));
      Status keepalives = conn_->Run("session keepalives", PgIsolation::kAutocommit,
                                     [](PgTx& tx) { return tx.ExecScript(kServerKeepalives); });
      if (!keepalives.ok()) {
        conn_.reset();
        return keepalives;
      }
    }
    status = conn_->Run("try advisory lock", PgIsolation::kAutocommit, [&](PgTx& tx) -> Status {
      ASSIGN_OR_RETURN(pqxx::result r, tx.Exec("SELECT pg_try_advisory_lock($1)", key));
      acquired = r[0][0].as<bool>();
      return absl::OkStatus();
    });
    if (status.ok()) break;
    conn_.reset();
    if (!reused) return status;
  }
  if (!status.ok()) return status;
  if (acquired) {
    key_ = key;
    backend_pid_ = conn_->backend_pid();
  }
  return acquired;
}

void PgSessionLock::Release() {
  absl::MutexLock lock(&mu_);
  ReleaseLocked();
}

void PgSessionLock::ReleaseLocked() {
  if (conn_ != nullptr && key_.has_value()) {
    const int64_t key = *key_;
    Status status = conn_->Run("advisory unlock", PgIsolation::kAutocommit, [key](PgTx& tx) {
      return tx.Exec("SELECT pg_advisory_unlock($1)", key).status();
    });
    // Closing the session below frees the lock in any case.
    if (!status.ok()) spdlog::debug("advisory unlock: {}", status.ToString());
  }
  key_.reset();
  conn_.reset();
}

std::string WithApplicationName(const std::string& url, const std::string& name) {
  std::string escaped;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') {
      escaped += c;
    } else {
      escaped += absl::StrFormat("%%%02X", static_cast<unsigned char>(c));
    }
  }
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    return StrCat(url, url.find('?') == std::string::npos ? "?" : "&",
                  "application_name=", escaped);
  }
  return StrCat(url, " application_name=", escaped);  // key=value form
}

Result<std::string> FindLockHolder(PgConnection* conn, int64_t key) {
  std::string holder;
  RETURN_IF_ERROR(conn->Run("find the leader", PgIsolation::kAutocommit, [&](PgTx& tx) -> Status {
    ASSIGN_OR_RETURN(
        pqxx::result rows,
        tx.Exec("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON "
                "a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND "
                "l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid AND l.objsubid = 1 "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = "
                "current_database())",
                key >> 32, key & 0xffffffff));
    if (!rows.empty()) holder = rows[0][0].c_str();
    return absl::OkStatus();
  }));
  return holder;
}

}  // namespace gale::coordinator
