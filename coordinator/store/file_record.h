#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/status.h"

namespace gale::coordinator {

// How many replicas a commit waits for: sync all, quorum a majority, async one.
enum class WriteMode { kSync, kQuorum, kAsync };

std::string_view WriteModeName(WriteMode mode);
Result<WriteMode> ParseWriteMode(std::string_view name);
// Replicas that must exist before a file of `mode` and `factor` commits.
int RequiredReplicas(WriteMode mode, int factor);

// A file is pending from creation until its commit, then complete.
enum class FileState { kPending, kComplete };
std::string_view FileStateName(FileState state);
Result<FileState> ParseFileState(std::string_view name);

struct FileRecord {
  std::string id;
  std::string name;
  int64_t size = -1;  // -1 while a pending stream's size is unknown
  std::string sha256;
  int64_t chunk_size = 0;
  int replication_factor = 3;
  WriteMode write_mode = WriteMode::kQuorum;
  FileState state = FileState::kPending;
  bool overwrite = false;
  bool auto_commit = false;  // commit by itself once its replicas exist
  std::string owner;
  absl::Time created_at = absl::UnixEpoch();
  absl::Time expires_at = absl::UnixEpoch();
  absl::Time committed_at = absl::UnixEpoch();
  absl::Time last_accessed = absl::UnixEpoch();  // updated at most hourly
  int64_t chunk_count = 0;                       // derived from file_chunks when read
};

// One chunk of a file, in file order.
struct FileChunkRef {
  int64_t index = 0;
  std::string chunk_id;
  int64_t size = 0;
};

// File names: valid UTF-8, 1 to 1024 bytes, no control characters.
// INVALID_ARGUMENT naming `field` otherwise.
Status ValidateFileName(std::string_view name, std::string_view field = "name");

}  // namespace gale::coordinator
