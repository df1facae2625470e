#include "node/data_api.h"

#include "common/ids.h"
#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::node {
namespace {

using common::SendError;
using common::SendJson;

constexpr std::string_view kChunkPrefix = "/v1/chunks/";

nlohmann::json ChunkJson(std::string_view id, int64_t size, bool stored) {
  return {{"chunk_id", id}, {"size", size}, {"stored", stored}};
}

// Maps CheckUpload's codes to the statuses HTTP has for them.
void SendUploadError(httplib::Response& res, const Status& status) {
  if (absl::IsFailedPrecondition(status)) {
    return SendJson(res, 411, {{"error", "length required"}, {"details", ToStd(status.message())}});
  }
  if (absl::IsOutOfRange(status)) {
    return SendJson(res, 413,
                    {{"error", "payload too large"}, {"details", ToStd(status.message())}});
  }
  SendError(res, status);
}

}  // namespace

void DataApi::Register(common::HttpServer* server) {
  server->PutStreaming("/v1/chunks/{id*}", [this](const auto& req, auto& res, const auto& reader) {
    Put(req, res, reader);
  });
  // cpp-httplib answers HEAD through the GET route, without the body.
  server->Get("/v1/chunks/{id*}", [this](const auto& req, auto& res) { Get(req, res); });
  server->Delete("/v1/chunks/{id*}", [this](const auto& req, auto& res) { Delete(req, res); });
  server->raw().set_expect_100_continue_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        return CheckExpectContinue(req, res);
      });
}

Status DataApi::Authorize(const httplib::Request& req, std::string_view id) const {
  if (access_.auth == nullptr) return absl::OkStatus();
  const std::string join_header(common::kJoinTokenHeader);
  if (req.has_header(join_header)) {
    return access_.auth->Check(common::Access::kNode, req.get_header_value(join_header));
  }
  if (req.method == "PUT" && access_.grants != nullptr && access_.grants->enabled()) {
    return access_.grants->Verify(req.get_header_value(std::string(common::kWriteGrantHeader)), id,
                                  access_.clock->Now());
  }
  return access_.auth->Check(common::Access::kNode, std::nullopt);
}

Result<int64_t> DataApi::CheckUpload(std::string_view id, const httplib::Request& req) const {
  RETURN_IF_ERROR(common::ValidateChunkId(id));
  if (!req.has_header("Content-Length")) {
    return absl::FailedPreconditionError("Content-Length is required");
  }
  std::optional<int64_t> size = ParseInt64(req.get_header_value("Content-Length"));
  if (!size || *size < 0) return absl::InvalidArgumentError("Content-Length is not a size");
  if (*size > store_->max_chunk_bytes()) {
    return absl::OutOfRangeError(StrCat("chunk of ", *size, " bytes is larger than the ",
                                        store_->max_chunk_bytes(), " bytes this node accepts"));
  }
  return *size;
}

int DataApi::CheckExpectContinue(const httplib::Request& req, httplib::Response& res) {
  std::string_view path = req.path;
  if (req.method != "PUT" || !path.starts_with(kChunkPrefix)) return 100;
  std::string_view id = path.substr(kChunkPrefix.size());
  auto size = CheckUpload(id, req);
  if (size.ok()) {
    if (Status allowed = Authorize(req, id); !allowed.ok()) size = allowed;
  }
  if (!size.ok()) {
    SendUploadError(res, size.status());
    return res.status;
  }
  auto existing = store_->Size(id);
  if (existing.ok() && *existing == *size) {
    // Already stored (and verified when it was written): skip the upload.
    SendJson(res, 200, ChunkJson(id, *size, false));
    return 200;
  }
  if (store_->Stats().available_bytes < ChunkFileSize(*size)) {
    SendError(res, absl::ResourceExhaustedError(
                       StrCat("no space for a chunk of ", *size, " bytes on this node")));
    return res.status;
  }
  return 100;
}

void DataApi::Put(const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader) {
  const std::string id = req.matches[1].str();
  auto size = CheckUpload(id, req);
  if (size.ok()) {
    if (Status allowed = Authorize(req, id); !allowed.ok()) size = allowed;
  }
  if (!size.ok()) return SendUploadError(res, size.status());
  auto writer = store_->BeginWrite(id, *size);
  if (!writer.ok()) return SendError(res, writer.status());

  Status append_status;
  bool complete = reader([&](const char* data, size_t length) {
    append_status = (*writer)->Append(std::string_view(data, length));
    traffic_->bytes_received.fetch_add(static_cast<int64_t>(length), std::memory_order_relaxed);
    return append_status.ok();
  });
  if (!append_status.ok()) return SendError(res, append_status);
  if (!complete) {
    // The client went away mid-body; the writer's destructor removes the
    // temp file, so nothing is left behind.
    return SendError(
        res, absl::CancelledError(StrCat("upload of ", id, " ended after ", (*writer)->received(),
                                         " of ", *size, " bytes")));
  }
  auto stored = (*writer)->Commit();
  if (!stored.ok()) return SendError(res, stored.status());
  if (before_ack_) before_ack_();
  SendJson(res, *stored ? 201 : 200, ChunkJson(id, *size, *stored));
}

void DataApi::Get(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1].str();
  Status valid = common::ValidateChunkId(id);
  if (!valid.ok()) return SendError(res, valid);
  auto size = store_->Size(id);
  if (!size.ok()) return SendError(res, size.status());
  res.set_header("ETag", StrCat("\"", id, "\""));
  res.set_header("Accept-Ranges", "bytes");
  // cpp-httplib does not reject ranges outside the chunk; do it here.
  for (const auto& [first, last] : req.ranges) {
    bool satisfiable = first >= 0 ? first < *size && (last < 0 || last >= first)
                                  : last > 0 && *size > 0;  // suffix "-N"
    if (!satisfiable) {
      res.set_header("Content-Range", StrCat("bytes */", *size));
      return SendJson(res, 416,
                      {{"error", "range not satisfiable"},
                       {"details", StrCat("chunk ", id, " has ", *size, " bytes")}});
    }
  }
  if (*size == 0) {
    res.set_content("", "application/octet-stream");
    return;
  }
  // The provider is called with the requested range (the whole chunk, or
  // what Range asks for). A verification failure ends the response early: no
  // unverified byte is sent, and the client sees a short body.
  res.set_content_provider(
      static_cast<size_t>(*size), "application/octet-stream",
      [this, id](size_t offset, size_t length, httplib::DataSink& sink) {
        Status status =
            store_->Read(id, static_cast<int64_t>(offset), static_cast<int64_t>(length),
                         [&](std::string_view piece) {
                           if (!sink.write(piece.data(), piece.size())) return false;
                           traffic_->bytes_sent.fetch_add(static_cast<int64_t>(piece.size()),
                                                          std::memory_order_relaxed);
                           return true;
                         });
        if (!status.ok() && !absl::IsCancelled(status)) {
          spdlog::warn("GET {} [{}, +{}) aborted: {}", id, offset, length, status.ToString());
        }
        return status.ok();
      });
}

void DataApi::Delete(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1].str();
  if (Status allowed = Authorize(req, id); !allowed.ok()) return SendError(res, allowed);
  auto deleted = store_->Delete(id);
  if (!deleted.ok()) return SendError(res, deleted.status());
  SendJson(res, 200, {{"chunk_id", id}, {"deleted", *deleted}});
}

}  // namespace gale::node
