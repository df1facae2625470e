#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "coordinator/store/memory/chunk_key.h"
#include "coordinator/store/replica_record.h"

namespace gale::coordinator {

// Chunks and their replicas as the in-memory index keeps them, compactly:
// 32-byte keys, entries in one array addressed by 32-bit slots (a file's
// chunk list holds slots, not ids), nodes interned to 16-bit numbers, up to
// four replicas inline. An entry exists while the chunk has a row in the
// store, a replica row, or a reference from a file of the index. Not
// thread-safe (MetadataIndex guards it).
class ChunkTable {
 public:
  using Slot = uint32_t;
  static constexpr Slot kNoSlot = std::numeric_limits<Slot>::max();

  struct Replica {
    uint16_t node = 0;  // NodeName(node)
    ReplicaState state = ReplicaState::kStored;
    friend bool operator==(const Replica&, const Replica&) = default;
  };

  struct Entry {
    ChunkKey key;
    int64_t size = 0;        // of its row in the store
    uint32_t file_refs = 0;  // chunk-list positions of the index's files naming it
    bool has_row = false;    // the store has a chunk row for it
    bool in_use = false;     // false: on the free list
    absl::InlinedVector<Replica, 4> replicas;
  };

  ChunkTable();
  ChunkTable(const ChunkTable&) = delete;
  ChunkTable& operator=(const ChunkTable&) = delete;

  // kNoSlot when absent.
  Slot Find(const ChunkKey& key) const;
  Slot FindOrAdd(const ChunkKey& key);
  Entry& at(Slot slot) { return entries_[slot]; }
  const Entry& at(Slot slot) const { return entries_[slot]; }
  // Frees the entry once nothing keeps it (no row, no replica, no reference).
  void ReleaseIfUnused(Slot slot);

  // The replica of `entry` on `node`, or null.
  static Replica* FindReplica(Entry& entry, uint16_t node);

  // Interned node ids: stable for the table's life.
  uint16_t InternNode(std::string_view node_id);
  // The number of `node_id`, or -1 when it was never interned.
  int FindNode(std::string_view node_id) const;
  const std::string& NodeName(uint16_t node) const { return node_names_[node]; }

  // Entries in use.
  size_t size() const { return index_.size(); }
  // One past the highest slot (arrays indexed by slot are this long).
  size_t slot_count() const { return entries_.size(); }
  // Calls f(slot, entry) for every entry in use, in slot order.
  template <typename F>
  void ForEach(F f) const {
    for (Slot slot = 0; slot < entries_.size(); ++slot) {
      if (entries_[slot].in_use) f(slot, entries_[slot]);
    }
  }
  // Bytes held by the table's arrays and hash index (not the allocator's
  // overhead): for the memory gauge.
  int64_t MemoryBytes() const;

 private:
  // Hash and equality over slots that also take a key: the index stores
  // 4-byte slots and finds them by the key in their entry.
  struct SlotHash {
    using is_transparent = void;
    const std::vector<Entry>* entries;
    size_t operator()(Slot slot) const { return absl::HashOf((*entries)[slot].key); }
    size_t operator()(const ChunkKey& key) const { return absl::HashOf(key); }
  };
  struct SlotEq {
    using is_transparent = void;
    const std::vector<Entry>* entries;
    const ChunkKey& KeyOf(Slot slot) const { return (*entries)[slot].key; }
    static const ChunkKey& KeyOf(const ChunkKey& key) { return key; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return KeyOf(a) == KeyOf(b);
    }
  };

  std::vector<Entry> entries_;
  std::vector<Slot> free_;
  absl::flat_hash_set<Slot, SlotHash, SlotEq> index_;
  std::vector<std::string> node_names_;
  absl::flat_hash_map<std::string, uint16_t> node_numbers_;
};

}  // namespace gale::coordinator
