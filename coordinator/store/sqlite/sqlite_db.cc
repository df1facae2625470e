#include "coordinator/store/sqlite/sqlite_db.h"

#include <mutex>

#include "common/strings.h"
#include "coordinator/store/sqlite/wal_write_buffer.h"

namespace gale::coordinator {

Status SqliteStatus(int rc, sqlite3* db, std::string_view context) {
  std::string message =
      StrCat(context, ": ", db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
      return absl::OkStatus();
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(message);
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(message);
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return absl::FailedPreconditionError(message);
    default:
      return absl::InternalError(message);
  }
}

SqliteStatement& SqliteStatement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(rc, sqlite3_db_handle(stmt_), "sqlite step");
}

Status SqliteStatement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return absl::OkStatus();
  }
}

std::string SqliteStatement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), size);
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

namespace {

int HexDigit(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// unhex(text): the bytes a string of hex digits spells; NULL for NULL, an
// odd length or a character that is not a hex digit. (SQLite has its own
// from 3.41; Debian 12 ships 3.40.)
void Unhex(sqlite3_context* context, int, sqlite3_value** args) {
  const auto* text = sqlite3_value_text(args[0]);
  const int size = sqlite3_value_bytes(args[0]);
  if (text == nullptr || size % 2 != 0) return sqlite3_result_null(context);
  std::string bytes(static_cast<size_t>(size / 2), '\0');
  for (int i = 0; i < size; i += 2) {
    const int high = HexDigit(text[i]);
    const int low = HexDigit(text[i + 1]);
    if (high < 0 || low < 0) return sqlite3_result_null(context);
    bytes[static_cast<size_t>(i / 2)] = static_cast<char>(high * 16 + low);
  }
  sqlite3_result_blob(context, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}

// lower_hex(blob): its bytes as lowercase hex (hex() spells them in capitals).
void LowerHex(sqlite3_context* context, int, sqlite3_value** args) {
  if (sqlite3_value_type(args[0]) == SQLITE_NULL) return sqlite3_result_null(context);
  const auto* bytes = static_cast<const unsigned char*>(sqlite3_value_blob(args[0]));
  const int size = sqlite3_value_bytes(args[0]);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(static_cast<size_t>(size) * 2, '0');
  for (int i = 0; i < size; ++i) {
    text[2 * static_cast<size_t>(i)] = kDigits[bytes[i] >> 4];
    text[2 * static_cast<size_t>(i) + 1] = kDigits[bytes[i] & 15];
  }
  sqlite3_result_text(context, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

// SQLite's process-wide settings, before its first connection. Memory
// statistics (on by default) take a global mutex on every allocation, which
// every connection's statements make; the coordinator does not read them.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, Role role) {
  ConfigureSqliteOnce();
  sqlite3* raw = nullptr;
  // A reader opens read-write all the same: a read-only connection cannot
  // recover the WAL index after a crash. "query_only" keeps it reading.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                    (role == Role::kWriter ? SQLITE_OPEN_CREATE : 0);
  // The writer's commits reach the WAL in one write each (WalWriteBufferVfs;
  // it needs the synchronous=FULL set below).
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags,
                           role == Role::kWriter ? WalWriteBufferVfs() : nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteStatus(rc, raw, StrCat("open SQLite database ", path));
    sqlite3_close(raw);
    return status;
  }
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path));
  sqlite3_busy_timeout(raw, 5000);
  constexpr int kPure = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  for (auto [name, function] : {std::pair{"unhex", &Unhex}, std::pair{"lower_hex", &LowerHex}}) {
    rc = sqlite3_create_function_v2(raw, name, 1, kPure, nullptr, function, nullptr, nullptr,
                                    nullptr);
    if (rc != SQLITE_OK) return SqliteStatus(rc, raw, StrCat("define SQL function ", name));
  }
  if (role == Role::kReader) {
    RETURN_IF_ERROR(db->Exec("PRAGMA query_only=ON;"));
    return db;
  }
  if (role == Role::kCheckpointer) {
    // A connection checkpoints only once it has seen that the file is in
    // WAL mode: read the schema.
    RETURN_IF_ERROR(db->Exec("SELECT count(*) FROM sqlite_master"));
    return db;
  }
  // WAL lets readers proceed during writes; synchronous=FULL makes every
  // committed transaction survive power loss, which a storage system's
  // metadata needs. New chunks land on random pages of the chunk-id index:
  // the writer keeps 16 MiB of pages (SQLite's default is 2), which took a
  // 16-chunk file's commit from 0.83 to 0.63 ms of the writer's time.
  // Statement journals (a batch's bodies run in savepoints) and other
  // temporary files stay in memory: on disk each batch created, wrote and
  // deleted one (3% of the writer's time).
  RETURN_IF_ERROR(
      db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
               "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;"));
  return db;
}

void SqliteDb::OnWalCommit(std::function<bool(int wal_pages)> committed) {
  wal_committed_ = std::move(committed);
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3* db, const char* name, int pages) {
        if (static_cast<SqliteDb*>(self)->wal_committed_(pages)) {
          // No commit can come in between: every frame reaches the file, and
          // the next transaction starts the WAL over.
          sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        }
        return SQLITE_OK;
      },
      this);
}

Result<std::pair<int, int>> SqliteDb::Checkpoint(int mode) {
  int wal_pages = 0;
  int checkpointed = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, mode, &wal_pages, &checkpointed);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db_, "checkpoint");
  if (wal_pages < 0)
    return absl::FailedPreconditionError("checkpoint: the database is not in WAL mode");
  return std::pair<int, int>(wal_pages, checkpointed);
}

SqliteDb::~SqliteDb() {
  cache_.clear();
  sqlite3_close(db_);
}

Status SqliteDb::BackupTo(const std::string& path) {
  sqlite3* copy = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_exec(copy, "PRAGMA synchronous = FULL", nullptr, nullptr, nullptr);
    sqlite3_backup* backup = sqlite3_backup_init(copy, "main", db_, "main");
    if (backup == nullptr) {
      rc = sqlite3_errcode(copy);
    } else {
      rc = sqlite3_backup_step(backup, -1);
      const int finished = sqlite3_backup_finish(backup);
      if (rc == SQLITE_DONE) rc = finished;
    }
  }
  Status status =
      rc == SQLITE_OK ? absl::OkStatus() : SqliteStatus(rc, copy, StrCat("backup to ", path));
  sqlite3_close(copy);
  return status;
}

Status SqliteDb::Exec(std::string_view sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    Status status = SqliteStatus(rc, nullptr, "sqlite exec");
    return Status(status.code(), StrCat("sqlite exec: ", message));
  }
  return absl::OkStatus();
}

Result<SqliteQuery> SqliteDb::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteStatus(rc, db_, StrCat("prepare '", sql, "'"));
    it = cache_.emplace(std::string(sql), std::make_unique<SqliteStatement>(stmt)).first;
  }
  return SqliteQuery(it->second.get());
}

Status SqliteDb::RunCached(std::string_view sql) {
  ASSIGN_OR_RETURN(SqliteQuery query, Prepare(sql));
  return query->Run();
}

Status SqliteDb::Transaction(const std::function<Status()>& body) {
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Status status = body();
  if (status.ok()) status = Exec("COMMIT");
  if (!status.ok()) {
    // Rolls back whatever the body or a failed COMMIT left open.
    (void)Exec("ROLLBACK");
  }
  return status;
}

}  // namespace gale::coordinator
