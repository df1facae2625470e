#include "coordinator/store/memory/upload_table.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"

namespace gale::coordinator {
namespace {

// Debian's Abseil has a string_view of its own: the heterogeneous lookups
// take that.
absl::string_view Key(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

void UploadTable::Add(std::string_view file_id) {
  absl::MutexLock lock(&mu_);
  files_.emplace(file_id);
}

bool UploadTable::Contains(std::string_view file_id) const {
  absl::MutexLock lock(&mu_);
  return files_.contains(Key(file_id));
}

std::vector<std::string> UploadTable::Files() const {
  absl::MutexLock lock(&mu_);
  return {files_.begin(), files_.end()};
}

void UploadTable::Reference(std::string_view chunk_id, int64_t size, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto [it, added] = chunks_.try_emplace(std::string(chunk_id));
  if (added) {
    it->second.use.size = size;
    it->second.use.referenced_at = now;
  }
  ++it->second.use.references;
}

std::optional<UploadTable::Use> UploadTable::Find(std::string_view chunk_id) const {
  absl::MutexLock lock(&mu_);
  auto it = chunks_.find(Key(chunk_id));
  if (it == chunks_.end()) return std::nullopt;
  return it->second.use;
}

std::pair<int64_t, int64_t> UploadTable::NotStored() const {
  absl::MutexLock lock(&mu_);
  std::pair<int64_t, int64_t> out;
  for (const auto& [chunk_id, chunk] : chunks_) {
    if (chunk.use.in_store) continue;
    ++out.first;
    out.second += chunk.use.size;
  }
  return out;
}

void UploadTable::HoldLocked(Chunk& entry, std::string_view node_id, const ChunkReplica& chunk) {
  auto copy = std::find_if(entry.held.begin(), entry.held.end(),
                           [&](const ReplicaReceipt& r) { return r.node_id == node_id; });
  if (copy == entry.held.end()) {
    entry.held.push_back({std::string(node_id), chunk});
  } else {
    copy->chunk.size = chunk.size;
  }
}

std::vector<ChunkReplica> UploadTable::Hold(std::string_view node_id,
                                            const std::vector<ChunkReplica>& copies) {
  absl::MutexLock lock(&mu_);
  std::vector<ChunkReplica> rest;
  for (const ChunkReplica& chunk : copies) {
    auto it = chunks_.find(Key(chunk.chunk_id));
    if (it == chunks_.end() || it->second.use.in_store) {
      rest.push_back(chunk);
    } else {
      HoldLocked(it->second, node_id, chunk);
    }
  }
  return rest;
}

std::vector<std::string> UploadTable::Unhold(std::string_view node_id,
                                             const std::vector<std::string>& chunk_ids) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> rest;
  for (const std::string& chunk_id : chunk_ids) {
    auto it = chunks_.find(Key(chunk_id));
    if (it == chunks_.end() || it->second.use.in_store) {
      rest.push_back(chunk_id);
      continue;
    }
    std::erase_if(it->second.held, [&](const ReplicaReceipt& r) { return r.node_id == node_id; });
  }
  return rest;
}

std::vector<ChunkReplica> UploadTable::ReplaceNode(std::string_view node_id,
                                                   const std::vector<ChunkReplica>& report) {
  absl::MutexLock lock(&mu_);
  std::vector<ChunkReplica> rest;
  absl::flat_hash_set<absl::string_view> reported_here;
  for (const ChunkReplica& chunk : report) {
    auto it = chunks_.find(Key(chunk.chunk_id));
    if (it == chunks_.end() || it->second.use.in_store) {
      rest.push_back(chunk);
      continue;
    }
    reported_here.insert(chunk.chunk_id);
    HoldLocked(it->second, node_id, chunk);
  }
  for (auto& [chunk_id, chunk] : chunks_) {
    if (chunk.use.in_store || reported_here.contains(chunk_id)) continue;
    std::erase_if(chunk.held, [&](const ReplicaReceipt& r) { return r.node_id == node_id; });
  }
  return rest;
}

std::vector<ReplicaReceipt> UploadTable::HeldFor(const std::vector<FileChunkRef>& chunks) const {
  absl::MutexLock lock(&mu_);
  std::vector<ReplicaReceipt> out;
  absl::flat_hash_set<absl::string_view> seen;
  for (const FileChunkRef& ref : chunks) {
    if (!seen.insert(ref.chunk_id).second) continue;
    auto it = chunks_.find(Key(ref.chunk_id));
    if (it == chunks_.end() || it->second.use.in_store) continue;
    out.insert(out.end(), it->second.held.begin(), it->second.held.end());
  }
  return out;
}

std::vector<ReplicaReceipt> UploadTable::Stored(const std::vector<FileChunkRef>& chunks) {
  absl::MutexLock lock(&mu_);
  std::vector<ReplicaReceipt> out;
  for (const FileChunkRef& ref : chunks) {
    auto it = chunks_.find(Key(ref.chunk_id));
    if (it == chunks_.end() || it->second.use.in_store) continue;
    it->second.use.in_store = true;
    for (ReplicaReceipt& receipt : it->second.held) out.push_back(std::move(receipt));
    it->second.held.clear();
  }
  return out;
}

void UploadTable::Written(std::string_view file_id, const std::vector<FileChunkRef>& chunks) {
  Leave(file_id, chunks, /*written=*/true);
}

void UploadTable::Forget(std::string_view file_id, const std::vector<FileChunkRef>& chunks) {
  Leave(file_id, chunks, /*written=*/false);
}

void UploadTable::Leave(std::string_view file_id, const std::vector<FileChunkRef>& chunks,
                        bool written) {
  absl::MutexLock lock(&mu_);
  files_.erase(Key(file_id));
  for (const FileChunkRef& ref : chunks) {
    auto it = chunks_.find(Key(ref.chunk_id));
    if (it == chunks_.end()) continue;
    if (written) {
      it->second.use.in_store = true;
      it->second.held.clear();
    }
    if (--it->second.use.references == 0) chunks_.erase(it);
  }
}

}  // namespace gale::coordinator
