#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "migrations/migrations.h"

namespace gale::coordinator {

// What the SQL metadata stores (SQLite, PostgreSQL) share about their schema,
// which both sets of migrations define alike: column lists in the order the
// row readers expect, the tables, and the checks of a schema version.

inline constexpr std::string_view kNodeColumns =
    "id, addresses, zone, capacity_bytes, capabilities, version, registered_at_ms, state, "
    "last_heartbeat_ms, storage_used, storage_available, chunks_stored, bandwidth_up, "
    "bandwidth_down, cpu_usage, memory_usage, uptime_seconds";

// Of `files f`, with the chunk count last.
inline constexpr std::string_view kFileColumns =
    "f.id, f.name, f.size, f.sha256, f.chunk_size, f.replication_factor, f.write_mode, "
    "f.state, f.overwrite, f.auto_commit, f.owner, f.created_at_ms, f.expires_at_ms, "
    "f.committed_at_ms, f.last_accessed_ms, "
    "(SELECT count(*) FROM file_chunks fc WHERE fc.file_id = f.id)";

inline constexpr std::array<std::string_view, 7> kTables = {
    "nodes", "files", "file_chunks", "chunks", "replicas", "tasks", "schema_migrations"};

// The highest version of `migrations` (0 for none).
inline int LatestVersion(const std::vector<migrations::Migration>& migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

// FAILED_PRECONDITION when `database` is at a version newer than `latest`.
Status CheckNotNewer(std::string_view database, int current, int latest);
// UNAVAILABLE unless every migration up to `latest` is applied.
Status CheckCurrent(int current, int latest);

}  // namespace gale::coordinator
