#pragma once

#include <optional>
#include <string>

#include "client/coordinator_client.h"
#include "client/file_api.h"
#include "client/object_api.h"
#include "proto/coordinator.pb.h"

namespace gale::client {

// FileApi over the coordinator's gRPC API (with failover between
// coordinators). With a target, the files it creates are nameless uploads of
// an object or a part, and its commits bind them to it. Thread-safe.
class GrpcFileApi final : public FileApi {
 public:
  explicit GrpcFileApi(CoordinatorClient* coordinator, std::optional<UploadTarget> target = {})
      : coordinator_(coordinator), target_(std::move(target)) {}

  Result<CreatedFile> CreateFile(const CreateFileArgs& args,
                                 const std::vector<ChunkSpec>& first_chunks) override;
  Result<std::vector<Placement>> AllocateChunks(const std::string& file_id,
                                                const std::vector<ChunkSpec>& chunks,
                                                const std::vector<std::string>& exclude_nodes,
                                                const std::vector<std::string>& stored_on) override;
  Result<FileInfo> CommitFile(const std::string& file_id, int64_t size,
                              const std::string& sha256) override;
  Status AbortFile(const std::string& file_id) override;
  Result<FileInfo> GetFile(std::string_view id_or_name, bool with_chunks) override;
  Status ReportBadReplica(const std::string& chunk_id, const std::string& node_id,
                          const std::string& reason) override;

 private:
  CoordinatorClient* const coordinator_;
  const std::optional<UploadTarget> target_;
};

// The protobuf forms, for callers of the gRPC API.
FileInfo FromProto(const v1::FileInfo& file);
std::string NodeStateText(v1::NodeState state);
std::string WriteModeText(v1::WriteMode mode);

}  // namespace gale::client
