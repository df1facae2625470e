#include "coordinator/api/local_file_api.h"

#include "coordinator/api/local_object_api.h"

namespace gale::coordinator {

client::FileInfo ToClientFileInfo(const FileView& view) {
  const FileRecord& f = view.file;
  client::FileInfo out;
  out.id = f.id;
  out.name = f.name;
  out.size = f.size;
  out.sha256 = f.sha256;
  out.chunk_size = f.chunk_size;
  out.replication_factor = f.replication_factor;
  out.write_mode = std::string(WriteModeName(f.write_mode));
  out.state = std::string(FileStateName(f.state));
  out.created_at_ms = absl::ToUnixMillis(f.created_at);
  out.chunk_count = f.chunk_count;
  for (const auto& chunk : view.chunks) {
    client::FileInfo::Chunk c{chunk.ref.index, chunk.ref.chunk_id, chunk.ref.size, {}};
    for (const auto& r : chunk.replicas) {
      c.replicas.push_back({r.node_id, r.address, std::string(NodeStateName(r.node_state))});
    }
    out.chunks.push_back(std::move(c));
  }
  return out;
}

namespace {

std::vector<FileChunkRef> ChunkRefs(const std::vector<client::ChunkSpec>& chunks) {
  std::vector<FileChunkRef> refs;
  refs.reserve(chunks.size());
  for (const client::ChunkSpec& c : chunks) refs.push_back({c.index, c.id, c.size});
  return refs;
}

std::vector<client::Placement> ToClient(const std::vector<ChunkPlacement>& placements) {
  std::vector<client::Placement> out;
  for (const ChunkPlacement& p : placements) {
    client::Placement placement{p.index, p.already_stored, {}, p.write_grant};
    for (const auto& t : p.targets) placement.targets.push_back({t.node_id, t.address, ""});
    out.push_back(std::move(placement));
  }
  return out;
}

}  // namespace

Result<client::CreatedFile> LocalFileApi::CreateFile(
    const client::CreateFileArgs& args, const std::vector<client::ChunkSpec>& first_chunks) {
  CreateFileArgs create;
  create.name = args.name;
  create.size = args.size;
  create.replication_factor = args.replication_factor;
  if (!args.write_mode.empty()) {
    ASSIGN_OR_RETURN(WriteMode mode, ParseWriteMode(args.write_mode));
    create.write_mode = mode;
  }
  create.chunk_size = args.chunk_size;
  create.overwrite = args.overwrite;
  FileRecord file;
  if (const auto* object = target_ ? std::get_if<client::ObjectTarget>(&*target_) : nullptr) {
    ASSIGN_OR_RETURN(file, objects_->BeginObject(object->bucket, object->key, std::move(create)));
  } else if (const auto* part = target_ ? std::get_if<client::PartTarget>(&*target_) : nullptr) {
    ASSIGN_OR_RETURN(file,
                     objects_->BeginPart(part->upload_id, part->part_number, std::move(create)));
  } else {
    ASSIGN_OR_RETURN(file, files_->CreateFile(std::move(create)));
  }
  client::CreatedFile created{file.id, {}};
  if (!first_chunks.empty()) {
    ASSIGN_OR_RETURN(auto placements,
                     files_->AllocateFirstChunks(file.id, ChunkRefs(first_chunks)));
    created.placements = ToClient(placements);
  }
  return created;
}

Result<std::vector<client::Placement>> LocalFileApi::AllocateChunks(
    const std::string& file_id, const std::vector<client::ChunkSpec>& chunks,
    const std::vector<std::string>& exclude_nodes, const std::vector<std::string>& stored_on) {
  ASSIGN_OR_RETURN(auto placements,
                   files_->AllocateChunks(file_id, ChunkRefs(chunks),
                                          {exclude_nodes.begin(), exclude_nodes.end()},
                                          {stored_on.begin(), stored_on.end()}));
  return ToClient(placements);
}

Result<client::FileInfo> LocalFileApi::CommitFile(const std::string& file_id, int64_t size,
                                                  const std::string& sha256) {
  Result<FileRecord> committed = absl::UnknownError("");
  if (const auto* object = target_ ? std::get_if<client::ObjectTarget>(&*target_) : nullptr) {
    committed = objects_->CommitObject(
        file_id, size, sha256, ToObjectRecord(object->bucket, object->key, object->attributes()));
  } else if (const auto* part = target_ ? std::get_if<client::PartTarget>(&*target_) : nullptr) {
    committed = objects_->CommitPart(
        file_id, size, sha256, PartRecord{part->upload_id, part->part_number, "", 0, part->etag()});
  } else {
    committed = files_->CommitFile(file_id, size, sha256);
  }
  RETURN_IF_ERROR(committed.status());
  return ToClientFileInfo(FileView{*std::move(committed), {}});
}

Status LocalFileApi::AbortFile(const std::string& file_id) { return files_->AbortFile(file_id); }

Result<client::FileInfo> LocalFileApi::GetFile(std::string_view id_or_name, bool with_chunks) {
  ASSIGN_OR_RETURN(FileView view, files_->GetFile(id_or_name, with_chunks));
  return ToClientFileInfo(view);
}

Status LocalFileApi::ReportBadReplica(const std::string& chunk_id, const std::string& node_id,
                                      const std::string& reason) {
  return replicas_->ReportBad(chunk_id, node_id, reason);
}

}  // namespace gale::coordinator
