#include "coordinator/store/memory/metadata_index.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "common/strings.h"

namespace gale::coordinator {
namespace {

Result<ChunkKey> KeyOf(std::string_view chunk_id) {
  std::optional<ChunkKey> key = ChunkKey::FromHex(chunk_id);
  if (!key) {
    return absl::InvalidArgumentError(
        StrCat("chunk id '", EscapeForMessage(chunk_id), "' is not 64 lowercase hex digits"));
  }
  return *key;
}

// The keys of `items`' chunk ids; INVALID_ARGUMENT at the first that is none.
template <typename T>
Result<std::vector<ChunkKey>> KeysOf(const std::vector<T>& items) {
  std::vector<ChunkKey> keys;
  keys.reserve(items.size());
  for (const T& item : items) {
    ASSIGN_OR_RETURN(ChunkKey key, KeyOf(item.chunk_id));
    keys.push_back(key);
  }
  return keys;
}

// Debian's Abseil has a string_view of its own: heterogeneous lookups in
// its containers take that one.
absl::string_view Key(std::string_view text) { return {text.data(), text.size()}; }

}  // namespace

// ---- files ----------------------------------------------------------------

void MetadataIndex::PutFile(const FileRecord& file) {
  absl::MutexLock lock(&mu_);
  PutFileLocked(file);
}

void MetadataIndex::PutFileLocked(const FileRecord& file) {
  FileEntry& entry = files_[file.id];
  const FileRecord& old = entry.record;
  if (!old.id.empty() && old.state == FileState::kComplete && !old.name.empty()) {
    auto it = names_.find(old.name);
    if (it != names_.end() && it->second == old.id) names_.erase(it);
  }
  entry.record = file;
  entry.record.chunk_count = 0;
  if (file.state == FileState::kComplete && !file.name.empty()) names_[file.name] = file.id;
}

void MetadataIndex::ReleaseChunks(FileEntry& entry) {
  for (ChunkTable::Slot slot : entry.chunks) {
    if (slot == ChunkTable::kNoSlot) continue;
    --chunks_.at(slot).file_refs;
    chunks_.ReleaseIfUnused(slot);
  }
  entry.chunks.clear();
  entry.chunk_count = 0;
}

void MetadataIndex::RemoveFile(std::string_view file_id) {
  absl::MutexLock lock(&mu_);
  RemoveFileLocked(file_id);
}

void MetadataIndex::RemoveFileLocked(std::string_view file_id) {
  auto it = files_.find(Key(file_id));
  if (it == files_.end()) return;
  const FileRecord& record = it->second.record;
  auto name = names_.find(record.name);
  if (name != names_.end() && name->second == record.id) names_.erase(name);
  ReleaseChunks(it->second);
  files_.erase(it);
}

Result<std::vector<ChunkKey>> MetadataIndex::CheckedKeysOf(
    const std::vector<FileChunkRef>& chunks) {
  for (const FileChunkRef& ref : chunks) {
    if (ref.index < 0) return absl::InvalidArgumentError("negative chunk index");
  }
  return KeysOf(chunks);
}

Status MetadataIndex::AttachChunks(std::string_view file_id,
                                   const std::vector<FileChunkRef>& chunks) {
  ASSIGN_OR_RETURN(std::vector<ChunkKey> keys, CheckedKeysOf(chunks));
  absl::MutexLock lock(&mu_);
  AttachChunksLocked(file_id, chunks, keys);
  return absl::OkStatus();
}

Status MetadataIndex::ReplaceFile(const FileRecord& file, const std::vector<FileChunkRef>& chunks) {
  ASSIGN_OR_RETURN(std::vector<ChunkKey> keys, CheckedKeysOf(chunks));
  absl::MutexLock lock(&mu_);
  RemoveFileLocked(file.id);
  PutFileLocked(file);
  AttachChunksLocked(file.id, chunks, keys);
  return absl::OkStatus();
}

void MetadataIndex::AttachChunksLocked(std::string_view file_id,
                                       const std::vector<FileChunkRef>& chunks,
                                       const std::vector<ChunkKey>& keys) {
  auto it = files_.find(Key(file_id));
  if (it == files_.end()) return;
  FileEntry& entry = it->second;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const ChunkTable::Slot slot = chunks_.FindOrAdd(keys[i]);
    ChunkTable::Entry& chunk = chunks_.at(slot);
    chunk.has_row = true;
    chunk.size = chunks[i].size;
    ++chunk.file_refs;
    const auto index = static_cast<size_t>(chunks[i].index);
    if (index >= entry.chunks.size()) entry.chunks.resize(index + 1, ChunkTable::kNoSlot);
    ChunkTable::Slot& place = entry.chunks[index];
    if (place != ChunkTable::kNoSlot) {
      --chunks_.at(place).file_refs;
      chunks_.ReleaseIfUnused(place);
    } else {
      ++entry.chunk_count;
    }
    place = slot;
  }
}

FileRecord MetadataIndex::RecordOf(const FileEntry& entry) const {
  FileRecord record = entry.record;
  record.chunk_count = entry.chunk_count;
  return record;
}

std::optional<FileRecord> MetadataIndex::GetFile(std::string_view file_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = files_.find(Key(file_id));
  if (it == files_.end()) return std::nullopt;
  return RecordOf(it->second);
}

std::optional<FileRecord> MetadataIndex::GetFileByName(std::string_view name) const {
  absl::ReaderMutexLock lock(&mu_);
  auto name_it = names_.find(Key(name));
  if (name_it == names_.end()) return std::nullopt;
  auto it = files_.find(name_it->second);
  if (it == files_.end()) return std::nullopt;
  return RecordOf(it->second);
}

template <typename T, typename Make>
std::optional<std::vector<T>> MetadataIndex::MapFileChunks(std::string_view file_id,
                                                           Make make) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = files_.find(Key(file_id));
  if (it == files_.end()) return std::nullopt;
  std::vector<T> out;
  out.reserve(static_cast<size_t>(it->second.chunk_count));
  const std::vector<ChunkTable::Slot>& slots = it->second.chunks;
  for (size_t index = 0; index < slots.size(); ++index) {
    if (slots[index] == ChunkTable::kNoSlot) continue;
    const ChunkTable::Entry& chunk = chunks_.at(slots[index]);
    out.push_back(
        make(FileChunkRef{static_cast<int64_t>(index), chunk.key.Hex(), chunk.size}, chunk));
  }
  return out;
}

std::optional<std::vector<FileChunkRef>> MetadataIndex::GetFileChunks(
    std::string_view file_id) const {
  return MapFileChunks<FileChunkRef>(
      file_id, [](FileChunkRef ref, const ChunkTable::Entry&) { return ref; });
}

std::optional<std::vector<FileChunkCopies>> MetadataIndex::GetFileChunkCopies(
    std::string_view file_id) const {
  return MapFileChunks<FileChunkCopies>(
      file_id, [this](FileChunkRef ref, const ChunkTable::Entry& chunk)
                   ABSL_NO_THREAD_SAFETY_ANALYSIS {  // under MapFileChunks' lock
                     FileChunkCopies out{std::move(ref), {}};
                     CopiesOf(chunk, &out.copies);
                     return out;
                   });
}

std::vector<FileRecord> MetadataIndex::ListFilesByName(const FileListQuery& query) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<FileRecord> out;
  auto it = query.after_name < query.prefix ? names_.lower_bound(query.prefix)
                                            : names_.upper_bound(query.after_name);
  for (; it != names_.end() && static_cast<int>(out.size()) < query.limit; ++it) {
    if (!absl::StartsWith(it->first, query.prefix)) break;
    auto file = files_.find(it->second);
    if (file != files_.end()) out.push_back(RecordOf(file->second));
  }
  return out;
}

// ---- chunks and replicas --------------------------------------------------

Result<ChunkTable::Slot> MetadataIndex::SlotFor(std::string_view chunk_id) {
  ASSIGN_OR_RETURN(ChunkKey key, KeyOf(chunk_id));
  return chunks_.FindOrAdd(key);
}

ChunkTable::Slot MetadataIndex::FindSlot(std::string_view chunk_id) const {
  std::optional<ChunkKey> key = ChunkKey::FromHex(chunk_id);
  return key ? chunks_.Find(*key) : ChunkTable::kNoSlot;
}

Status MetadataIndex::PutChunkRow(std::string_view chunk_id, int64_t size) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(ChunkTable::Slot slot, SlotFor(chunk_id));
  chunks_.at(slot).has_row = true;
  chunks_.at(slot).size = size;
  return absl::OkStatus();
}

Status MetadataIndex::DropChunkRow(std::string_view chunk_id) {
  RETURN_IF_ERROR(KeyOf(chunk_id).status());
  absl::MutexLock lock(&mu_);
  const ChunkTable::Slot slot = FindSlot(chunk_id);
  if (slot == ChunkTable::kNoSlot) return absl::OkStatus();
  chunks_.at(slot).has_row = false;
  chunks_.at(slot).size = 0;
  chunks_.ReleaseIfUnused(slot);
  return absl::OkStatus();
}

std::optional<int64_t> MetadataIndex::ChunkSize(std::string_view chunk_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const ChunkTable::Slot slot = FindSlot(chunk_id);
  if (slot == ChunkTable::kNoSlot || !chunks_.at(slot).has_row) return std::nullopt;
  return chunks_.at(slot).size;
}

bool MetadataIndex::HasChunk(std::string_view chunk_id) const {
  absl::ReaderMutexLock lock(&mu_);
  return FindSlot(chunk_id) != ChunkTable::kNoSlot;
}

Status MetadataIndex::SetReplicas(std::string_view chunk_id,
                                  const std::vector<ReplicaRecord>& rows) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(ChunkTable::Slot slot, SlotFor(chunk_id));
  ChunkTable::Entry& entry = chunks_.at(slot);
  replica_count_ -= static_cast<int64_t>(entry.replicas.size());
  entry.replicas.clear();
  for (const ReplicaRecord& row : rows) {
    entry.replicas.push_back({chunks_.InternNode(row.node_id), row.state});
  }
  replica_count_ += static_cast<int64_t>(entry.replicas.size());
  chunks_.ReleaseIfUnused(slot);
  return absl::OkStatus();
}

Status MetadataIndex::AddReplica(std::string_view chunk_id, std::string_view node_id,
                                 ReplicaState state) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(ChunkTable::Slot slot, SlotFor(chunk_id));
  chunks_.at(slot).replicas.push_back({chunks_.InternNode(node_id), state});
  ++replica_count_;
  return absl::OkStatus();
}

Status MetadataIndex::ReplicaReported(std::string_view chunk_id, std::string_view node_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(ChunkTable::Slot slot, SlotFor(chunk_id));
  ChunkTable::Entry& entry = chunks_.at(slot);
  const uint16_t node = chunks_.InternNode(node_id);
  if (ChunkTable::Replica* replica = ChunkTable::FindReplica(entry, node)) {
    if (replica->state != ReplicaState::kDeleting) replica->state = ReplicaState::kStored;
  } else {
    entry.replicas.push_back({node, ReplicaState::kStored});
    ++replica_count_;
  }
  return absl::OkStatus();
}

Status MetadataIndex::RemoveReplica(std::string_view chunk_id, std::string_view node_id,
                                    bool unless_deleting) {
  RETURN_IF_ERROR(KeyOf(chunk_id).status());
  absl::MutexLock lock(&mu_);
  const ChunkTable::Slot slot = FindSlot(chunk_id);
  const int node = chunks_.FindNode(node_id);
  if (slot == ChunkTable::kNoSlot || node < 0) return absl::OkStatus();
  ChunkTable::Entry& entry = chunks_.at(slot);
  auto it = std::find_if(entry.replicas.begin(), entry.replicas.end(),
                         [node](const ChunkTable::Replica& r) { return r.node == node; });
  if (it == entry.replicas.end()) return absl::OkStatus();
  if (unless_deleting && it->state == ReplicaState::kDeleting) return absl::OkStatus();
  entry.replicas.erase(it);
  --replica_count_;
  chunks_.ReleaseIfUnused(slot);
  return absl::OkStatus();
}

Status MetadataIndex::SetReplicaState(std::string_view chunk_id, std::string_view node_id,
                                      std::optional<ReplicaState> from, ReplicaState to) {
  RETURN_IF_ERROR(KeyOf(chunk_id).status());
  absl::MutexLock lock(&mu_);
  const ChunkTable::Slot slot = FindSlot(chunk_id);
  const int node = chunks_.FindNode(node_id);
  if (slot == ChunkTable::kNoSlot || node < 0) return absl::OkStatus();
  ChunkTable::Replica* replica =
      ChunkTable::FindReplica(chunks_.at(slot), static_cast<uint16_t>(node));
  if (replica != nullptr && (!from || replica->state == *from)) replica->state = to;
  return absl::OkStatus();
}

Result<std::vector<ChunkKey>> MetadataIndex::ReportKeys(const std::vector<ChunkReplica>& chunks) {
  ASSIGN_OR_RETURN(std::vector<ChunkKey> keys, KeysOf(chunks));
  std::sort(keys.begin(), keys.end());
  return keys;
}

Status MetadataIndex::ReplaceNodeReplicas(std::string_view node_id,
                                          const std::vector<ChunkReplica>& chunks) {
  ASSIGN_OR_RETURN(std::vector<ChunkKey> keys, ReportKeys(chunks));
  ReplaceNodeReplicas(node_id, keys);
  return absl::OkStatus();
}

void MetadataIndex::ReplaceNodeReplicas(std::string_view node_id,
                                        const std::vector<ChunkKey>& keys) {
  absl::MutexLock lock(&mu_);
  const uint16_t node = chunks_.InternNode(node_id);
  // Rows the report does not name go.
  std::vector<ChunkTable::Slot> emptied;
  chunks_.ForEach([&](ChunkTable::Slot slot, const ChunkTable::Entry& entry) {
    for (const ChunkTable::Replica& replica : entry.replicas) {
      if (replica.node == node && !std::binary_search(keys.begin(), keys.end(), entry.key)) {
        emptied.push_back(slot);
        break;
      }
    }
  });
  for (ChunkTable::Slot slot : emptied) {
    auto& replicas = chunks_.at(slot).replicas;
    replicas.erase(std::remove_if(replicas.begin(), replicas.end(),
                                  [node](const ChunkTable::Replica& r) { return r.node == node; }),
                   replicas.end());
    --replica_count_;
    chunks_.ReleaseIfUnused(slot);
  }
  for (const ChunkKey& key : keys) {
    ChunkTable::Entry& entry = chunks_.at(chunks_.FindOrAdd(key));
    if (ChunkTable::FindReplica(entry, node) == nullptr) {
      entry.replicas.push_back({node, ReplicaState::kStored});
      ++replica_count_;
    }
  }
}

void MetadataIndex::AppendReplicas(ChunkTable::Slot slot, std::vector<ReplicaRecord>* out) const {
  const ChunkTable::Entry& entry = chunks_.at(slot);
  if (entry.replicas.empty()) return;
  const std::string chunk_id = entry.key.Hex();
  const size_t first = out->size();
  for (const ChunkTable::Replica& replica : entry.replicas) {
    out->push_back({chunk_id, chunks_.NodeName(replica.node), replica.state});
  }
  std::sort(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
            [](const ReplicaRecord& a, const ReplicaRecord& b) { return a.node_id < b.node_id; });
}

std::vector<ReplicaRecord> MetadataIndex::GetReplicas(
    const std::vector<std::string>& chunk_ids) const {
  std::vector<ReplicaRecord> out;
  absl::ReaderMutexLock lock(&mu_);
  // As the stores answer: by chunk, then node, each row once. The 32-byte
  // keys sort as their hex does.
  std::vector<ChunkTable::Slot> slots;
  slots.reserve(chunk_ids.size());
  for (const std::string& chunk_id : chunk_ids) {
    const ChunkTable::Slot slot = FindSlot(chunk_id);
    if (slot != ChunkTable::kNoSlot) slots.push_back(slot);
  }
  std::sort(slots.begin(), slots.end(), [this](ChunkTable::Slot a, ChunkTable::Slot b) {
    return chunks_.at(a).key < chunks_.at(b).key;
  });
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
  out.reserve(slots.size() * 3);
  for (ChunkTable::Slot slot : slots) AppendReplicas(slot, &out);
  return out;
}

std::vector<std::vector<ChunkCopy>> MetadataIndex::GetCopies(
    const std::vector<std::string>& chunk_ids) const {
  std::vector<std::vector<ChunkCopy>> out(chunk_ids.size());
  absl::ReaderMutexLock lock(&mu_);
  for (size_t i = 0; i < chunk_ids.size(); ++i) {
    const ChunkTable::Slot slot = FindSlot(chunk_ids[i]);
    if (slot != ChunkTable::kNoSlot) CopiesOf(chunks_.at(slot), &out[i]);
  }
  return out;
}

std::vector<bool> MetadataIndex::NodeFlags(const std::vector<std::string>& node_ids) const {
  std::vector<bool> flags;
  for (const std::string& id : node_ids) {
    const int node = chunks_.FindNode(id);
    if (node < 0) continue;
    if (flags.size() <= static_cast<size_t>(node)) flags.resize(static_cast<size_t>(node) + 1);
    flags[static_cast<size_t>(node)] = true;
  }
  return flags;
}

std::vector<uint8_t> MetadataIndex::ChunkUses() const {
  std::vector<uint8_t> uses(chunks_.slot_count());
  for (const auto& [id, file] : files_) {
    const uint8_t factor =
        static_cast<uint8_t>(std::clamp(file.record.replication_factor, 0, kCommittedUse - 1));
    const uint8_t complete = file.record.state == FileState::kComplete ? kCommittedUse : 0;
    for (const ChunkTable::Slot slot : file.chunks) {
      if (slot == ChunkTable::kNoSlot) continue;
      uint8_t& use = uses[slot];
      use = static_cast<uint8_t>(std::max<uint8_t>(use & ~kCommittedUse, factor) |
                                 (use & kCommittedUse) | complete);
    }
  }
  return uses;
}

namespace {

bool In(const std::vector<bool>& flags, uint16_t node) {
  return node < flags.size() && flags[node];
}

}  // namespace

ReplicationHealth MetadataIndex::Health(const std::vector<std::string>& counting_nodes,
                                        const std::vector<std::string>& readable_nodes) const {
  absl::ReaderMutexLock lock(&mu_);
  const std::vector<bool> counting = NodeFlags(counting_nodes);
  const std::vector<bool> readable = NodeFlags(readable_nodes);
  const std::vector<uint8_t> uses = ChunkUses();
  ReplicationHealth health;
  chunks_.ForEach([&](ChunkTable::Slot slot, const ChunkTable::Entry& chunk) {
    bool can_read = false;
    int stored = 0;
    for (const ChunkTable::Replica& replica : chunk.replicas) {
      if (replica.state == ReplicaState::kCorrupt) ++health.corrupt_replicas;
      if (replica.state != ReplicaState::kStored) continue;
      stored += In(counting, replica.node) ? 1 : 0;
      can_read = can_read || In(readable, replica.node);
    }
    if (!(uses[slot] & kCommittedUse) || !chunk.has_row) return;
    const int factor = uses[slot] & ~kCommittedUse;
    if (stored < factor) {
      ++health.under_replicated;
      health.missing_bytes += (factor - stored) * chunk.size;
    } else if (stored > factor) {
      ++health.over_replicated;
    }
    if (!can_read) ++health.lost;
  });
  return health;
}

std::vector<ChunkBalance> MetadataIndex::UnbalancedChunks(
    const std::vector<std::string>& counting_nodes, int limit) const {
  absl::ReaderMutexLock lock(&mu_);
  const std::vector<bool> counting = NodeFlags(counting_nodes);
  const std::vector<uint8_t> uses = ChunkUses();
  struct Found {
    int live;
    ChunkTable::Slot slot;
  };
  std::vector<Found> found;
  chunks_.ForEach([&](ChunkTable::Slot slot, const ChunkTable::Entry& chunk) {
    if (!(uses[slot] & kCommittedUse) || !chunk.has_row) return;
    int live = 0;
    for (const ChunkTable::Replica& replica : chunk.replicas) {
      if (replica.state == ReplicaState::kStored && In(counting, replica.node)) ++live;
    }
    if (live != (uses[slot] & ~kCommittedUse)) found.push_back({live, slot});
  });
  // The most endangered first, then by id, as the stores order them.
  auto before = [&](const Found& a, const Found& b) {
    if (a.live != b.live) return a.live < b.live;
    return chunks_.at(a.slot).key < chunks_.at(b.slot).key;
  };
  const size_t keep = std::min(found.size(), static_cast<size_t>(std::max(limit, 0)));
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(keep), found.end(),
                    before);
  std::vector<ChunkBalance> out;
  out.reserve(keep);
  for (size_t i = 0; i < keep; ++i) {
    const ChunkTable::Entry& chunk = chunks_.at(found[i].slot);
    out.push_back(
        {chunk.key.Hex(), chunk.size, uses[found[i].slot] & ~kCommittedUse, found[i].live});
  }
  return out;
}

void MetadataIndex::CopiesOf(const ChunkTable::Entry& chunk, std::vector<ChunkCopy>* out) const {
  out->reserve(chunk.replicas.size());
  for (const ChunkTable::Replica& replica : chunk.replicas) {
    out->push_back({chunks_.NodeName(replica.node), replica.state});
  }
  std::sort(out->begin(), out->end(),
            [](const ChunkCopy& a, const ChunkCopy& b) { return a.node_id < b.node_id; });
}

bool MetadataIndex::HasReplicaIn(std::string_view chunk_id, ReplicaState state) const {
  absl::ReaderMutexLock lock(&mu_);
  const ChunkTable::Slot slot = FindSlot(chunk_id);
  if (slot == ChunkTable::kNoSlot) return false;
  const auto& replicas = chunks_.at(slot).replicas;
  return std::any_of(replicas.begin(), replicas.end(),
                     [state](const ChunkTable::Replica& r) { return r.state == state; });
}

std::vector<std::string> MetadataIndex::ChunksWithoutRow() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<std::string> out;
  chunks_.ForEach([&](ChunkTable::Slot, const ChunkTable::Entry& entry) {
    if (!entry.has_row && !entry.replicas.empty()) out.push_back(entry.key.Hex());
  });
  return out;
}

// ---- buckets and objects --------------------------------------------------

void MetadataIndex::PutBucket(const BucketRecord& bucket) {
  absl::MutexLock lock(&mu_);
  buckets_[bucket.name].record = bucket;
}

void MetadataIndex::RemoveBucket(std::string_view name) {
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(Key(name));
  if (it == buckets_.end()) return;
  object_count_ -= static_cast<int64_t>(it->second.objects.size());
  buckets_.erase(it);
}

std::optional<BucketRecord> MetadataIndex::GetBucket(std::string_view name) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = buckets_.find(Key(name));
  if (it == buckets_.end()) return std::nullopt;
  return it->second.record;
}

std::vector<BucketRecord> MetadataIndex::ListBuckets() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<BucketRecord> out;
  out.reserve(buckets_.size());
  for (const auto& [name, entry] : buckets_) out.push_back(entry.record);
  return out;
}

void MetadataIndex::PutObject(const ObjectRecord& object) {
  absl::MutexLock lock(&mu_);
  auto bucket = buckets_.find(object.bucket);
  if (bucket == buckets_.end()) return;
  auto [it, added] = bucket->second.objects.insert_or_assign(object.key, object);
  if (added) ++object_count_;
}

void MetadataIndex::RemoveObject(std::string_view bucket_name, std::string_view key) {
  absl::MutexLock lock(&mu_);
  auto bucket = buckets_.find(Key(bucket_name));
  if (bucket == buckets_.end()) return;
  object_count_ -= static_cast<int64_t>(bucket->second.objects.erase(std::string(key)));
}

std::optional<ObjectRecord> MetadataIndex::GetObject(std::string_view bucket_name,
                                                     std::string_view key) const {
  absl::ReaderMutexLock lock(&mu_);
  auto bucket = buckets_.find(Key(bucket_name));
  if (bucket == buckets_.end()) return std::nullopt;
  auto it = bucket->second.objects.find(Key(key));
  if (it == bucket->second.objects.end()) return std::nullopt;
  return it->second;
}

std::optional<std::vector<ObjectRecord>> MetadataIndex::ListObjects(
    const ObjectListQuery& query) const {
  absl::ReaderMutexLock lock(&mu_);
  auto bucket = buckets_.find(query.bucket);
  if (bucket == buckets_.end()) return std::nullopt;
  const auto& objects = bucket->second.objects;
  std::vector<ObjectRecord> out;
  out.reserve(std::min<size_t>(std::max(query.limit, 0), objects.size()));
  auto it = objects.lower_bound(std::max(query.prefix, query.start));
  for (; it != objects.end() && static_cast<int>(out.size()) < query.limit; ++it) {
    if (!absl::StartsWith(it->first, query.prefix)) break;
    if (!query.summaries) {
      out.push_back(it->second);
      continue;
    }
    const ObjectRecord& object = it->second;
    ObjectRecord& summary = out.emplace_back();
    summary.bucket = object.bucket;
    summary.key = object.key;
    summary.size = object.size;
    summary.etag = object.etag;
    summary.modified_at = object.modified_at;
  }
  return out;
}

// ---- the whole ------------------------------------------------------------

void MetadataIndex::Clear() {
  absl::MutexLock lock(&mu_);
  files_.clear();
  names_.clear();
  buckets_.clear();
  // The chunk table keeps its interned nodes; its entries all go.
  std::vector<ChunkTable::Slot> slots;
  chunks_.ForEach([&](ChunkTable::Slot slot, const ChunkTable::Entry&) { slots.push_back(slot); });
  for (ChunkTable::Slot slot : slots) {
    ChunkTable::Entry& entry = chunks_.at(slot);
    entry.has_row = false;
    entry.file_refs = 0;
    entry.replicas.clear();
    chunks_.ReleaseIfUnused(slot);
  }
  replica_count_ = 0;
  object_count_ = 0;
}

IndexContents MetadataIndex::Contents() const {
  absl::ReaderMutexLock lock(&mu_);
  IndexContents out;
  for (const auto& [id, entry] : files_) {
    out.files.push_back(RecordOf(entry));
    std::vector<FileChunkRef>& refs = out.file_chunks[id];
    for (size_t index = 0; index < entry.chunks.size(); ++index) {
      if (entry.chunks[index] == ChunkTable::kNoSlot) continue;
      const ChunkTable::Entry& chunk = chunks_.at(entry.chunks[index]);
      refs.push_back({static_cast<int64_t>(index), chunk.key.Hex(), chunk.size});
    }
  }
  std::sort(out.files.begin(), out.files.end(),
            [](const FileRecord& a, const FileRecord& b) { return a.id < b.id; });
  chunks_.ForEach([&](ChunkTable::Slot slot, const ChunkTable::Entry& entry) {
    if (entry.has_row) out.chunk_rows.emplace_back(entry.key.Hex(), entry.size);
    AppendReplicas(slot, &out.replicas);
  });
  std::sort(out.chunk_rows.begin(), out.chunk_rows.end());
  std::sort(out.replicas.begin(), out.replicas.end(),
            [](const ReplicaRecord& a, const ReplicaRecord& b) {
              return std::tie(a.chunk_id, a.node_id) < std::tie(b.chunk_id, b.node_id);
            });
  for (const auto& [name, bucket] : buckets_) {
    out.buckets.push_back(bucket.record);
    for (const auto& [key, object] : bucket.objects) out.objects.push_back(object);
  }
  return out;
}

MetadataIndex::Sizes MetadataIndex::sizes() const {
  absl::ReaderMutexLock lock(&mu_);
  return {static_cast<int64_t>(files_.size()), static_cast<int64_t>(chunks_.size()), replica_count_,
          object_count_, chunks_.MemoryBytes()};
}

}  // namespace gale::coordinator
