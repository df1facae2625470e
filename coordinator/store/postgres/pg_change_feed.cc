#include "coordinator/store/postgres/pg_change_feed.h"

#include "coordinator/store/postgres/pg_advisory_lock.h"

namespace gale::coordinator {

Result<std::unique_ptr<PgChangeFeed>> PgChangeFeed::Open(const std::string& url,
                                                         const PgPool* own) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn,
                   PgConnection::Connect(WithApplicationName(url, "gale-change-feed")));
  RETURN_IF_ERROR(conn->Listen(std::string(kChangeChannel)));
  return std::unique_ptr<PgChangeFeed>(new PgChangeFeed(std::move(conn), own));
}

Result<std::vector<std::string>> PgChangeFeed::Next(absl::Duration timeout) {
  if (!conn_->usable()) return absl::UnavailableError("the change feed's session was lost");
  if (own_ == nullptr) return conn_->AwaitNotifications(timeout);
  return conn_->AwaitNotifications(timeout, own_->BackendPids());
}

Status PgChangeFeed::Mark(std::string_view token) {
  const std::string payload = StrCat("m:", token);
  Status sent = conn_->Run("a change feed mark", PgIsolation::kAutocommit, [&](PgTx& tx) {
    return tx.Exec("SELECT pg_notify($1, $2)", std::string(kChangeChannel), payload).status();
  });
  if (!sent.ok() && !conn_->usable()) return absl::UnavailableError(sent.message());
  return sent;
}

}  // namespace gale::coordinator
