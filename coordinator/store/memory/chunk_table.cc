#include "coordinator/store/memory/chunk_table.h"

#include <algorithm>

namespace gale::coordinator {

ChunkTable::ChunkTable() : index_(0, SlotHash{&entries_}, SlotEq{&entries_}) {}

ChunkTable::Slot ChunkTable::Find(const ChunkKey& key) const {
  auto it = index_.find(key);
  return it == index_.end() ? kNoSlot : *it;
}

ChunkTable::Slot ChunkTable::FindOrAdd(const ChunkKey& key) {
  if (Slot found = Find(key); found != kNoSlot) return found;
  Slot slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
    entries_[slot] = Entry();
  } else {
    slot = static_cast<Slot>(entries_.size());
    entries_.emplace_back();
  }
  Entry& entry = entries_[slot];
  entry.key = key;
  entry.in_use = true;
  index_.insert(slot);
  return slot;
}

void ChunkTable::ReleaseIfUnused(Slot slot) {
  Entry& entry = entries_[slot];
  if (!entry.in_use || entry.has_row || entry.file_refs > 0 || !entry.replicas.empty()) return;
  index_.erase(entry.key);
  entry = Entry();
  free_.push_back(slot);
}

ChunkTable::Replica* ChunkTable::FindReplica(Entry& entry, uint16_t node) {
  auto it = std::find_if(entry.replicas.begin(), entry.replicas.end(),
                         [node](const Replica& r) { return r.node == node; });
  return it == entry.replicas.end() ? nullptr : &*it;
}

uint16_t ChunkTable::InternNode(std::string_view node_id) {
  auto [it, added] =
      node_numbers_.try_emplace(std::string(node_id), static_cast<uint16_t>(node_names_.size()));
  if (added) node_names_.emplace_back(node_id);
  return it->second;
}

int ChunkTable::FindNode(std::string_view node_id) const {
  auto it = node_numbers_.find(absl::string_view(node_id.data(), node_id.size()));
  return it == node_numbers_.end() ? -1 : it->second;
}

int64_t ChunkTable::MemoryBytes() const {
  int64_t bytes =
      static_cast<int64_t>(entries_.capacity() * sizeof(Entry) + free_.capacity() * sizeof(Slot) +
                           index_.capacity() * (sizeof(Slot) + 1));
  for (const Entry& entry : entries_) {
    if (entry.replicas.size() > 4) bytes += entry.replicas.capacity() * sizeof(Replica);
  }
  return bytes;
}

}  // namespace gale::coordinator
