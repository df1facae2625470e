#include "coordinator/store/postgres/postgres_store.h"

#include <set>
#include <tuple>
#include <unordered_map>

#include "common/ids.h"
#include "common/strings.h"
#include "coordinator/store/postgres/pg_change_feed.h"
#include "coordinator/store/store_schema.h"
#include "migrations/migrations.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

int LatestMigrationVersion() { return LatestVersion(migrations::PostgresMigrations()); }

// The liveness fields in the order state, last_heartbeat_ms, storage_used ...
// uptime_seconds: parameters of UpsertNode and UpdateNodeLiveness.
auto LivenessParams(const NodeRecord& node) {
  return std::make_tuple(std::string(NodeStateName(node.state)),
                         absl::ToUnixMillis(node.last_heartbeat), node.stats.storage_used,
                         node.stats.storage_available, node.stats.chunks_stored,
                         node.stats.bandwidth_up, node.stats.bandwidth_down, node.stats.cpu_usage,
                         node.stats.memory_usage, node.stats.uptime_seconds);
}

Result<NodeRecord> ReadNode(const pqxx::row& row) {
  NodeRecord node;
  node.id = row[0].as<std::string>();
  node.addresses = ParsePgTextArray(row[1]);
  auto capabilities = nlohmann::json::parse(row[4].as<std::string>(), nullptr, false);
  if (!capabilities.is_object()) {
    return absl::DataLossError(StrCat("node ", node.id, ": malformed capabilities column"));
  }
  for (const auto& [k, v] : capabilities.items()) {
    if (v.is_string()) node.capabilities.emplace(k, v.get<std::string>());
  }
  node.zone = row[2].as<std::string>();
  node.capacity_bytes = row[3].as<int64_t>();
  node.version = row[5].as<std::string>();
  node.registered_at = absl::FromUnixMillis(row[6].as<int64_t>());
  ASSIGN_OR_RETURN(node.state, ParseNodeState(row[7].as<std::string>()));
  node.last_heartbeat = absl::FromUnixMillis(row[8].as<int64_t>());
  node.stats.storage_used = row[9].as<int64_t>();
  node.stats.storage_available = row[10].as<int64_t>();
  node.stats.chunks_stored = row[11].as<int64_t>();
  node.stats.bandwidth_up = row[12].as<int64_t>();
  node.stats.bandwidth_down = row[13].as<int64_t>();
  node.stats.cpu_usage = row[14].as<double>();
  node.stats.memory_usage = row[15].as<double>();
  node.stats.uptime_seconds = row[16].as<int64_t>();
  return node;
}

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url, int pool_size) {
  ASSIGN_OR_RETURN(auto pool, PgPool::Open(url, pool_size));
  // Names are compared and ordered as UTF-8 bytes; other encodings would
  // reorder or reject them.
  ASSIGN_OR_RETURN(std::string encoding,
                   pool->Run("read server encoding", PgIsolation::kAutocommit,
                             [](PgTx& tx) -> Result<std::string> {
                               ASSIGN_OR_RETURN(pqxx::result r, tx.Exec("SHOW server_encoding"));
                               return r[0][0].as<std::string>();
                             }));
  if (encoding != "UTF8") {
    return absl::FailedPreconditionError(
        StrCat("the PostgreSQL database ", pool->redacted_url(), " has encoding ", encoding,
               "; Gale needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0)"));
  }
  spdlog::info("metadata store: PostgreSQL at {} (up to {} connections)", pool->redacted_url(),
               pool_size);
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(pool)));
}

Result<int> PostgresStore::SchemaVersionIn(PgTx& tx) {
  ASSIGN_OR_RETURN(pqxx::result exists,
                   tx.Exec("SELECT to_regclass('schema_migrations') IS NOT NULL"));
  if (!exists[0][0].as<bool>()) return 0;
  ASSIGN_OR_RETURN(pqxx::result max,
                   tx.Exec("SELECT coalesce(max(version), 0) FROM schema_migrations"));
  return max[0][0].as<int>();
}

Result<int> PostgresStore::SchemaVersion() {
  return pool_->Run("read schema version", PgIsolation::kRepeatableRead, &SchemaVersionIn);
}

Status PostgresStore::Migrate() {
  // A dedicated session holds the lock across the migrations' transactions;
  // the server releases it should the session die.
  ASSIGN_OR_RETURN(auto conn, PgConnection::Connect(pool_->url()));
  RETURN_IF_ERROR(conn->Run("lock migrations", PgIsolation::kAutocommit, [](PgTx& tx) {
    return tx.Exec("SELECT pg_advisory_lock($1)", kMigrationLockKey).status();
  }));
  RETURN_IF_ERROR(conn->Run("create schema_migrations", PgIsolation::kAutocommit, [](PgTx& tx) {
    return tx.ExecScript(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT "
        "NOT NULL, applied_at_ms BIGINT NOT NULL)");
  }));
  // Every migration not recorded is applied, also below the highest recorded
  // one: branches that each add a migration may merge in either order.
  std::set<int> applied;
  RETURN_IF_ERROR(
      conn->Run("read schema versions", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Status {
        ASSIGN_OR_RETURN(pqxx::result r, tx.Exec("SELECT version FROM schema_migrations"));
        for (const pqxx::row& row : r) applied.insert(row[0].as<int>());
        return absl::OkStatus();
      }));
  RETURN_IF_ERROR(
      CheckAppliedKnown(pool_->redacted_url(), applied, migrations::PostgresMigrations()));
  for (const auto& migration : migrations::PostgresMigrations()) {
    if (applied.contains(migration.version)) continue;
    Status status = conn->Run(
        StrCat("migration ", migration.name), PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
          RETURN_IF_ERROR(tx.ExecScript(migration.sql));
          return tx
              .Exec(
                  "INSERT INTO schema_migrations (version, name, applied_at_ms) "
                  "VALUES ($1, $2, $3)",
                  migration.version, migration.name, absl::ToUnixMillis(absl::Now()))
              .status();
        });
    if (!status.ok()) {
      return Status(status.code(), StrCat("migration ", migration.name, ": ", status.message()));
    }
    spdlog::info("applied migration {}", migration.name);
  }
  return conn->Run("unlock migrations", PgIsolation::kAutocommit, [](PgTx& tx) {
    return tx.Exec("SELECT pg_advisory_unlock($1)", kMigrationLockKey).status();
  });
}

Status PostgresStore::CheckReady() {
  ASSIGN_OR_RETURN(int version, SchemaVersion());
  return CheckCurrent(version, LatestMigrationVersion());
}

Result<ClusterInfo> PostgresStore::GetOrCreateCluster(std::string_view new_id, absl::Time now) {
  return pool_->Run(
      "GetOrCreateCluster", PgIsolation::kSerializable, [&](PgTx& tx) -> Result<ClusterInfo> {
        RETURN_IF_ERROR(tx.Exec("INSERT INTO cluster (id, created_at_ms) VALUES ($1, $2) ON "
                                "CONFLICT DO NOTHING",
                                new_id, absl::ToUnixMillis(now))
                            .status());
        ASSIGN_OR_RETURN(pqxx::result r, tx.Exec("SELECT id, created_at_ms FROM cluster"));
        if (r.empty()) return absl::InternalError("cluster row missing after insert");
        return ClusterInfo{r[0][0].as<std::string>(), absl::FromUnixMillis(r[0][1].as<int64_t>())};
      });
}

Status PostgresStore::UpsertNode(const NodeRecord& node) {
  const std::string capabilities =
      nlohmann::json(node.capabilities)
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return pool_->Run("UpsertNode", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    auto upsert = [&](const auto&... liveness) {
      return tx.Exec(StrCat("INSERT INTO nodes (", kNodeColumns,
                            ") VALUES ($1, $2::text[], $3, $4, $5::jsonb, $6, $7, $8, $9, $10, "
                            "$11, $12, $13, $14, $15, $16, $17) ON CONFLICT (id) DO UPDATE SET "
                            "addresses = EXCLUDED.addresses, zone = EXCLUDED.zone, "
                            "capacity_bytes = EXCLUDED.capacity_bytes, capabilities = "
                            "EXCLUDED.capabilities, version = EXCLUDED.version, "
                            "registered_at_ms = EXCLUDED.registered_at_ms, state = "
                            "EXCLUDED.state, last_heartbeat_ms = EXCLUDED.last_heartbeat_ms, "
                            "storage_used = EXCLUDED.storage_used, storage_available = "
                            "EXCLUDED.storage_available, chunks_stored = EXCLUDED.chunks_stored, "
                            "bandwidth_up = EXCLUDED.bandwidth_up, bandwidth_down = "
                            "EXCLUDED.bandwidth_down, cpu_usage = EXCLUDED.cpu_usage, "
                            "memory_usage = EXCLUDED.memory_usage, uptime_seconds = "
                            "EXCLUDED.uptime_seconds"),
                     node.id, PgTextArray(node.addresses), node.zone, node.capacity_bytes,
                     capabilities, node.version, absl::ToUnixMillis(node.registered_at),
                     liveness...);
    };
    return std::apply(upsert, LivenessParams(node)).status();
  });
}

Status PostgresStore::UpdateNodeLiveness(const std::vector<NodeRecord>& nodes) {
  return pool_->Run("UpdateNodeLiveness", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    for (const NodeRecord& node : nodes) {
      auto update = [&](const auto&... liveness) {
        return tx.Exec(
            "UPDATE nodes SET state = CASE WHEN state IN ('active', 'suspect') AND $1::text IN "
            "('active', 'suspect', 'dead') THEN $1 ELSE state END, last_heartbeat_ms = $2, "
            "storage_used = $3, storage_available = $4, chunks_stored = $5, bandwidth_up = $6, "
            "bandwidth_down = $7, cpu_usage = $8, memory_usage = $9, uptime_seconds = $10 "
            "WHERE id = $11 AND last_heartbeat_ms <= $2",
            liveness..., node.id);
      };
      RETURN_IF_ERROR(std::apply(update, LivenessParams(node)).status());
    }
    return absl::OkStatus();
  });
}

Result<int> PostgresStore::DeleteDeadNodes(absl::Time before) {
  return pool_->Run("DeleteDeadNodes", PgIsolation::kSerializable, [&](PgTx& tx) -> Result<int> {
    ASSIGN_OR_RETURN(
        int64_t deleted,
        tx.Change("DELETE FROM nodes n WHERE n.state IN ('dead', 'decommissioned') AND "
                  "n.last_heartbeat_ms < $1 AND NOT EXISTS (SELECT 1 FROM replicas r WHERE "
                  "r.node_id = n.id) AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.node_id = "
                  "n.id AND t.state IN ('pending', 'assigned'))",
                  absl::ToUnixMillis(before)));
    return static_cast<int>(deleted);
  });
}

Result<std::vector<NodeRecord>> PostgresStore::ListNodes() {
  return pool_->Run(
      "ListNodes", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<std::vector<NodeRecord>> {
        ASSIGN_OR_RETURN(pqxx::result r,
                         tx.Exec(StrCat("SELECT ", kNodeColumns, " FROM nodes ORDER BY id")));
        return ReadRows(r, &ReadNode);
      });
}

Status PostgresStore::ReplaceNodeReplicas(std::string_view node_id,
                                          const std::vector<ChunkReplica>& chunks, absl::Time now) {
  // A chunk reported twice is recorded once, with its last size.
  std::vector<std::string> ids;
  std::vector<int64_t> sizes;
  std::unordered_map<std::string_view, size_t> seen;
  for (const ChunkReplica& chunk : chunks) {
    RETURN_IF_ERROR(common::ValidateChunkId(chunk.chunk_id));
    auto [it, inserted] = seen.try_emplace(chunk.chunk_id, ids.size());
    if (inserted) {
      ids.push_back(chunk.chunk_id);
      sizes.push_back(chunk.size);
    } else {
      sizes[it->second] = chunk.size;
    }
  }
  const std::string id_array = PgTextArray(ids);
  const std::string size_array = PgInt64Array(sizes);
  return pool_->Run("ReplaceNodeReplicas", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    // The report is the truth about what the node holds: rows it no longer
    // holds go; reported ones are (re)recorded, keeping a "deleting" or
    // "corrupt" verdict that the report alone cannot lift.
    RETURN_IF_ERROR(
        tx.Exec("DELETE FROM replicas r WHERE r.node_id = $1 AND NOT EXISTS (SELECT "
                "1 FROM unnest($2::text[]) AS u(chunk_id) WHERE decode(u.chunk_id, 'hex') = "
                "r.chunk_id)",
                node_id, id_array)
            .status());
    return tx
        .Exec(
            "INSERT INTO replicas (chunk_id, node_id, size, state, updated_at_ms) SELECT "
            "decode(u.chunk_id, 'hex'), $1, u.size, 'stored', $4 FROM unnest($2::text[], "
            "$3::bigint[]) AS "
            "u(chunk_id, size) ON CONFLICT (chunk_id, node_id) DO UPDATE SET size = "
            "EXCLUDED.size, updated_at_ms = EXCLUDED.updated_at_ms",
            node_id, id_array, size_array, absl::ToUnixMillis(now))
        .status();
  });
}

Result<std::vector<ChunkReplica>> PostgresStore::ListNodeReplicas(std::string_view node_id,
                                                                  std::string_view after,
                                                                  int limit) {
  return pool_->Run("ListNodeReplicas", PgIsolation::kRepeatableRead,
                    [&](PgTx& tx) -> Result<std::vector<ChunkReplica>> {
                      ASSIGN_OR_RETURN(pqxx::result r,
                                       tx.Exec("SELECT encode(chunk_id, 'hex'), size FROM "
                                               "replicas WHERE node_id = $1 AND chunk_id > "
                                               "decode($2, 'hex') ORDER BY chunk_id LIMIT $3",
                                               node_id, after, PgLimit(limit)));
                      std::vector<ChunkReplica> out;
                      for (const pqxx::row& row : r) {
                        out.push_back({row[0].as<std::string>(), row[1].as<int64_t>()});
                      }
                      return out;
                    });
}

Result<ReplicaTotals> PostgresStore::CountNodeReplicas(std::string_view node_id) {
  return pool_->Run(
      "CountNodeReplicas", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<ReplicaTotals> {
        ASSIGN_OR_RETURN(pqxx::result r, tx.Exec("SELECT count(*), coalesce(sum(size), 0)::bigint "
                                                 "FROM replicas WHERE node_id = $1",
                                                 node_id));
        return ReplicaTotals{r[0][0].as<int64_t>(), r[0][1].as<int64_t>()};
      });
}

Result<std::unique_ptr<ChangeFeed>> PostgresStore::OpenChangeFeed() {
  ASSIGN_OR_RETURN(std::unique_ptr<PgChangeFeed> feed,
                   PgChangeFeed::Open(pool_->url(), pool_.get()));
  return std::unique_ptr<ChangeFeed>(std::move(feed));
}

Result<DatabaseStats> PostgresStore::Stats() {
  return pool_->Run("Stats", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<DatabaseStats> {
    DatabaseStats stats;
    for (std::string_view table : kTables) {
      ASSIGN_OR_RETURN(pqxx::result r, tx.Exec(StrCat("SELECT count(*) FROM ", table)));
      stats.rows[std::string(table)] = r[0][0].as<int64_t>();
    }
    ASSIGN_OR_RETURN(pqxx::result size, tx.Exec("SELECT pg_database_size(current_database())"));
    stats.size_bytes = size[0][0].as<int64_t>();
    // The server's WAL (all its databases); PostgreSQL counts no write
    // transactions apart from read-only ones.
    ASSIGN_OR_RETURN(pqxx::result wal, tx.Exec("SELECT wal_bytes::bigint FROM pg_stat_wal"));
    if (!wal.empty()) stats.activity = {{"wal_bytes", wal[0][0].as<int64_t>()}};
    return stats;
  });
}

Status PostgresStore::Backup(const std::string& path) {
  return absl::InvalidArgumentError(StrCat(
      "the PostgreSQL metadata store is not backed up by the coordinator (asked to write ", path,
      "): use PostgreSQL's tools, pg_dump for a consistent copy while it runs (pg_dump "
      "--format=custom --file=gale.dump DBNAME) or continuous WAL archiving for "
      "point-in-time recovery"));
}

}  // namespace gale::coordinator
