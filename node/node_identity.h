#pragma once

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "node/chunk_paths.h"

namespace gale::node {

// Who this node is: its id (assigned by the coordinator at first
// registration) and the cluster its data belongs to, kept in <data>/node.id
// and <data>/cluster.id and written atomically. Thread-safe.
class NodeIdentity {
 public:
  // Reads whatever is on disk (either may be absent: a new node).
  // DATA_LOSS when a file is malformed.
  static Result<std::unique_ptr<NodeIdentity>> Load(const ChunkPaths& paths);

  std::string node_id() const;
  std::string cluster_id() const;

  // Durable before they return.
  Status SaveNodeId(const std::string& id);
  Status SaveClusterId(const std::string& id);

 private:
  explicit NodeIdentity(ChunkPaths paths) : paths_(std::move(paths)) {}

  const ChunkPaths paths_;
  mutable absl::Mutex mu_;
  std::string node_id_ ABSL_GUARDED_BY(mu_);
  std::string cluster_id_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::node
