#include "coordinator/store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <set>

#include "common/file_util.h"
#include "common/strings.h"
#include "coordinator/store/store_schema.h"
#include "migrations/migrations.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

// Read connections kept open between reads; more are opened when more reads
// run at once, and closed after.
constexpr size_t kMaxIdleReaders = 8;
// The WAL is copied into the database file once it holds this many pages
// (16 MiB at 4 KiB pages): a page written by many commits in between is
// copied once.
constexpr int kCheckpointPages = 4096;
// A WAL that grew larger is cut back to this size when it starts over.
constexpr char kWalSizeLimit[] = "PRAGMA journal_size_limit = 67108864";

int LatestMigrationVersion() { return LatestVersion(migrations::SqliteMigrations()); }

// Binds the stats and liveness fields starting at parameter `first`, in the
// order state, last_heartbeat_ms, storage_used ... uptime_seconds.
void BindLiveness(SqliteStatement& stmt, int first, const NodeRecord& node) {
  stmt.Bind(first, NodeStateName(node.state))
      .Bind(first + 1, absl::ToUnixMillis(node.last_heartbeat))
      .Bind(first + 2, node.stats.storage_used)
      .Bind(first + 3, node.stats.storage_available)
      .Bind(first + 4, node.stats.chunks_stored)
      .Bind(first + 5, node.stats.bandwidth_up)
      .Bind(first + 6, node.stats.bandwidth_down)
      .Bind(first + 7, node.stats.cpu_usage)
      .Bind(first + 8, node.stats.memory_usage)
      .Bind(first + 9, node.stats.uptime_seconds);
}

Result<NodeRecord> ReadNode(const SqliteStatement& row) {
  NodeRecord node;
  node.id = row.Text(0);
  auto addresses = nlohmann::json::parse(row.Text(1), nullptr, false);
  auto capabilities = nlohmann::json::parse(row.Text(4), nullptr, false);
  if (!addresses.is_array() || !capabilities.is_object()) {
    return absl::DataLossError(StrCat("node ", node.id, ": malformed JSON column"));
  }
  for (const auto& a : addresses) {
    if (a.is_string()) node.addresses.push_back(a.get<std::string>());
  }
  for (const auto& [k, v] : capabilities.items()) {
    if (v.is_string()) node.capabilities.emplace(k, v.get<std::string>());
  }
  node.zone = row.Text(2);
  node.capacity_bytes = row.Int(3);
  node.version = row.Text(5);
  node.registered_at = absl::FromUnixMillis(row.Int(6));
  ASSIGN_OR_RETURN(node.state, ParseNodeState(row.Text(7)));
  node.last_heartbeat = absl::FromUnixMillis(row.Int(8));
  node.stats.storage_used = row.Int(9);
  node.stats.storage_available = row.Int(10);
  node.stats.chunks_stored = row.Int(11);
  node.stats.bandwidth_up = row.Int(12);
  node.stats.bandwidth_down = row.Int(13);
  node.stats.cpu_usage = row.Double(14);
  node.stats.memory_usage = row.Double(15);
  node.stats.uptime_seconds = row.Int(16);
  return node;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  std::string lock_path = StrCat(path, ".lock");
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0) return common::ErrnoStatus(errno, StrCat("open ", lock_path));
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    return absl::FailedPreconditionError(
        StrCat("the SQLite database ", path,
               " is in use by another coordinator; SQLite allows one coordinator (use PostgreSQL "
               "to run several)"));
  }
  auto opened = [&]() -> Result<std::unique_ptr<SqliteStore>> {
    ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, SqliteDb::Role::kWriter));
    RETURN_IF_ERROR(db->Exec(kWalSizeLimit));
    ASSIGN_OR_RETURN(auto checkpoints, SqliteDb::Open(path, SqliteDb::Role::kCheckpointer));
    auto checkpointer = std::make_unique<WalCheckpointer>(std::move(checkpoints), kCheckpointPages);
    db->OnWalCommit([checkpointer = checkpointer.get()](int wal_pages) {
      return checkpointer->Committed(wal_pages);
    });
    checkpointer->Start();
    return std::unique_ptr<SqliteStore>(
        new SqliteStore(std::move(db), std::move(checkpointer), lock_fd));
  }();
  if (!opened.ok()) ::close(lock_fd);
  return opened;
}

SqliteStore::SqliteStore(std::unique_ptr<SqliteDb> db,
                         std::unique_ptr<WalCheckpointer> checkpointer, int lock_fd)
    : db_(std::move(db)),
      checkpointer_(std::move(checkpointer)),
      path_(db_->path()),
      lock_fd_(lock_fd) {}

SqliteStore::~SqliteStore() {
  {
    absl::MutexLock lock(&readers_mu_);
    idle_readers_.clear();
  }
  {
    absl::MutexLock lock(&mu_);
    db_.reset();  // reports its last commits to the checkpointer
  }
  checkpointer_.reset();
  ::close(lock_fd_);  // releases the flock
}

Status SqliteStore::WriteStatus(absl::FunctionRef<Status(SqliteDb&)> body) {
  PendingWrite mine{body};
  std::vector<PendingWrite*> batch;
  {
    absl::MutexLock lock(&queue_mu_);
    queue_.push_back(&mine);
    // Another writer's batch may take this one along while it waits.
    while (committing_ && !mine.done) batch_done_.Wait(&queue_mu_);
    if (mine.done) return mine.status;
    // This writer leads the next batch: everything queued so far.
    committing_ = true;
    batch.swap(queue_);
  }
  {
    absl::MutexLock lock(&mu_);
    CommitBatch(batch);
  }
  absl::MutexLock lock(&queue_mu_);
  for (PendingWrite* write : batch) write->done = true;
  committing_ = false;
  batch_done_.SignalAll();
  return mine.status;
}

void SqliteStore::CommitBatch(const std::vector<PendingWrite*>& batch) {
  SqliteDb& db = *db_;
  // The writes that succeeded in the open transaction, not yet committed.
  std::vector<PendingWrite*> open;
  auto fail_open = [&open](const Status& cause) {
    for (PendingWrite* write : open) {
      write->status = absl::UnavailableError(
          StrCat("rolled back with the transaction it shared: ", cause.message()));
    }
    open.clear();
  };
  for (PendingWrite* write : batch) {
    if (!db.in_transaction()) {
      write->status = db.RunCached("BEGIN IMMEDIATE");
      if (!write->status.ok()) continue;
    }
    Status status = db.RunCached("SAVEPOINT write");
    if (status.ok()) status = write->body(db);
    if (status.ok()) status = db.RunCached("RELEASE write");
    write->status = status;
    if (status.ok()) {
      open.push_back(write);
    } else if (!db.in_transaction()) {
      // SQLite rolled the whole transaction back (a full disk, an I/O error).
      fail_open(status);
    } else if (Status undone = db.Exec("ROLLBACK TO write; RELEASE write"); !undone.ok()) {
      (void)db.Exec("ROLLBACK");
      fail_open(undone);
    }
  }
  if (!db.in_transaction()) return;
  Status committed = db.RunCached("COMMIT");
  if (!committed.ok()) {
    if (db.in_transaction()) (void)db.Exec("ROLLBACK");
    for (PendingWrite* write : open) write->status = committed;
  }
}

Status SqliteStore::ReadStatus(absl::FunctionRef<Status(SqliteDb&)> body) {
  std::unique_ptr<SqliteDb> reader;
  {
    absl::MutexLock lock(&readers_mu_);
    if (!idle_readers_.empty()) {
      reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    }
  }
  if (reader == nullptr) {
    ASSIGN_OR_RETURN(reader, SqliteDb::Open(path_, SqliteDb::Role::kReader));
  }
  Status status = reader->RunCached("BEGIN");
  if (status.ok()) status = body(*reader);
  // Ends the read transaction; nothing was written.
  if (reader->in_transaction()) (void)reader->RunCached("COMMIT");
  if (reader->in_transaction()) return status;  // not reusable: dropped
  absl::MutexLock lock(&readers_mu_);
  if (idle_readers_.size() < kMaxIdleReaders) idle_readers_.push_back(std::move(reader));
  return status;
}

Result<int> SqliteStore::SchemaVersionIn(SqliteDb& db) {
  ASSIGN_OR_RETURN(auto exists,
                   db.Prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                              "name = 'schema_migrations'"));
  ASSIGN_OR_RETURN(bool row, exists->Step());
  if (!row || exists->Int(0) == 0) return 0;
  ASSIGN_OR_RETURN(auto max, db.Prepare("SELECT coalesce(max(version), 0) FROM schema_migrations"));
  ASSIGN_OR_RETURN(row, max->Step());
  return row ? static_cast<int>(max->Int(0)) : 0;
}

Result<int> SqliteStore::SchemaVersion() {
  return Read([&](SqliteDb& db) -> Result<int> { return SchemaVersionIn(db); });
}

Status SqliteStore::Migrate() {
  absl::MutexLock lock(&mu_);
  SqliteDb& db = *db_;
  RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
              "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)"));
  // Every migration not recorded is applied, also below the highest recorded
  // one: branches that each add a migration may merge in either order.
  std::set<int> applied;
  {
    ASSIGN_OR_RETURN(auto versions, db.Prepare("SELECT version FROM schema_migrations"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, versions->Step());
      if (!row) break;
      applied.insert(static_cast<int>(versions->Int(0)));
    }
  }
  RETURN_IF_ERROR(CheckAppliedKnown(db.path(), applied, migrations::SqliteMigrations()));
  for (const auto& migration : migrations::SqliteMigrations()) {
    if (applied.contains(migration.version)) continue;
    Status status = db.Transaction([&]() -> Status {
      RETURN_IF_ERROR(db.Exec(migration.sql));
      ASSIGN_OR_RETURN(auto insert,
                       db.Prepare("INSERT INTO schema_migrations (version, name, applied_at_ms) "
                                  "VALUES (?, ?, ?)"));
      insert->Bind(1, int64_t{migration.version})
          .Bind(2, migration.name)
          .Bind(3, absl::ToUnixMillis(absl::Now()));
      return insert->Run();
    });
    if (!status.ok()) {
      return Status(status.code(), StrCat("migration ", migration.name, ": ", status.message()));
    }
    spdlog::info("applied migration {}", migration.name);
  }
  return absl::OkStatus();
}

Status SqliteStore::CheckReady() {
  return Read([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(int version, SchemaVersionIn(db));
    return CheckCurrent(version, LatestMigrationVersion());
  });
}

Result<ClusterInfo> SqliteStore::GetOrCreateCluster(std::string_view new_id, absl::Time now) {
  ClusterInfo info;
  RETURN_IF_ERROR(Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto insert,
                     db.Prepare("INSERT OR IGNORE INTO cluster (id, created_at_ms) VALUES (?, ?)"));
    insert->Bind(1, new_id).Bind(2, absl::ToUnixMillis(now));
    RETURN_IF_ERROR(insert->Run());
    ASSIGN_OR_RETURN(auto select, db.Prepare("SELECT id, created_at_ms FROM cluster"));
    ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) return absl::InternalError("cluster row missing after insert");
    info.id = select->Text(0);
    info.created_at = absl::FromUnixMillis(select->Int(1));
    return absl::OkStatus();
  }));
  return info;
}

Status SqliteStore::UpsertNode(const NodeRecord& node) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare(StrCat("INSERT OR REPLACE INTO nodes (", kNodeColumns,
                                       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                       "?, ?, ?)")));
    nlohmann::json capabilities(node.capabilities);
    stmt->Bind(1, node.id)
        .Bind(2, nlohmann::json(node.addresses).dump())
        .Bind(3, node.zone)
        .Bind(4, node.capacity_bytes)
        .Bind(5, capabilities.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .Bind(6, node.version)
        .Bind(7, absl::ToUnixMillis(node.registered_at));
    BindLiveness(*stmt, 8, node);
    return stmt->Run();
  });
}

Status SqliteStore::UpdateNodeLiveness(const std::vector<NodeRecord>& nodes) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(
        auto stmt,
        db.Prepare("UPDATE nodes SET state = CASE WHEN state IN ('active', 'suspect') AND "
                   "?1 IN ('active', 'suspect', 'dead') THEN ?1 ELSE state END, "
                   "last_heartbeat_ms = ?2, storage_used = ?3, storage_available = ?4, "
                   "chunks_stored = ?5, bandwidth_up = ?6, bandwidth_down = ?7, cpu_usage = ?8, "
                   "memory_usage = ?9, uptime_seconds = ?10 WHERE id = ?11 AND "
                   "last_heartbeat_ms <= ?2"));
    for (const NodeRecord& node : nodes) {
      BindLiveness(*stmt, 1, node);
      stmt->Bind(11, node.id);
      RETURN_IF_ERROR(stmt->Run());
      stmt->Reset();
    }
    return absl::OkStatus();
  });
}

Result<int> SqliteStore::DeleteDeadNodes(absl::Time before) {
  return Write([&](SqliteDb& db) -> Result<int> {
    ASSIGN_OR_RETURN(
        auto stmt, db.Prepare("DELETE FROM nodes WHERE state IN ('dead', 'decommissioned') AND "
                              "last_heartbeat_ms < ? AND NOT EXISTS (SELECT 1 FROM replicas r JOIN "
                              "node_keys k ON k.seq = r.node WHERE k.id = nodes.id) AND NOT EXISTS "
                              "(SELECT 1 FROM tasks t WHERE t.node_id = nodes.id AND t.state IN "
                              "('pending', 'assigned'))"));
    stmt->Bind(1, absl::ToUnixMillis(before));
    RETURN_IF_ERROR(stmt->Run());
    return db.changes();
  });
}

Result<DatabaseStats> SqliteStore::Stats() {
  return Read([&](SqliteDb& db) -> Result<DatabaseStats> {
    DatabaseStats stats;
    for (std::string_view table : kTables) {
      ASSIGN_OR_RETURN(auto count, db.Prepare(StrCat("SELECT count(*) FROM ", table)));
      ASSIGN_OR_RETURN(bool row, count->Step());
      stats.rows[std::string(table)] = row ? count->Int(0) : 0;
    }
    ASSIGN_OR_RETURN(auto size, db.Prepare("SELECT page_count * page_size, page_size FROM "
                                           "pragma_page_count(), pragma_page_size()"));
    ASSIGN_OR_RETURN(bool row, size->Step());
    if (!row) return absl::InternalError("SQLite reports no page size");
    stats.size_bytes = size->Int(0);
    const WalActivity activity = checkpointer_->activity();
    stats.activity = {{"commits", activity.commits},
                      {"wal_frames", activity.frames},
                      {"wal_bytes", activity.frames * size->Int(1)},
                      {"checkpoints", activity.checkpoints},
                      {"writer_checkpoints", activity.writer_checkpoints}};
    return stats;
  });
}

Status SqliteStore::Backup(const std::string& path) {
  absl::MutexLock lock(&mu_);
  return db_->BackupTo(path);
}

Result<std::vector<NodeRecord>> SqliteStore::ListNodes() {
  return Read([&](SqliteDb& db) -> Result<std::vector<NodeRecord>> {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare(StrCat("SELECT ", kNodeColumns, " FROM nodes ORDER BY id")));
    std::vector<NodeRecord> nodes;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      ASSIGN_OR_RETURN(NodeRecord node, ReadNode(*stmt));
      nodes.push_back(std::move(node));
    }
    return nodes;
  });
}

Status SqliteStore::ReplaceNodeReplicas(std::string_view node_id,
                                        const std::vector<ChunkReplica>& chunks, absl::Time now) {
  const int64_t now_ms = absl::ToUnixMillis(now);
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(const int64_t node, NodeKeyIn(db, node_id));
    // The report is the truth about what the node holds: reported copies are
    // (re)recorded, keeping a "deleting" or "corrupt" verdict that the report
    // alone cannot lift, and rows it no longer holds go.
    RETURN_IF_ERROR(
        db.Exec("CREATE TEMP TABLE IF NOT EXISTS reported (chunk INTEGER PRIMARY KEY); "
                "DELETE FROM temp.reported;"));
    ASSIGN_OR_RETURN(auto remember,
                     db.Prepare("INSERT OR IGNORE INTO temp.reported (chunk) VALUES (?)"));
    ASSIGN_OR_RETURN(
        auto upsert,
        db.Prepare("INSERT INTO replicas (chunk, node, size, state, updated_at_ms) "
                   "VALUES (?, ?, ?, 'stored', ?) ON CONFLICT (chunk, node) DO UPDATE "
                   "SET size = excluded.size, updated_at_ms = excluded.updated_at_ms"));
    for (const ChunkReplica& chunk : chunks) {
      ASSIGN_OR_RETURN(const int64_t chunk_key, ChunkKeyIn(db, chunk.chunk_id));
      remember->Bind(1, chunk_key);
      RETURN_IF_ERROR(remember->Run());
      remember->Reset();
      upsert->Bind(1, chunk_key).Bind(2, node).Bind(3, chunk.size).Bind(4, now_ms);
      RETURN_IF_ERROR(upsert->Run());
      upsert->Reset();
    }
    remember.reset();
    upsert.reset();
    ASSIGN_OR_RETURN(auto forget, db.Prepare("DELETE FROM replicas WHERE node = ? AND chunk NOT "
                                             "IN (SELECT chunk FROM temp.reported)"));
    forget->Bind(1, node);
    RETURN_IF_ERROR(forget->Run());
    forget.reset();
    return ForgetUnknownChunksIn(db);
  });
}

Result<std::vector<ChunkReplica>> SqliteStore::ListNodeReplicas(std::string_view node_id,
                                                                std::string_view after, int limit) {
  return Read([&](SqliteDb& db) -> Result<std::vector<ChunkReplica>> {
    // By chunk id: walk the chunks in id order and take those on the node.
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare("SELECT lower_hex(c.id), r.size FROM chunks c CROSS JOIN "
                                "replicas r ON r.chunk = c.seq AND r.node = (SELECT seq FROM "
                                "node_keys WHERE id = ?1) WHERE c.id > unhex(?2) ORDER BY c.id "
                                "LIMIT ?3"));
    stmt->Bind(1, node_id).Bind(2, after).Bind(3, int64_t{limit});
    std::vector<ChunkReplica> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      out.push_back({stmt->Text(0), stmt->Int(1)});
    }
    return out;
  });
}

Result<ReplicaTotals> SqliteStore::CountNodeReplicas(std::string_view node_id) {
  return Read([&](SqliteDb& db) -> Result<ReplicaTotals> {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare("SELECT count(*), coalesce(sum(size), 0) FROM replicas "
                                "WHERE node = (SELECT seq FROM node_keys WHERE id = ?)"));
    stmt->Bind(1, node_id);
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return ReplicaTotals{};
    return ReplicaTotals{stmt->Int(0), stmt->Int(1)};
  });
}

}  // namespace gale::coordinator
