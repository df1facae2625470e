#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "client/chunk_transport.h"
#include "client/coordinator_client.h"
#include "client/downloader.h"
#include "client/file_api.h"
#include "client/grpc_file_api.h"
#include "client/uploader.h"
#include "common/status.h"
#include "proto/coordinator.pb.h"

namespace gale::client {

struct ClientOptions {
  std::string coordinators = "127.0.0.1:8080";  // host:port[,host:port]
  absl::Duration timeout = absl::Seconds(30);
  int parallelism = 4;  // chunks in flight per transfer
  std::string token;    // API token, sent as Authorization: Bearer ("": none)
  // With a CA file: TLS to coordinators and nodes, verified against it
  // (cert and key: a client certificate for mutual TLS).
  common::TlsOptions tls;
};

// The C++ client library's entry point: upload, download, list, stat and
// delete files, read the cluster's nodes and status, and drain nodes or
// switch their maintenance. Thread-safe.
class GaleClient {
 public:
  static Result<std::unique_ptr<GaleClient>> Connect(ClientOptions options);

  using Progress = std::function<void(int64_t bytes)>;

  // Uploads everything readable from `in` (a file or a pipe) in bounded
  // memory. `args.size` may be -1 for streams. Returns the committed file
  // without its chunks (Stat has them).
  Result<FileInfo> Upload(const CreateFileArgs& args, std::FILE* in, Progress progress = nullptr);
  // Uploads the file at `path` (its size declared up front).
  Result<FileInfo> UploadPath(CreateFileArgs args, const std::string& path,
                              Progress progress = nullptr);

  // Writes the verified file to `path` through a temp file beside it, renamed
  // into place only when every byte checked out.
  Result<FileInfo> DownloadToPath(std::string_view id_or_name, const std::string& path,
                                  Progress progress = nullptr);
  // Streams the verified file to `out` (stdout, say).
  Result<FileInfo> DownloadToStream(std::string_view id_or_name, std::FILE* out,
                                    Progress progress = nullptr);

  Result<FileInfo> Stat(std::string_view id_or_name);  // with chunks and replicas
  Result<v1::ListFilesResponse> List(std::string_view prefix, int limit, std::string_view cursor,
                                     std::string_view sort);
  Status Delete(std::string_view id_or_name);
  Result<v1::ListNodesResponse> Nodes();
  Result<v1::GetNetworkStatusResponse> ClusterStatus();
  // Starts draining a node (idempotent); returns it as it is now.
  Result<v1::NodeInfo> Drain(const std::string& node_id);
  Result<v1::NodeInfo> SetMaintenance(const std::string& node_id, bool enabled);

  CoordinatorClient* coordinator() { return coordinator_.get(); }

 private:
  GaleClient(ClientOptions options, std::unique_ptr<CoordinatorClient> coordinator);

  const ClientOptions options_;
  std::unique_ptr<CoordinatorClient> coordinator_;
  GrpcFileApi api_;
  ChunkTransport transport_;
};

}  // namespace gale::client
