#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/sha256.h"
#include "common/status.h"
#include "node/chunk_format.h"
#include "node/chunk_paths.h"

namespace gale::node {

struct ChunkStoreOptions {
  std::string data_dir;
  int64_t capacity_bytes = 0;  // 0: the filesystem's size
  int64_t reserve_bytes = 0;   // free filesystem space never used
  int64_t max_chunk_bytes = 64 << 20;
};

struct ChunkInfo {
  std::string id;
  int64_t size = 0;
};

struct ChunkStoreStats {
  int64_t chunks = 0;
  int64_t bytes_used = 0;       // data bytes of stored chunks
  int64_t capacity_bytes = 0;   // configured, or the filesystem's size
  int64_t available_bytes = 0;  // writable now without crossing capacity or reserve
};

class ChunkStore;

// Told of every change to the set of stored chunks, whatever caused it
// (uploads, deletes, replication, quarantine). Called outside the store's
// lock, from the thread that made the change; must be thread-safe.
class ChunkListener {
 public:
  virtual ~ChunkListener() = default;
  virtual void OnStored(const std::string& id, int64_t size) = 0;
  virtual void OnDeleted(const std::string& id) = 0;
  virtual void OnCorrupt(const std::string& id) = 0;
};

// One chunk being written: bytes go to a temp file while SHA-256 and block
// CRCs are computed; Commit() verifies length and hash, then makes the chunk
// durable and visible. Destroying an uncommitted writer removes its temp file.
// Not thread-safe.
class ChunkWriter {
 public:
  ~ChunkWriter();
  ChunkWriter(const ChunkWriter&) = delete;
  ChunkWriter& operator=(const ChunkWriter&) = delete;

  // INVALID_ARGUMENT past the declared size; RESOURCE_EXHAUSTED when the disk
  // is full.
  Status Append(std::string_view data);
  // INVALID_ARGUMENT for a short body or a hash that is not the id (nothing
  // is left behind). Returns true when newly stored, false when the chunk was
  // already there.
  Result<bool> Commit();

  int64_t received() const { return received_; }

 private:
  friend class ChunkStore;

  ChunkWriter(ChunkStore* store, std::string id, int64_t size, std::string tmp_path, int fd,
              int64_t reserved);
  Status Flush();
  void Abort();

  ChunkStore* const store_;
  const std::string id_;
  const int64_t size_;
  const std::string tmp_path_;
  int fd_;
  const int64_t reserved_;  // bytes held against the space check until done
  int64_t received_ = 0;
  common::Sha256 sha_;
  BlockChecksummer checksummer_;
  std::string buffer_;
  off_t flushed_ = 0;  // bytes written to the temp file so far
  bool done_ = false;
};

// The chunks of one node on its local disk: one file per chunk under
// <data>/chunks/ab/cd/<id> (see chunk_format.h), written through <data>/tmp/
// with fsync + rename + directory fsync, verified on every read, and moved to
// <data>/quarantine/ when verification fails. An in-memory index (id -> size),
// built by a scan at Open(), answers listings and stats without touching the
// disk. Thread-safe.
class ChunkStore {
 public:
  // Creates the directories, removes leftover temp files and scans the
  // chunks (quarantining malformed files).
  static Result<std::unique_ptr<ChunkStore>> Open(ChunkStoreOptions options);

  // Starts writing chunk `id` of `size` bytes. INVALID_ARGUMENT for a bad id
  // or size; RESOURCE_EXHAUSTED when it would cross capacity or the reserve.
  Result<std::unique_ptr<ChunkWriter>> BeginWrite(std::string_view id, int64_t size);

  // Streams bytes [offset, offset + length) of chunk `id` to `sink`, in pieces
  // of at most 1 MiB, each verified before it is passed on. NOT_FOUND,
  // OUT_OF_RANGE, DATA_LOSS (the chunk failed verification and was
  // quarantined; nothing unverified was passed on), CANCELLED when `sink`
  // returns false.
  Status Read(std::string_view id, int64_t offset, int64_t length,
              const std::function<bool(std::string_view)>& sink);

  // Re-hashes the whole chunk (SHA-256 against its id, and every block CRC);
  // quarantines it on a mismatch (DATA_LOSS).
  Status Verify(std::string_view id);

  // NOT_FOUND when absent.
  Result<int64_t> Size(std::string_view id) const;
  // Idempotent: true when the chunk existed.
  Result<bool> Delete(std::string_view id);

  std::vector<ChunkInfo> List() const;  // ordered by id
  // The stored chunk with the smallest id after `after`, if any.
  std::optional<ChunkInfo> Next(std::string_view after) const;
  ChunkStoreStats Stats() const;
  int64_t corrupt_total() const { return corrupt_total_.load(); }
  int64_t max_chunk_bytes() const { return options_.max_chunk_bytes; }
  const ChunkPaths& paths() const { return paths_; }

  // Sets the listener (not owned; may be null). Call before serving.
  void SetListener(ChunkListener* listener) { listener_ = listener; }

 private:
  friend class ChunkWriter;
  explicit ChunkStore(ChunkStoreOptions options);

  Status Scan();
  // Bytes writable now (before in-flight reservations are subtracted).
  int64_t AvailableLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves the file aside and forgets the chunk; returns `why`.
  Status Quarantine(std::string_view id, const Status& why);
  // Renames a verified temp file into place and indexes it.
  Result<bool> Install(const std::string& id, const std::string& tmp_path, int64_t size);
  void Release(int64_t reserved);

  const ChunkStoreOptions options_;
  const ChunkPaths paths_;
  int64_t fs_capacity_bytes_ = 0;
  std::atomic<uint64_t> next_tmp_{0};
  std::atomic<int64_t> corrupt_total_{0};
  ChunkListener* listener_ = nullptr;

  mutable absl::Mutex mu_;
  std::map<std::string, int64_t, std::less<>> index_ ABSL_GUARDED_BY(mu_);
  int64_t bytes_used_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t reserved_bytes_ ABSL_GUARDED_BY(mu_) = 0;  // held by writes in flight
};

}  // namespace gale::node
