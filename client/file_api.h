#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gale::client {

// A file as clients see it.
struct FileInfo {
  struct Replica {
    std::string node_id;
    std::string address;     // host:port of the node's data API
    std::string node_state;  // "active", "suspect", ...
  };
  struct Chunk {
    int64_t index = 0;
    std::string id;  // lowercase hex SHA-256
    int64_t size = 0;
    std::vector<Replica> replicas;  // live, best first
  };
  std::string id;
  std::string name;
  int64_t size = 0;
  std::string sha256;
  int64_t chunk_size = 0;
  int replication_factor = 0;
  std::string write_mode;
  std::string state;  // "pending" or "complete"
  int64_t created_at_ms = 0;
  int64_t chunk_count = 0;
  std::vector<Chunk> chunks;  // when asked for
};

struct CreateFileArgs {
  std::string name;
  int64_t size = -1;  // -1: unknown until commit
  int replication_factor = 0;
  std::string write_mode;  // "" for the coordinator's default
  int64_t chunk_size = 4 << 20;
  bool overwrite = false;
};

struct ChunkSpec {
  int64_t index = 0;
  std::string id;
  int64_t size = 0;
};

struct Placement {
  int64_t index = 0;
  bool already_stored = false;
  std::vector<FileInfo::Replica> targets;  // node_id and address
  std::string write_grant;                 // sent with each PUT
};

struct CreatedFile {
  std::string id;
  std::vector<Placement> placements;  // of the first chunks asked for
};

// The coordinator operations that uploads and downloads need. Implemented
// over gRPC for remote clients (GrpcFileApi) and by direct calls inside the
// coordinator, whose REST gateway uploads and downloads too. Errors carry the
// coordinator's codes and messages. Implementations are thread-safe.
class FileApi {
 public:
  virtual ~FileApi() = default;
  // Creates the pending file; `first_chunks` (may be empty) are allocated
  // in the same call, as AllocateChunks would place them. When they cannot
  // be placed the file is not created.
  virtual Result<CreatedFile> CreateFile(const CreateFileArgs& args,
                                         const std::vector<ChunkSpec>& first_chunks) = 0;
  // `stored_on`: nodes that acknowledged these chunks in an earlier round
  // (they count towards the targets and are not picked again).
  virtual Result<std::vector<Placement>> AllocateChunks(
      const std::string& file_id, const std::vector<ChunkSpec>& chunks,
      const std::vector<std::string>& exclude_nodes, const std::vector<std::string>& stored_on) = 0;
  // The committed file, without its chunks (GetFile has them).
  virtual Result<FileInfo> CommitFile(const std::string& file_id, int64_t size,
                                      const std::string& sha256) = 0;
  virtual Status AbortFile(const std::string& file_id) = 0;
  virtual Result<FileInfo> GetFile(std::string_view id_or_name, bool with_chunks) = 0;
  virtual Status ReportBadReplica(const std::string& chunk_id, const std::string& node_id,
                                  const std::string& reason) = 0;
};

}  // namespace gale::client
