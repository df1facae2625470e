#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "coordinator/store/file_record.h"
#include "coordinator/store/object_record.h"
#include "coordinator/store/replica_record.h"

namespace gale::coordinator {

// What a commit binds a nameless file to: an object or a multipart part.
using FileBinding = std::variant<ObjectRecord, PartRecord>;

// A copy a node reported holding.
struct ReplicaReceipt {
  std::string node_id;
  ChunkReplica chunk;
};

// `receipts` by node, in node order (the keys view into `receipts`): each
// node's copies are recorded together.
inline std::map<std::string_view, std::vector<ChunkReplica>> ReceiptsByNode(
    const std::vector<ReplicaReceipt>& receipts) {
  std::map<std::string_view, std::vector<ChunkReplica>> out;
  for (const ReplicaReceipt& receipt : receipts) out[receipt.node_id].push_back(receipt.chunk);
  return out;
}

// An upload whose metadata stayed in memory until its commit: everything
// MetadataStore::WriteUpload writes in one transaction.
struct UploadRecord {
  FileRecord file;                       // as created: pending
  std::vector<FileChunkRef> chunks;      // by index
  std::vector<ReplicaReceipt> receipts;  // copies of its chunks that nodes reported
  // When its chunks were attached (new chunks' creation time); unset: the
  // write's time.
  std::optional<absl::Time> attached_at;
  bool commit = true;                  // false: written still pending
  int64_t size = 0;                    // the commit's
  std::string sha256;                  // the commit's
  std::optional<FileBinding> binding;  // for a nameless file
};

}  // namespace gale::coordinator
