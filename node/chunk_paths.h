#pragma once

#include <string>
#include <string_view>

namespace gale::node {

// Every path under a node's data directory is named here, and nowhere else.
//   <data>/node.id, <data>/cluster.id     identity
//   <data>/chunks/ab/cd/<id>             stored chunks (id = sha256 hex)
//   <data>/tmp/                          writes in progress (wiped at start-up)
//   <data>/quarantine/<id>.<unix_ms>     chunks that failed verification
// Ids must be validated (common::ValidateChunkId) before they reach here.
// A plain value type.
class ChunkPaths {
 public:
  explicit ChunkPaths(std::string data_dir) : data_dir_(std::move(data_dir)) {}

  const std::string& data_dir() const { return data_dir_; }
  std::string NodeIdFile() const { return data_dir_ + "/node.id"; }
  std::string ClusterIdFile() const { return data_dir_ + "/cluster.id"; }
  std::string ChunksDir() const { return data_dir_ + "/chunks"; }
  std::string TmpDir() const { return data_dir_ + "/tmp"; }
  std::string QuarantineDir() const { return data_dir_ + "/quarantine"; }

  // <data>/chunks/ab/cd
  std::string ChunkDir(std::string_view id) const;
  // <data>/chunks/ab/cd/<id>
  std::string ChunkFile(std::string_view id) const;
  // <data>/tmp/<id>.<unique>
  std::string TmpFile(std::string_view id, uint64_t unique) const;
  // <data>/quarantine/<id>.<unix_ms>
  std::string QuarantineFile(std::string_view id, int64_t unix_ms) const;

 private:
  std::string data_dir_;
};

}  // namespace gale::node
