#pragma once

#include <memory>
#include <string>

#include "coordinator/store/change_feed.h"
#include "coordinator/store/postgres/pg_connection.h"
#include "coordinator/store/postgres/pg_pool.h"

namespace gale::coordinator {

// The channel the triggers of migrations/postgres/0009 announce changes on.
inline constexpr std::string_view kChangeChannel = "gale_changes";

// PostgreSQL's change feed: a session of its own that LISTENs on
// kChangeChannel (named "gale-change-feed" in pg_stat_activity). Marks are
// pg_notify calls on the same session, committed by themselves. Not
// thread-safe (see ChangeFeed).
class PgChangeFeed final : public ChangeFeed {
 public:
  // Connects and listens; UNAVAILABLE when the database cannot be reached.
  // What `own` (may be null) commits is left out.
  static Result<std::unique_ptr<PgChangeFeed>> Open(const std::string& url, const PgPool* own);

  Result<std::vector<std::string>> Next(absl::Duration timeout) override;
  Status Mark(std::string_view token) override;

 private:
  PgChangeFeed(std::unique_ptr<PgConnection> conn, const PgPool* own)
      : conn_(std::move(conn)), own_(own) {}

  const std::unique_ptr<PgConnection> conn_;
  const PgPool* const own_;
};

}  // namespace gale::coordinator
