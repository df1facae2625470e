#include "bench/file_ops.h"

#include <map>

#include "bench/rpc.h"

namespace gale::bench {

Status CommitSyntheticFile(v1::Coordinator::Stub* stub, SimulatedNodes* nodes,
                           const std::string& name, int chunks, int64_t chunk_size,
                           std::string* file_id, std::vector<std::string>* chunk_ids) {
  // The file and its chunks' placements in one call, as a client that
  // knows its chunks up front asks.
  v1::CreateFileRequest create;
  create.set_name(name);
  create.set_size(chunks * chunk_size);
  create.set_chunk_size(chunk_size);
  create.set_write_mode(v1::WRITE_MODE_SYNC);  // a target per copy, all reported
  for (int i = 0; i < chunks; ++i) {
    v1::ChunkSpec* spec = create.add_chunks();
    spec->set_index(i);
    spec->set_chunk_id(RandomChunkId());
    spec->set_size(chunk_size);
  }
  v1::CreateFileResponse created;
  RETURN_IF_ERROR(Call(stub, &v1::Coordinator::Stub::CreateFile, create, &created));

  // What each target would report once the PUTs landed.
  std::map<std::string, std::vector<std::string>> stored;
  for (const v1::ChunkPlacement& placement : created.placements()) {
    for (const v1::Target& target : placement.targets()) {
      stored[target.node_id()].push_back(placement.chunk_id());
    }
  }
  RETURN_IF_ERROR(nodes->ReportStored(stored, chunk_size));

  v1::CommitFileRequest commit;
  commit.set_file_id(created.file_id());
  commit.set_size(chunks * chunk_size);
  commit.set_sha256(RandomChunkId());  // a whole-file hash is only recorded
  commit.set_without_chunks(true);     // as the client library asks
  v1::CommitFileResponse committed;
  RETURN_IF_ERROR(Call(stub, &v1::Coordinator::Stub::CommitFile, commit, &committed));
  if (file_id != nullptr) *file_id = created.file_id();
  if (chunk_ids != nullptr) {
    for (const v1::ChunkSpec& spec : create.chunks()) chunk_ids->push_back(spec.chunk_id());
  }
  return absl::OkStatus();
}

}  // namespace gale::bench
