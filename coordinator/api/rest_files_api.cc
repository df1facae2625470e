#include "coordinator/api/rest_files_api.h"

#include <memory>

#include "client/downloader.h"
#include "client/uploader.h"
#include "common/ids.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "common/units.h"
#include "coordinator/api/rest_requests.h"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

using common::SendError;
using common::SendJson;
using common::SendJsonText;
using nlohmann::json;

constexpr int kGatewayParallelism = 4;

json NodeIds(const std::vector<LiveReplica>& replicas) {
  json ids = json::array();
  for (const auto& r : replicas) ids.push_back(r.node_id);
  return ids;
}

// ZephyrFS's file_info, plus Gale's state, factor and mode. Written as text:
// a file info with its chunks is this API's most frequent answer.
void WriteFileInfo(const FileView& view, common::JsonWriter& out) {
  const FileRecord& f = view.file;
  out.BeginObject();
  out.StringField("file_id", f.id);
  out.StringField("file_name", f.name);
  out.IntField("file_size", f.size);
  out.StringField("file_hash", f.sha256);
  out.StringField("owner_node_id", f.owner);
  out.IntField("created_at", absl::ToUnixSeconds(f.created_at));
  out.IntField("last_accessed", absl::ToUnixSeconds(f.last_accessed));
  out.StringField("state", FileStateName(f.state));
  out.IntField("replication_factor", f.replication_factor);
  out.StringField("write_mode", WriteModeName(f.write_mode));
  out.IntField("chunk_size", f.chunk_size);
  out.IntField("chunk_count", f.chunk_count);
  if (!view.chunks.empty() || f.chunk_count == 0) {
    out.Key("chunks").BeginArray();
    for (const auto& chunk : view.chunks) {
      out.BeginObject();
      out.StringField("chunk_id", chunk.ref.chunk_id);
      out.StringField("hash", chunk.ref.chunk_id);
      out.IntField("size", chunk.ref.size);
      out.IntField("index", chunk.ref.index);
      out.Key("stored_at_nodes").BeginArray();
      for (const auto& replica : chunk.replicas) out.String(replica.node_id);
      out.EndArray();
      out.IntField("replication_count", static_cast<int64_t>(chunk.replicas.size()));
      out.EndObject();
    }
    out.EndArray();
  }
  out.EndObject();
}

// {"success": true, "message": ..., "file_info": ...}
std::string FileInfoBody(std::string_view message, const FileView& view) {
  common::JsonWriter out(512 + 256 * view.chunks.size());
  out.BeginObject().BoolField("success", true).StringField("message", message).Key("file_info");
  WriteFileInfo(view, out);
  return out.EndObject().Take();
}

// Query parameter `name` as an integer in [min, max]; `fallback` when absent.
Result<int64_t> IntParam(const httplib::Request& req, const char* name, int64_t fallback,
                         int64_t min, int64_t max) {
  if (!req.has_param(name)) return fallback;
  std::optional<int64_t> value = ParseInt64(req.get_param_value(name));
  if (!value || *value < min || *value > max) {
    return absl::InvalidArgumentError(
        StrCat("query parameter '", name, "' must be an integer in [", min, ", ", max, "]"));
  }
  return *value;
}

Result<bool> BoolParam(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return false;
  std::string value = AsciiLower(req.get_param_value(name));
  if (value == "true" || value == "1" || value.empty()) return true;
  if (value == "false" || value == "0") return false;
  return absl::InvalidArgumentError(StrCat("query parameter '", name, "' must be true or false"));
}

}  // namespace

void FilesRestApi::Register(common::HttpServer* server) {
  using std::placeholders::_1;
  using std::placeholders::_2;
  server->Post("/api/v1/files/register", std::bind(&FilesRestApi::RegisterFile, this, _1, _2));
  server->PostStreaming(
      "/api/v1/files/upload",
      [this](const auto& req, auto& res, const auto& reader) { Upload(req, res, reader); });
  server->Get("/api/v1/files", std::bind(&FilesRestApi::ListFiles, this, _1, _2));
  server->Get("/api/v1/files/{id}/content", std::bind(&FilesRestApi::Download, this, _1, _2));
  server->Get("/api/v1/files/{id}", std::bind(&FilesRestApi::GetFile, this, _1, _2));
  server->Delete("/api/v1/files/{id}", std::bind(&FilesRestApi::DeleteFile, this, _1, _2));
  server->Get("/api/v1/chunks/{id}/locations",
              std::bind(&FilesRestApi::GetChunkLocations, this, _1, _2));
  server->Put("/api/v1/chunks/{id}/locations",
              std::bind(&FilesRestApi::UpdateChunkLocations, this, _1, _2));
  server->Get("/api/v1/chunks/{id}", std::bind(&FilesRestApi::GetChunk, this, _1, _2));
}

void FilesRestApi::RegisterFile(const httplib::Request& req, httplib::Response& res) {
  auto run = [&]() -> Result<json> {
    ASSIGN_OR_RETURN(FileRegistration registration, DecodeFileRegistration(req.body));
    std::vector<FileChunkRef>& chunks = registration.chunks;
    ASSIGN_OR_RETURN(FileRecord file, ctx_.files->CreateFile(std::move(registration.args)));
    std::vector<ChunkPlacement> placements;
    for (size_t start = 0; start < chunks.size(); start += 1000) {
      std::vector<FileChunkRef> batch(
          chunks.begin() + static_cast<long>(start),
          chunks.begin() + static_cast<long>(std::min(chunks.size(), start + 1000)));
      auto allocated = ctx_.files->AllocateChunks(file.id, std::move(batch), {});
      if (!allocated.ok()) {
        (void)ctx_.files->AbortFile(file.id);
        return allocated.status();
      }
      placements.insert(placements.end(), allocated->begin(), allocated->end());
    }
    json out = json::array();
    for (const auto& p : placements) {
      json nodes = json::array(), addresses = json::array();
      for (const auto& t : p.targets) {
        nodes.push_back(t.node_id);
        addresses.push_back(t.address);
      }
      out.push_back({{"chunk_id", p.chunk_id},
                     {"index", p.index},
                     {"target_nodes", nodes},
                     {"target_addresses", addresses},
                     {"already_stored", p.already_stored},
                     {"replication_factor", file.replication_factor},
                     {"write_grant", p.write_grant}});
    }
    (void)ctx_.files->TryAutoCommit(file.id);  // everything may be stored already
    return json{{"success", true},
                {"message", "file registered; it becomes visible once its chunks are stored"},
                {"file_id", file.id},
                {"chunk_placements", out}};
  };
  auto result = run();
  if (!result.ok()) return SendError(res, result.status());
  SendJson(res, 201, *result);
}

void FilesRestApi::ListFiles(const httplib::Request& req, httplib::Response& res) {
  auto limit = IntParam(req, "limit", 1000, 1, 10000);
  if (!limit.ok()) return SendError(res, limit.status());
  auto page = ctx_.files->ListFiles(req.get_param_value("prefix"), static_cast<int>(*limit),
                                    req.get_param_value("cursor"), req.get_param_value("sort"));
  if (!page.ok()) return SendError(res, page.status());
  common::JsonWriter out(256 + 512 * page->files.size());
  out.BeginObject().BoolField("success", true).Key("files").BeginArray();
  for (const auto& f : page->files) WriteFileInfo(FileView{f, {}}, out);
  out.EndArray().IntField("count", static_cast<int64_t>(page->files.size()));
  if (!page->next_cursor.empty()) out.StringField("next_cursor", page->next_cursor);
  SendJsonText(res, 200, out.EndObject().Take());
}

void FilesRestApi::GetFile(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1].str();
  (void)ctx_.files->TryAutoCommit(id);  // a ZephyrFS upload may be complete by now
  auto view = ctx_.files->GetFile(id, /*with_chunks=*/true);
  if (!view.ok()) return SendError(res, view.status());
  SendJsonText(res, 200, FileInfoBody("file info retrieved", *view));
}

void FilesRestApi::DeleteFile(const httplib::Request& req, httplib::Response& res) {
  Status status = ctx_.files->DeleteFile(req.matches[1].str());
  if (!status.ok()) return SendError(res, status);
  SendJson(res, 200, {{"success", true}, {"message", "file deleted"}});
}

void FilesRestApi::Upload(const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) {
  client::CreateFileArgs args;
  args.name = req.get_param_value("name");
  if (args.name.empty()) {
    return SendError(res, absl::InvalidArgumentError("query parameter 'name' is required"));
  }
  auto replicas = IntParam(req, "replicas", 0, 1, 16);
  auto overwrite = BoolParam(req, "overwrite");
  auto chunk_size = req.has_param("chunk_size")
                        ? common::ParseByteSize(req.get_param_value("chunk_size"))
                        : Result<int64_t>(int64_t{4} << 20);
  for (const Status& s : {replicas.status(), overwrite.status(), chunk_size.status()}) {
    if (!s.ok()) return SendError(res, s);
  }
  args.replication_factor = static_cast<int>(*replicas);
  args.write_mode = req.get_param_value("mode");
  args.overwrite = *overwrite;
  args.chunk_size = *chunk_size;
  if (req.has_header("Content-Length")) {
    args.size = ParseInt64(req.get_header_value("Content-Length")).value_or(-1);
  }
  client::UploadOptions options;
  options.parallelism = kGatewayParallelism;
  client::Uploader uploader(files_api_, transport_, options);
  Status status = uploader.Begin(args);
  if (!status.ok()) return SendError(res, status);
  // The body streams through in bounded memory: a few chunks at a time.
  bool complete = reader([&](const char* data, size_t length) {
    status = uploader.Write(std::string_view(data, length));
    return status.ok();
  });
  if (status.ok() && !complete) status = absl::CancelledError("the upload's body ended early");
  if (!status.ok()) {
    uploader.Abort();
    return SendError(res, status);
  }
  auto info = uploader.Finish();
  if (!info.ok()) return SendError(res, info.status());
  auto view = ctx_.files->GetFile(info->id, /*with_chunks=*/true);
  if (!view.ok()) return SendError(res, view.status());
  SendJsonText(res, 201, FileInfoBody("file stored", *view));
}

void FilesRestApi::Download(const httplib::Request& req, httplib::Response& res) {
  auto info = files_api_->GetFile(req.matches[1].str(), /*with_chunks=*/true);
  if (!info.ok()) return SendError(res, info.status());
  if (info->state != "complete") {
    return SendError(
        res, absl::FailedPreconditionError(StrCat("file ", info->id, " is still being uploaded")));
  }
  const int64_t size = info->size;
  if (!info->sha256.empty()) res.set_header("ETag", StrCat("\"", info->sha256, "\""));
  res.set_header("Accept-Ranges", "bytes");
  std::string filename;
  for (char c : info->name.substr(info->name.rfind('/') + 1)) {
    filename.push_back(c == '"' || c == '\\' ? '_' : c);
  }
  res.set_header("Content-Disposition", StrCat("attachment; filename=\"", filename, "\""));
  for (const auto& [first, last] : req.ranges) {
    bool satisfiable =
        first >= 0 ? first < size && (last < 0 || last >= first) : last > 0 && size > 0;
    if (!satisfiable) {
      res.set_header("Content-Range", StrCat("bytes */", size));
      return SendJson(res, 416,
                      {{"error", "range not satisfiable"},
                       {"details", StrCat("the file has ", size, " bytes")}});
    }
  }
  if (size == 0) return res.set_content("", "application/octet-stream");
  auto downloader = std::make_shared<client::Downloader>(
      files_api_, transport_, client::DownloadOptions{kGatewayParallelism, nullptr});
  auto file = std::make_shared<client::FileInfo>(*std::move(info));
  // cpp-httplib asks for the requested range; each chunk is verified before
  // its bytes go out, and a failure ends the response early.
  res.set_content_provider(
      static_cast<size_t>(size), "application/octet-stream",
      [downloader, file](size_t offset, size_t length, httplib::DataSink& sink) {
        Status status =
            downloader->ReadRange(*file, static_cast<int64_t>(offset), static_cast<int64_t>(length),
                                  [&](std::string_view bytes) {
                                    return sink.write(bytes.data(), bytes.size())
                                               ? absl::OkStatus()
                                               : absl::CancelledError("the client went away");
                                  });
        if (!status.ok() && !absl::IsCancelled(status)) {
          spdlog::error("download of {} stopped: {}", file->id, status.ToString());
        }
        return status.ok();
      });
}

void FilesRestApi::GetChunk(const httplib::Request& req, httplib::Response& res) {
  auto locations = ctx_.files->GetChunkLocations(req.matches[1].str(), /*with_files=*/true);
  if (!locations.ok()) return SendError(res, locations.status());
  const ChunkRecord& chunk = locations->chunk;
  SendJson(res, 200,
           {{"success", true},
            {"chunk_info",
             {{"chunk_id", chunk.id},
              {"hash", chunk.id},
              {"size", chunk.size},
              {"file_id", chunk.file_ids.empty() ? "" : chunk.file_ids.front()},
              {"file_ids", chunk.file_ids},
              {"reference_count", chunk.refcount},
              {"stored_at_nodes", NodeIds(locations->replicas)},
              {"created_at", absl::ToUnixSeconds(chunk.created_at)}}}});
}

void FilesRestApi::GetChunkLocations(const httplib::Request& req, httplib::Response& res) {
  auto preferred = IntParam(req, "preferred_count", 0, 0, 1000);
  if (!preferred.ok()) return SendError(res, preferred.status());
  auto locations = ctx_.files->GetChunkLocations(req.matches[1].str(), /*with_files=*/false);
  if (!locations.ok()) return SendError(res, locations.status());
  json ids = json::array(), addresses = json::array();
  for (const auto& r : locations->replicas) {
    if (*preferred > 0 && static_cast<int64_t>(ids.size()) >= *preferred) break;
    ids.push_back(r.node_id);
    addresses.push_back(r.address);
  }
  SendJson(res, 200,
           {{"success", true},
            {"message", "live replicas, best first"},
            {"node_ids", ids},
            {"node_addresses", addresses}});
}

void FilesRestApi::UpdateChunkLocations(const httplib::Request& req, httplib::Response& res) {
  const std::string chunk_id = req.matches[1].str();
  auto update = DecodeChunkLocationsUpdate(req.body);
  if (!update.ok()) return SendError(res, update.status());
  const std::vector<std::string>& node_ids = update->node_ids;
  Status valid = common::ValidateChunkId(chunk_id);
  if (!valid.ok()) return SendError(res, valid);
  for (const auto& node_id : node_ids) {
    Status known = ctx_.registry->Get(node_id).status();
    if (!known.ok()) return SendError(res, known);
  }
  if (!update->add) {
    // A client says these copies are gone or bad: stop counting on them.
    for (const auto& node_id : node_ids) {
      Status status = ctx_.replicas->ReportBad(chunk_id, node_id, "removed through REST");
      if (!status.ok()) return SendError(res, status);
    }
    return SendJson(res, 200, {{"success", true}, {"message", "replicas no longer counted"}});
  }
  // Nodes' own reports are the truth; an "add" only reports which of the
  // named nodes have confirmed the chunk, and commits what that completes.
  auto locations = ctx_.files->GetChunkLocations(chunk_id, /*with_files=*/false);
  if (!locations.ok()) return SendError(res, locations.status());
  json confirmed = json::array(), unconfirmed = json::array();
  for (const auto& node_id : node_ids) {
    bool has = std::any_of(locations->replicas.begin(), locations->replicas.end(),
                           [&](const LiveReplica& r) { return r.node_id == node_id; });
    (has ? confirmed : unconfirmed).push_back(node_id);
  }
  AutoCommitFilesOf(chunk_id);
  SendJson(res, 200,
           {{"success", true},
            {"message", unconfirmed.empty()
                            ? "locations confirmed by the nodes"
                            : "recorded locations come from node reports; some nodes have not "
                              "reported this chunk (yet)"},
            {"confirmed_node_ids", confirmed},
            {"unconfirmed_node_ids", unconfirmed}});
}

void FilesRestApi::AutoCommitFilesOf(const std::string& chunk_id) {
  auto locations = ctx_.files->GetChunkLocations(chunk_id, /*with_files=*/true);
  if (!locations.ok()) return;
  for (const auto& file_id : locations->chunk.file_ids) (void)ctx_.files->TryAutoCommit(file_id);
}

}  // namespace gale::coordinator
