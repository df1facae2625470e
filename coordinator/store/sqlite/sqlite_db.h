#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace gale::coordinator {

// A prepared SQLite statement. Owned by SqliteDb's cache; not thread-safe.
class SqliteStatement {
 public:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~SqliteStatement() { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are 1-based, as in SQL.
  SqliteStatement& Bind(int index, std::string_view text);
  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& Bind(int index, double value);

  // Advances: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion, for statements without results.
  Status Run();

  // Columns are 0-based.
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  double Double(int column) const { return sqlite3_column_double(stmt_, column); }
  std::string Text(int column) const;
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

  // Clears bindings and rewinds, ready for reuse.
  void Reset();

 private:
  sqlite3_stmt* stmt_;
};

// A borrowed cached statement; rewinds it when it goes out of scope, so that
// no half-read query keeps a read transaction open.
struct SqliteStatementReset {
  void operator()(SqliteStatement* stmt) const { stmt->Reset(); }
};
using SqliteQuery = std::unique_ptr<SqliteStatement, SqliteStatementReset>;

// One SQLite connection with a cache of prepared statements, and two SQL
// functions of ours: unhex(text) -> blob and lower_hex(blob) -> text (chunk
// ids are stored as their 32 bytes). Not thread-safe: the owner serializes
// access.
class SqliteDb {
 public:
  enum class Role {
    kWriter,        // creates the file; WAL journaling (writes gathered per commit), full
                    // synchronous commits, foreign keys
    kReader,        // an existing WAL file, queries only
    kCheckpointer,  // an existing WAL file, for checkpoints only
  };
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, Role role);
  ~SqliteDb();

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  // Runs one statement that returns no rows through the statement cache:
  // for those run on every transaction (BEGIN, COMMIT, SAVEPOINT), which
  // Exec would parse each time.
  Status RunCached(std::string_view sql);
  // A cached prepared statement, ready to bind.
  Result<SqliteQuery> Prepare(std::string_view sql);
  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back if it fails.
  Status Transaction(const std::function<Status()>& body);

  // Copies the whole database to a new file at `path` with SQLite's online
  // backup API (the source stays usable); the copy is synced before return.
  Status BackupTo(const std::string& path);

  // Calls `committed` with the number of pages in the WAL after every
  // commit. SQLite's own checkpoints after commits stop: the caller takes
  // them over (WalCheckpointer); when it answers true, this connection
  // checkpoints (PASSIVE) before the commit returns, as SQLite's own would.
  void OnWalCommit(std::function<bool(int wal_pages)> committed);
  // Runs a checkpoint of the given mode; returns the WAL's pages and how
  // many of them are now in the database file.
  Result<std::pair<int, int>> Checkpoint(int mode);

  // Whether a transaction is open: false after SQLite rolled one back by
  // itself (on SQLITE_FULL, SQLITE_IOERR, ...).
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int changes() const { return sqlite3_changes(db_); }
  const std::string& path() const { return path_; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  const std::string path_;
  std::function<bool(int)> wal_committed_;
  std::map<std::string, std::unique_ptr<SqliteStatement>, std::less<>> cache_;
};

// An SQLite result code as a Status: BUSY/LOCKED -> UNAVAILABLE, FULL ->
// RESOURCE_EXHAUSTED, CORRUPT/NOTADB -> DATA_LOSS, else INTERNAL.
Status SqliteStatus(int rc, sqlite3* db, std::string_view context);

}  // namespace gale::coordinator
