#include "client/gale_client.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "common/file_util.h"
#include "common/strings.h"

namespace gale::client {

Result<std::unique_ptr<GaleClient>> GaleClient::Connect(ClientOptions options) {
  CoordinatorClient::Metadata credentials;
  if (!options.token.empty()) credentials.emplace_back("authorization", "Bearer " + options.token);
  RETURN_IF_ERROR(options.tls.Validate());
  ASSIGN_OR_RETURN(auto channel_credentials, common::GrpcChannelCredentials(options.tls));
  ASSIGN_OR_RETURN(auto coordinator,
                   CoordinatorClient::Create(options.coordinators, options.timeout, credentials,
                                             channel_credentials));
  return std::unique_ptr<GaleClient>(new GaleClient(std::move(options), std::move(coordinator)));
}

GaleClient::GaleClient(ClientOptions options, std::unique_ptr<CoordinatorClient> coordinator)
    : options_(std::move(options)),
      coordinator_(std::move(coordinator)),
      api_(coordinator_.get()),
      transport_(options_.timeout, options_.tls) {}

Result<FileInfo> GaleClient::Upload(const CreateFileArgs& args, std::FILE* in, Progress progress) {
  UploadOptions upload_options;
  upload_options.parallelism = options_.parallelism;
  upload_options.on_progress = std::move(progress);
  Uploader uploader(&api_, &transport_, upload_options);
  RETURN_IF_ERROR(uploader.Begin(args));
  std::string buffer(1 << 20, '\0');
  while (true) {
    size_t n = std::fread(buffer.data(), 1, buffer.size(), in);
    if (n > 0) RETURN_IF_ERROR(uploader.Write(std::string_view(buffer.data(), n)));
    if (n < buffer.size()) {
      if (std::ferror(in)) return common::ErrnoStatus(errno, "read the upload's input");
      break;  // end of input
    }
  }
  return uploader.Finish();
}

Result<FileInfo> GaleClient::UploadPath(CreateFileArgs args, const std::string& path,
                                        Progress progress) {
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (in == nullptr) return common::ErrnoStatus(errno, StrCat("open ", path));
  struct stat st {};
  if (::fstat(::fileno(in), &st) == 0 && S_ISREG(st.st_mode)) args.size = st.st_size;
  auto info = Upload(args, in, std::move(progress));
  std::fclose(in);
  return info;
}

Result<FileInfo> GaleClient::DownloadToStream(std::string_view id_or_name, std::FILE* out,
                                              Progress progress) {
  DownloadOptions download_options;
  download_options.parallelism = options_.parallelism;
  download_options.on_progress = std::move(progress);
  Downloader downloader(&api_, &transport_, download_options);
  auto info = downloader.Download(id_or_name, [&](std::string_view bytes) -> Status {
    if (std::fwrite(bytes.data(), 1, bytes.size(), out) != bytes.size()) {
      return common::ErrnoStatus(errno, "write the download");
    }
    return absl::OkStatus();
  });
  if (info.ok() && std::fflush(out) != 0) return common::ErrnoStatus(errno, "write the download");
  return info;
}

Result<FileInfo> GaleClient::DownloadToPath(std::string_view id_or_name, const std::string& path,
                                            Progress progress) {
  std::filesystem::path target(path);
  std::string dir = target.parent_path().string();
  std::string tmp = (std::filesystem::path(dir.empty() ? "." : dir) /
                     StrCat(".", target.filename().string(), ".gale-tmp.", ::getpid()))
                        .string();
  std::FILE* out = std::fopen(tmp.c_str(), "wb");
  if (out == nullptr) return common::ErrnoStatus(errno, StrCat("create ", tmp));
  auto info = DownloadToStream(id_or_name, out, std::move(progress));
  if (info.ok() && ::fsync(::fileno(out)) != 0) info = common::ErrnoStatus(errno, "fsync");
  std::fclose(out);
  if (!info.ok()) {
    ::unlink(tmp.c_str());  // never leave unverified bytes under the name
    return info;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status status = common::ErrnoStatus(errno, StrCat("rename ", tmp, " to ", path));
    ::unlink(tmp.c_str());
    return status;
  }
  return info;
}

Result<FileInfo> GaleClient::Stat(std::string_view id_or_name) {
  return api_.GetFile(id_or_name, /*with_chunks=*/true);
}

Result<v1::ListFilesResponse> GaleClient::List(std::string_view prefix, int limit,
                                               std::string_view cursor, std::string_view sort) {
  v1::ListFilesRequest request;
  request.set_prefix(std::string(prefix));
  request.set_limit(limit);
  request.set_cursor(std::string(cursor));
  request.set_sort(std::string(sort));
  v1::ListFilesResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->ListFiles(context, request, &response); }));
  return response;
}

Status GaleClient::Delete(std::string_view id_or_name) {
  v1::DeleteFileRequest request;
  request.set_file(std::string(id_or_name));
  v1::DeleteFileResponse response;
  return coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->DeleteFile(context, request, &response); });
}

Result<v1::ListNodesResponse> GaleClient::Nodes() {
  v1::ListNodesResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->ListNodes(context, {}, &response); }));
  return response;
}

Result<v1::GetNetworkStatusResponse> GaleClient::ClusterStatus() {
  v1::GetNetworkStatusResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->GetNetworkStatus(context, {}, &response); }));
  return response;
}

Result<v1::NodeInfo> GaleClient::Drain(const std::string& node_id) {
  v1::DrainNodeRequest request;
  request.set_node_id(node_id);
  v1::DrainNodeResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->DrainNode(context, request, &response); }));
  return response.node();
}

Result<v1::NodeInfo> GaleClient::SetMaintenance(const std::string& node_id, bool enabled) {
  v1::SetNodeMaintenanceRequest request;
  request.set_node_id(node_id);
  request.set_enabled(enabled);
  v1::SetNodeMaintenanceResponse response;
  RETURN_IF_ERROR(coordinator_->Run([&](auto* stub, auto* context) {
    return stub->SetNodeMaintenance(context, request, &response);
  }));
  return response.node();
}

}  // namespace gale::client
