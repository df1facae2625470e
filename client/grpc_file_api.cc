#include "client/grpc_file_api.h"

#include "common/strings.h"

namespace gale::client {

std::string NodeStateText(v1::NodeState state) {
  switch (state) {
    case v1::NODE_STATE_ACTIVE:
      return "active";
    case v1::NODE_STATE_SUSPECT:
      return "suspect";
    case v1::NODE_STATE_DEAD:
      return "dead";
    case v1::NODE_STATE_MAINTENANCE:
      return "maintenance";
    case v1::NODE_STATE_DRAINING:
      return "draining";
    case v1::NODE_STATE_DECOMMISSIONED:
      return "decommissioned";
    default:
      return "unknown";
  }
}

std::string WriteModeText(v1::WriteMode mode) {
  switch (mode) {
    case v1::WRITE_MODE_SYNC:
      return "sync";
    case v1::WRITE_MODE_QUORUM:
      return "quorum";
    case v1::WRITE_MODE_ASYNC:
      return "async";
    default:
      return "";
  }
}

FileInfo FromProto(const v1::FileInfo& file) {
  FileInfo out;
  out.id = file.file_id();
  out.name = file.name();
  out.size = file.size();
  out.sha256 = file.sha256();
  out.chunk_size = file.chunk_size();
  out.replication_factor = file.replication_factor();
  out.write_mode = WriteModeText(file.write_mode());
  out.state = file.state();
  out.created_at_ms = file.created_at_ms();
  out.chunk_count = file.chunk_count();
  for (const auto& c : file.chunks()) {
    FileInfo::Chunk chunk{c.index(), c.chunk_id(), c.size(), {}};
    for (const auto& r : c.replicas()) {
      if (file.nodes_size() == 0) {
        chunk.replicas.push_back({r.node_id(), r.address(), NodeStateText(r.node_state())});
      } else if (r.node() >= 0 && r.node() < file.nodes_size()) {
        // An answer with a node table (GetFile): the replica names its node
        // by index. One naming no node is left out, as a stale location is.
        const v1::ReplicaNode& node = file.nodes(r.node());
        chunk.replicas.push_back({node.node_id(), node.address(), NodeStateText(r.node_state())});
      }
    }
    out.chunks.push_back(std::move(chunk));
  }
  return out;
}

namespace {

void AddChunkSpecs(const std::vector<ChunkSpec>& chunks,
                   google::protobuf::RepeatedPtrField<v1::ChunkSpec>* out) {
  for (const ChunkSpec& chunk : chunks) {
    v1::ChunkSpec* spec = out->Add();
    spec->set_index(chunk.index);
    spec->set_chunk_id(chunk.id);
    spec->set_size(chunk.size);
  }
}

std::vector<Placement> PlacementsOf(
    const google::protobuf::RepeatedPtrField<v1::ChunkPlacement>& placements) {
  std::vector<Placement> out;
  for (const v1::ChunkPlacement& p : placements) {
    Placement placement{p.index(), p.already_stored(), {}, p.write_grant()};
    for (const auto& t : p.targets()) placement.targets.push_back({t.node_id(), t.address(), ""});
    out.push_back(std::move(placement));
  }
  return out;
}

}  // namespace

Result<CreatedFile> GrpcFileApi::CreateFile(const CreateFileArgs& args,
                                            const std::vector<ChunkSpec>& first_chunks) {
  v1::CreateFileRequest request;
  request.set_name(args.name);
  request.set_size(args.size);
  request.set_replication_factor(args.replication_factor);
  if (args.write_mode == "sync") {
    request.set_write_mode(v1::WRITE_MODE_SYNC);
  } else if (args.write_mode == "quorum") {
    request.set_write_mode(v1::WRITE_MODE_QUORUM);
  } else if (args.write_mode == "async") {
    request.set_write_mode(v1::WRITE_MODE_ASYNC);
  } else if (!args.write_mode.empty()) {
    return absl::InvalidArgumentError(
        StrCat("write mode '", args.write_mode, "' is not one of sync, quorum, async"));
  }
  request.set_chunk_size(args.chunk_size);
  request.set_overwrite(args.overwrite);
  if (const auto* object = target_ ? std::get_if<ObjectTarget>(&*target_) : nullptr) {
    request.mutable_object()->set_bucket(object->bucket);
    request.mutable_object()->set_key(object->key);
  } else if (const auto* part = target_ ? std::get_if<PartTarget>(&*target_) : nullptr) {
    request.mutable_part()->set_upload_id(part->upload_id);
    request.mutable_part()->set_part_number(part->part_number);
  }
  AddChunkSpecs(first_chunks, request.mutable_chunks());
  v1::CreateFileResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->CreateFile(context, request, &response); }));
  return CreatedFile{response.file_id(), PlacementsOf(response.placements())};
}

Result<std::vector<Placement>> GrpcFileApi::AllocateChunks(
    const std::string& file_id, const std::vector<ChunkSpec>& chunks,
    const std::vector<std::string>& exclude_nodes, const std::vector<std::string>& stored_on) {
  v1::AllocateChunksRequest request;
  request.set_file_id(file_id);
  AddChunkSpecs(chunks, request.mutable_chunks());
  for (const auto& node : exclude_nodes) request.add_exclude_nodes(node);
  for (const auto& node : stored_on) request.add_stored_on(node);
  v1::AllocateChunksResponse response;
  RETURN_IF_ERROR(coordinator_->Run([&](auto* stub, auto* context) {
    return stub->AllocateChunks(context, request, &response);
  }));
  return PlacementsOf(response.placements());
}

Result<FileInfo> GrpcFileApi::CommitFile(const std::string& file_id, int64_t size,
                                         const std::string& sha256) {
  v1::CommitFileRequest request;
  request.set_file_id(file_id);
  request.set_size(size);
  request.set_sha256(sha256);
  request.set_without_chunks(true);  // FileApi::CommitFile answers without them
  if (const auto* object = target_ ? std::get_if<ObjectTarget>(&*target_) : nullptr) {
    const ObjectAttributes attributes = object->attributes();
    v1::ObjectAttributes* out = request.mutable_object();
    out->set_bucket(object->bucket);
    out->set_key(object->key);
    out->set_etag(attributes.etag);
    out->set_content_type(attributes.content_type);
    out->mutable_metadata()->insert(attributes.metadata.begin(), attributes.metadata.end());
    out->mutable_tags()->insert(attributes.tags.begin(), attributes.tags.end());
  } else if (const auto* part = target_ ? std::get_if<PartTarget>(&*target_) : nullptr) {
    request.mutable_part()->set_upload_id(part->upload_id);
    request.mutable_part()->set_part_number(part->part_number);
    request.mutable_part()->set_etag(part->etag());
  }
  v1::CommitFileResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->CommitFile(context, request, &response); }));
  return FromProto(response.file());
}

Status GrpcFileApi::AbortFile(const std::string& file_id) {
  v1::AbortFileRequest request;
  request.set_file_id(file_id);
  v1::AbortFileResponse response;
  return coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->AbortFile(context, request, &response); });
}

Result<FileInfo> GrpcFileApi::GetFile(std::string_view id_or_name, bool with_chunks) {
  v1::GetFileRequest request;
  request.set_file(std::string(id_or_name));
  request.set_with_chunks(with_chunks);
  request.set_node_table(true);
  v1::GetFileResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->GetFile(context, request, &response); }));
  return FromProto(response.file());
}

Status GrpcFileApi::ReportBadReplica(const std::string& chunk_id, const std::string& node_id,
                                     const std::string& reason) {
  v1::ReportBadReplicaRequest request;
  request.set_chunk_id(chunk_id);
  request.set_node_id(node_id);
  request.set_reason(reason);
  v1::ReportBadReplicaResponse response;
  return coordinator_->Run([&](auto* stub, auto* context) {
    return stub->ReportBadReplica(context, request, &response);
  });
}

}  // namespace gale::client
