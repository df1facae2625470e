#include "client/uploader.h"

#include <future>
#include <set>

#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::client {

Uploader::Uploader(FileApi* api, ChunkTransport* transport, UploadOptions options)
    : api_(api), transport_(transport), options_(std::move(options)) {}

Uploader::~Uploader() {
  if (!finished_) Abort();
}

Status Uploader::Begin(const CreateFileArgs& args) {
  if (options_.parallelism < 1) return absl::InvalidArgumentError("parallelism must be >= 1");
  args_ = args;
  chunk_size_ = args.chunk_size;
  // A file declared to fit in one chunk is created at Finish(), with its
  // chunk's placements in the same call.
  deferred_ = args.chunk_size > 0 && args.size >= 0 && args.size <= args.chunk_size;
  current_.reserve(static_cast<size_t>(deferred_ ? args.size : chunk_size_));
  return deferred_ ? absl::OkStatus() : Start();
}

Status Uploader::Start() {
  deferred_ = false;
  ASSIGN_OR_RETURN(CreatedFile created, api_->CreateFile(args_, {}));
  file_id_ = std::move(created.id);
  for (int i = 0; i < options_.parallelism; ++i) workers_.emplace_back([this] { Work(); });
  return absl::OkStatus();
}

Status Uploader::Write(std::string_view data) {
  if (!open()) return absl::FailedPreconditionError("upload not open");
  file_sha_.Update(data);
  total_ += static_cast<int64_t>(data.size());
  while (!data.empty()) {
    // A full chunk still held with more bytes to come: a file created at
    // Finish() outgrew the size it declared.
    if (static_cast<int64_t>(current_.size()) == chunk_size_) RETURN_IF_ERROR(Submit());
    size_t take = std::min(data.size(), static_cast<size_t>(chunk_size_) - current_.size());
    current_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (static_cast<int64_t>(current_.size()) == chunk_size_ && !deferred_) {
      RETURN_IF_ERROR(Submit());
    }
  }
  absl::MutexLock lock(&mu_);
  return error_;
}

Status Uploader::Submit() {
  if (deferred_) RETURN_IF_ERROR(Start());
  absl::MutexLock lock(&mu_);
  auto room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return !error_.ok() || static_cast<int>(queue_.size()) + in_flight_ < options_.parallelism;
  };
  mu_.Await(absl::Condition(&room));
  if (!error_.ok()) return error_;
  queue_.push_back({next_index_++, std::move(current_)});
  current_ = std::string();
  current_.reserve(static_cast<size_t>(chunk_size_));
  return absl::OkStatus();
}

void Uploader::Work() {
  while (true) {
    Chunk chunk;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping, nothing left
      chunk = std::move(queue_.front());
      queue_.pop_front();
      if (!error_.ok()) continue;  // the upload already failed: drop the rest
      ++in_flight_;
    }
    const ChunkSpec spec{chunk.index, common::Sha256::Hex(chunk.data),
                         static_cast<int64_t>(chunk.data.size())};
    Status status = SendChunk(spec, chunk.data, nullptr);
    int64_t stored = 0;
    {
      absl::MutexLock lock(&mu_);
      --in_flight_;
      if (!status.ok() && error_.ok()) error_ = status;
      if (status.ok()) stored = stored_bytes_ += static_cast<int64_t>(chunk.data.size());
    }
    if (status.ok() && options_.on_progress) options_.on_progress(stored);
  }
}

Status Uploader::SendChunk(const ChunkSpec& spec, const std::string& data, const Placement* first) {
  const int64_t index = spec.index;
  std::vector<std::string> failed;  // never asked again for this chunk
  std::vector<std::string> stored;  // acknowledged it, maybe not yet reported
  Status last = absl::UnavailableError("no attempt made");
  for (int round = 0; round < options_.target_rounds; ++round) {
    std::vector<Placement> placements;
    if (round == 0 && first != nullptr) {
      placements.push_back(*first);
    } else {
      ASSIGN_OR_RETURN(placements, api_->AllocateChunks(file_id_, {spec}, failed, stored));
    }
    if (placements.size() != 1) return absl::InternalError("allocation answered no placement");
    const Placement& placement = placements.front();
    if (placement.already_stored) return absl::OkStatus();
    // Fan out: every target gets the chunk at once.
    std::vector<std::future<Status>> puts;
    for (size_t i = 1; i < placement.targets.size(); ++i) {
      puts.push_back(std::async(std::launch::async, [&, i] {
        return transport_->Put(placement.targets[i].address, spec.id, data, placement.write_grant);
      }));
    }
    std::vector<Status> results;
    if (!placement.targets.empty()) {
      results.push_back(
          transport_->Put(placement.targets[0].address, spec.id, data, placement.write_grant));
    }
    for (auto& put : puts) results.push_back(put.get());
    bool all_ok = true;
    for (size_t i = 0; i < results.size(); ++i) {
      (results[i].ok() ? stored : failed).push_back(placement.targets[i].node_id);
      if (!results[i].ok()) {
        all_ok = false;
        last = results[i];
        spdlog::warn("chunk {} to node {} failed: {}; asking for a replacement", index,
                     placement.targets[i].node_id, results[i].ToString());
      }
    }
    if (all_ok) return absl::OkStatus();
  }
  return Status(last.code(),
                StrCat("chunk ", index, " could not be stored on enough nodes ", "after ",
                       options_.target_rounds, " attempts: ", last.message()));
}

void Uploader::StopWorkers() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

Result<FileInfo> Uploader::Finish() {
  if (!open()) return absl::FailedPreconditionError("upload not open");
  if (deferred_) return FinishInOneCall();
  Status status = current_.empty() ? absl::OkStatus() : Submit();
  StopWorkers();  // they drain the queue first
  {
    absl::MutexLock lock(&mu_);
    if (status.ok()) status = error_;
  }
  if (!status.ok()) {
    Abort();
    return status;
  }
  return Commit();
}

Result<FileInfo> Uploader::FinishInOneCall() {
  std::vector<ChunkSpec> chunks;  // none for an empty file
  if (!current_.empty()) {
    chunks.push_back({0, common::Sha256::Hex(current_), static_cast<int64_t>(current_.size())});
  }
  auto created = api_->CreateFile(args_, chunks);
  if (!created.ok()) {
    finished_ = true;  // nothing was created
    return created.status();
  }
  deferred_ = false;
  file_id_ = std::move(created->id);
  if (!chunks.empty()) {
    Status sent = created->placements.size() == 1
                      ? SendChunk(chunks.front(), current_, &created->placements.front())
                      : absl::InternalError("the create answered no placement for the chunk");
    if (!sent.ok()) {
      Abort();
      return sent;
    }
    if (options_.on_progress) options_.on_progress(chunks.front().size);
  }
  return Commit();
}

Result<FileInfo> Uploader::Commit() {
  finished_ = true;
  auto info = api_->CommitFile(file_id_, total_, file_sha_.HexDigest());
  if (!info.ok()) {
    // A commit that failed leaves the upload pending; drop it now rather
    // than waiting for it to expire.
    (void)api_->AbortFile(file_id_);
  }
  return info;
}

void Uploader::Abort() {
  {
    absl::MutexLock lock(&mu_);
    queue_.clear();
    if (error_.ok()) error_ = absl::CancelledError("upload aborted");
  }
  StopWorkers();
  finished_ = true;
  if (!file_id_.empty()) (void)api_->AbortFile(file_id_);
}

}  // namespace gale::client
