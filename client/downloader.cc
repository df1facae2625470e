#include "client/downloader.h"

#include <deque>
#include <future>

#include "common/sha256.h"
#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::client {

Result<std::string> Downloader::FetchChunk(const FileInfo::Chunk& chunk) {
  if (chunk.replicas.empty()) {
    return absl::DataLossError(
        StrCat("chunk ", chunk.index, " (", chunk.id, ") has no live replica"));
  }
  Status last;
  for (const auto& replica : chunk.replicas) {
    auto bytes = transport_->Get(replica.address, chunk.id, chunk.size);
    if (bytes.ok() && common::Sha256::Hex(*bytes) == chunk.id) return bytes;
    if (bytes.ok()) {
      last = absl::DataLossError(StrCat("node ", replica.node_id, " returned bytes of chunk ",
                                        chunk.index, " that fail their SHA-256"));
    } else {
      last = bytes.status();
    }
    spdlog::warn("chunk {} from node {}: {}; trying the next replica", chunk.index, replica.node_id,
                 last.ToString());
    // A node that answered wrongly (bad bytes, or not having the chunk) is
    // reported; one that could not be reached is the failure detector's job.
    if (bytes.ok() || absl::IsNotFound(bytes.status())) {
      Status reported =
          api_->ReportBadReplica(chunk.id, replica.node_id, std::string(last.message()));
      if (!reported.ok()) spdlog::warn("could not report the bad replica: {}", reported.ToString());
    }
  }
  return absl::DataLossError(StrCat("no replica of chunk ", chunk.index, " (", chunk.id,
                                    ") returned verified bytes; last: ", last.message()));
}

Status Downloader::ReadRange(const FileInfo& info, int64_t offset, int64_t length,
                             const Sink& sink) {
  if (offset < 0 || length < 0 || offset > info.size || length > info.size - offset) {
    return absl::OutOfRangeError(StrCat("bytes [", offset, ", ", offset + length,
                                        ") are outside the file of ", info.size, " bytes"));
  }
  // The chunks overlapping the range, with their offsets in the file.
  struct Piece {
    const FileInfo::Chunk* chunk;
    int64_t from;  // within the chunk
    int64_t to;
  };
  std::deque<Piece> pieces;
  int64_t chunk_start = 0;
  for (const auto& chunk : info.chunks) {
    const int64_t chunk_end = chunk_start + chunk.size;
    if (chunk_end > offset && chunk_start < offset + length) {
      pieces.push_back({&chunk, std::max<int64_t>(0, offset - chunk_start),
                        std::min(chunk.size, offset + length - chunk_start)});
    }
    chunk_start = chunk_end;
  }
  // A window of fetches in flight; bytes leave in file order.
  std::deque<std::future<Result<std::string>>> window;
  size_t next = 0;
  int64_t emitted = 0;
  auto fill = [&] {
    while (next < pieces.size() && static_cast<int>(window.size()) < options_.parallelism) {
      const FileInfo::Chunk* chunk = pieces[next++].chunk;
      window.push_back(
          std::async(std::launch::async, [this, chunk] { return FetchChunk(*chunk); }));
    }
  };
  fill();
  for (const Piece& piece : pieces) {
    Result<std::string> bytes = window.front().get();
    window.pop_front();
    if (!bytes.ok()) {
      for (auto& pending : window) pending.wait();
      return bytes.status();
    }
    fill();
    RETURN_IF_ERROR(sink(std::string_view(*bytes).substr(
        static_cast<size_t>(piece.from), static_cast<size_t>(piece.to - piece.from))));
    emitted += piece.to - piece.from;
    if (options_.on_progress) options_.on_progress(emitted);
  }
  return absl::OkStatus();
}

Result<FileInfo> Downloader::Download(std::string_view id_or_name, const Sink& sink) {
  ASSIGN_OR_RETURN(FileInfo info, api_->GetFile(id_or_name, /*with_chunks=*/true));
  if (info.state != "complete") {
    return absl::FailedPreconditionError(StrCat("file ", info.id, " is still being uploaded"));
  }
  common::Sha256 whole;
  RETURN_IF_ERROR(ReadRange(info, 0, info.size, [&](std::string_view bytes) {
    whole.Update(bytes);
    return sink(bytes);
  }));
  if (!info.sha256.empty()) {
    std::string digest = whole.HexDigest();
    if (digest != info.sha256) {
      return absl::DataLossError(
          StrCat("file ", info.id, " hashes to ", digest, ", not the recorded ", info.sha256));
    }
  }
  return info;
}

}  // namespace gale::client
