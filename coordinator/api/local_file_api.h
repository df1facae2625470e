#pragma once

#include <optional>

#include "client/file_api.h"
#include "client/object_api.h"
#include "coordinator/files/file_service.h"
#include "coordinator/files/object_service.h"
#include "coordinator/files/replica_catalog.h"

namespace gale::coordinator {

// The client library's FileApi answered by this coordinator's own domain
// classes, without a network hop: what the REST gateway and the S3 API
// served by the coordinator upload and download through. With a target
// (and `objects`), the files it creates are nameless uploads of an object
// or a part, and its commits bind them to it, as GrpcFileApi's do.
// Thread-safe.
class LocalFileApi final : public client::FileApi {
 public:
  // Everything must outlive the API.
  LocalFileApi(FileService* files, ReplicaCatalog* replicas, ObjectService* objects = nullptr,
               std::optional<client::UploadTarget> target = std::nullopt)
      : files_(files), replicas_(replicas), objects_(objects), target_(std::move(target)) {}

  Result<client::CreatedFile> CreateFile(
      const client::CreateFileArgs& args,
      const std::vector<client::ChunkSpec>& first_chunks) override;
  Result<std::vector<client::Placement>> AllocateChunks(
      const std::string& file_id, const std::vector<client::ChunkSpec>& chunks,
      const std::vector<std::string>& exclude_nodes,
      const std::vector<std::string>& stored_on) override;
  Result<client::FileInfo> CommitFile(const std::string& file_id, int64_t size,
                                      const std::string& sha256) override;
  Status AbortFile(const std::string& file_id) override;
  Result<client::FileInfo> GetFile(std::string_view id_or_name, bool with_chunks) override;
  Status ReportBadReplica(const std::string& chunk_id, const std::string& node_id,
                          const std::string& reason) override;

 private:
  FileService* const files_;
  ReplicaCatalog* const replicas_;
  ObjectService* const objects_;
  const std::optional<client::UploadTarget> target_;
};

// The client form of a file view.
client::FileInfo ToClientFileInfo(const FileView& view);

}  // namespace gale::coordinator
