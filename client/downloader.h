#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "client/chunk_transport.h"
#include "client/file_api.h"
#include "common/status.h"

namespace gale::client {

struct DownloadOptions {
  int parallelism = 4;  // chunks fetched at once
  // Called with the bytes passed to the sink so far.
  std::function<void(int64_t)> on_progress;
};

// Reads files back. Chunks are fetched in parallel, each verified against its
// SHA-256 before any of its bytes are passed on; on an error or a mismatch
// the next replica is tried, and a replica with bad bytes (or without the
// chunk) is reported to the coordinator. Bytes reach the sink in file order,
// and a whole download is checked against the file's SHA-256 at the end.
// Thread-safe; each call is independent.
class Downloader {
 public:
  using Sink = std::function<Status(std::string_view)>;

  Downloader(FileApi* api, ChunkTransport* transport, DownloadOptions options)
      : api_(api), transport_(transport), options_(std::move(options)) {}

  // The whole file. DATA_LOSS when no replica of a chunk returns verified
  // bytes, or the whole file's hash does not match; the sink's own error
  // stops the download.
  Result<FileInfo> Download(std::string_view id_or_name, const Sink& sink);

  // Bytes [offset, offset + length) of the file `info` describes (with its
  // chunks), e.g. for an HTTP Range request. OUT_OF_RANGE outside the file.
  Status ReadRange(const FileInfo& info, int64_t offset, int64_t length, const Sink& sink);

  // One chunk's verified bytes, from the first replica that has them.
  Result<std::string> FetchChunk(const FileInfo::Chunk& chunk);

 private:
  FileApi* const api_;
  ChunkTransport* const transport_;
  const DownloadOptions options_;
};

}  // namespace gale::client
