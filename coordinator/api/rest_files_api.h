#pragma once

#include "client/chunk_transport.h"
#include "client/file_api.h"
#include "common/http_server.h"
#include "coordinator/service_context.h"

namespace gale::coordinator {

// The REST API for files and chunks:
//   ZephyrFS-compatible: POST /api/v1/files/register, GET /api/v1/files,
//   GET|DELETE /api/v1/files/{id}, GET /api/v1/chunks/{id},
//   GET|PUT /api/v1/chunks/{id}/locations;
//   and a gateway for curl and browsers: POST /api/v1/files/upload (the raw
//   body, streamed, chunked encoding welcome) and GET /api/v1/files/{id}/content
//   (verified bytes, Range supported), which upload and download through the
//   same client library as the CLI. A thin adapter; thread-safe.
class FilesRestApi {
 public:
  // `files` is the in-process FileApi; everything must outlive the API.
  FilesRestApi(ServiceContext context, client::FileApi* files, client::ChunkTransport* transport)
      : ctx_(context), files_api_(files), transport_(transport) {}

  void Register(common::HttpServer* server);

 private:
  void RegisterFile(const httplib::Request& req, httplib::Response& res);
  void ListFiles(const httplib::Request& req, httplib::Response& res);
  void GetFile(const httplib::Request& req, httplib::Response& res);
  void DeleteFile(const httplib::Request& req, httplib::Response& res);
  void Upload(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader& reader);
  void Download(const httplib::Request& req, httplib::Response& res);
  void GetChunk(const httplib::Request& req, httplib::Response& res);
  void GetChunkLocations(const httplib::Request& req, httplib::Response& res);
  void UpdateChunkLocations(const httplib::Request& req, httplib::Response& res);

  // Commits the ZephyrFS-registered files using `chunk_id` whose replicas
  // are now all there.
  void AutoCommitFilesOf(const std::string& chunk_id);

  const ServiceContext ctx_;
  client::FileApi* const files_api_;
  client::ChunkTransport* const transport_;
};

}  // namespace gale::coordinator
