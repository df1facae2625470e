#pragma once

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "coordinator/metadata_store.h"
#include "coordinator/sqlite_db.h"

namespace gale::coordinator {

// The embedded metadata store: one SQLite file in WAL mode, migrated from the
// SQL embedded from migrations/sqlite/. Holds an exclusive lock on
// "<path>.lock" for its lifetime, so a second coordinator on the same file
// refuses to start. Thread-safe: one connection, serialized by a mutex.
class SqliteStore final : public MetadataStore {
 public:
  // Opens (creating) the database. FAILED_PRECONDITION when another process
  // holds the file.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  ~SqliteStore() override;

  std::string_view backend() const override { return "sqlite"; }
  Status Migrate() override;
  Result<int> SchemaVersion() override;
  Status CheckReady() override;
  Result<ClusterInfo> GetOrCreateCluster(std::string_view new_id, absl::Time now) override;
  Status UpsertNode(const NodeRecord& node) override;
  Status UpdateNodeLiveness(const std::vector<NodeRecord>& nodes) override;
  Result<std::vector<NodeRecord>> ListNodes() override;
  Status ReplaceNodeReplicas(std::string_view node_id, const std::vector<ChunkReplica>& chunks,
                             absl::Time now) override;
  Result<std::vector<ChunkReplica>> ListNodeReplicas(std::string_view node_id,
                                                     std::string_view after, int limit) override;
  Result<ReplicaTotals> CountNodeReplicas(std::string_view node_id) override;

 private:
  SqliteStore(std::unique_ptr<SqliteDb> db, int lock_fd);
  Result<int> SchemaVersionLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::unique_ptr<SqliteDb> db_ ABSL_GUARDED_BY(mu_);
  const int lock_fd_;
};

}  // namespace gale::coordinator
