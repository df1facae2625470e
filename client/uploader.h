#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "client/chunk_transport.h"
#include "client/file_api.h"
#include "common/sha256.h"
#include "common/status.h"

namespace gale::client {

struct UploadOptions {
  int parallelism = 4;    // chunks hashed and sent at once
  int target_rounds = 4;  // attempts per chunk when targets fail
  // Called (from worker threads) with the bytes stored so far.
  std::function<void(int64_t)> on_progress;
};

// Uploads one file. Bytes are written in order with Write(); each full chunk
// is hashed and sent to its targets on worker threads (a file of one chunk:
// by Finish(), see Begin), so at most parallelism + 1 chunks are in memory
// whatever the file's size. A target
// that fails is replaced by asking the coordinator again (excluding it), so
// one dying node does not fail the upload. Finish() commits, which succeeds
// once the nodes have reported the replicas the write mode needs. Not
// thread-safe: one writer. Abandoning it without Finish() aborts the upload.
class Uploader {
 public:
  Uploader(FileApi* api, ChunkTransport* transport, UploadOptions options);
  ~Uploader();

  // Creates the pending file; a file that declares a size of at most one
  // chunk is created by Finish() instead, with its chunk's placements in the
  // same call (one round trip less per small file).
  Status Begin(const CreateFileArgs& args);
  // Appends bytes; blocks while `parallelism` chunks are in flight. Returns
  // the first chunk failure, after which the upload is lost.
  Status Write(std::string_view data);
  // Sends the last chunk, waits for all, commits.
  Result<FileInfo> Finish();
  // Drops the pending upload (best effort).
  void Abort();

  // Empty until the file is created.
  const std::string& file_id() const { return file_id_; }

 private:
  struct Chunk {
    int64_t index;
    std::string data;
  };
  bool open() const { return !finished_ && (deferred_ || !file_id_.empty()); }
  // Creates the file and starts the workers.
  Status Start();
  Status Submit();  // hands the current chunk to the workers
  void Work();
  // Sends a chunk to its targets; `first`, when not null, is the placement
  // the create answered for it (the first round asks no allocation).
  Status SendChunk(const ChunkSpec& spec, const std::string& data, const Placement* first);
  // Finish() of a file created at Finish(): create with the chunk, send it,
  // commit.
  Result<FileInfo> FinishInOneCall();
  Result<FileInfo> Commit();
  void StopWorkers();

  FileApi* const api_;
  ChunkTransport* const transport_;
  const UploadOptions options_;

  CreateFileArgs args_;
  bool deferred_ = false;  // the file is created by Finish()
  std::string file_id_;
  int64_t chunk_size_ = 0;
  std::string current_;  // the chunk being filled
  int64_t next_index_ = 0;
  int64_t total_ = 0;
  common::Sha256 file_sha_;
  bool finished_ = false;

  absl::Mutex mu_;
  std::deque<Chunk> queue_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  Status error_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t stored_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::thread> workers_;
};

}  // namespace gale::client
