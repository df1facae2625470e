#include "coordinator/files/file_service.h"

#include <random>

#include "absl/container/flat_hash_map.h"
#include "common/ids.h"
#include "common/strings.h"
#include "coordinator/files/placement_policy.h"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

constexpr int kMaxReplicationFactor = 16;
constexpr int kMaxListLimit = 10000;
constexpr absl::Duration kAccessTimeResolution = absl::Hours(1);
// How often a waiting commit looks at the store again without a local wake-up.
constexpr absl::Duration kCommitPoll = absl::Milliseconds(100);

std::vector<std::string> ChunkIds(const std::vector<FileChunkRef>& refs) {
  std::vector<std::string> ids;
  ids.reserve(refs.size());
  for (const auto& ref : refs) ids.push_back(ref.chunk_id);
  return ids;
}

bool IsHexSha256(std::string_view s) { return common::ValidateChunkId(s).ok(); }

}  // namespace

FileService::FileService(MetadataStore* store, const NodeRegistry* registry,
                         ReplicaCatalog* replicas, common::Clock* clock, FileServiceOptions options)
    : store_(store), registry_(registry), replicas_(replicas), clock_(clock), options_(options) {}

Result<FileRecord> FileService::CreateFile(CreateFileArgs args) {
  if (args.object) {
    if (!args.name.empty()) {
      return absl::InvalidArgumentError("an object's file has no name of its own");
    }
    if (args.auto_commit) return absl::InvalidArgumentError("an object's file commits explicitly");
    args.overwrite = false;
  } else {
    RETURN_IF_ERROR(ValidateFileName(args.name));
  }
  if (args.size < -1) return absl::InvalidArgumentError("field 'size' must be >= 0");
  if (args.replication_factor == 0) args.replication_factor = options_.default_replication_factor;
  if (args.replication_factor < 1 || args.replication_factor > kMaxReplicationFactor) {
    return absl::InvalidArgumentError(
        StrCat("field 'replication_factor' must be in [1, ", kMaxReplicationFactor, "]"));
  }
  {
    // More copies than nodes that can hold one is a file that never reaches
    // its factor.
    const NodeSummary nodes = registry_->Summarize();
    int holders = 0;
    for (NodeState state : {NodeState::kActive, NodeState::kSuspect, NodeState::kMaintenance}) {
      auto it = nodes.by_state.find(state);
      if (it != nodes.by_state.end()) holders += it->second;
    }
    if (holders > 0 && args.replication_factor > holders) {
      return absl::InvalidArgumentError(
          StrCat("field 'replication_factor' (", args.replication_factor,
                 ") is above the number of nodes that can hold a copy (", holders, ")"));
    }
  }
  if (args.chunk_size < 1 || args.chunk_size > options_.max_chunk_bytes) {
    return absl::InvalidArgumentError(
        StrCat("field 'chunk_size' must be in [1, ", options_.max_chunk_bytes, "] bytes"));
  }
  if (args.size > 0 &&
      (args.size + args.chunk_size - 1) / args.chunk_size > options_.max_chunks_per_file) {
    return absl::InvalidArgumentError(StrCat("a file may have at most ",
                                             options_.max_chunks_per_file,
                                             " chunks; use a larger chunk_size"));
  }
  if (!args.file_id.empty()) RETURN_IF_ERROR(common::ValidateNodeId(args.file_id, "file_id"));
  if (!args.sha256.empty() && !IsHexSha256(args.sha256)) {
    return absl::InvalidArgumentError(
        "field 'file_hash' must be the file's SHA-256 (64 lowercase hex characters)");
  }
  if (!args.overwrite && !args.object) {
    auto existing = store_->GetFileByName(args.name);
    if (existing.ok()) {
      return absl::AlreadyExistsError(StrCat("a file named '", EscapeForMessage(args.name),
                                             "' already exists (", existing->id,
                                             "); upload with overwrite to replace it"));
    }
    if (!absl::IsNotFound(existing.status())) return existing.status();
  }
  FileRecord file;
  file.id = args.file_id.empty() ? common::NewUuid() : args.file_id;
  file.name = std::move(args.name);
  file.size = args.size;
  file.chunk_size = args.chunk_size;
  file.replication_factor = args.replication_factor;
  file.write_mode = args.write_mode.value_or(options_.default_write_mode);
  file.state = FileState::kPending;
  file.overwrite = args.overwrite;
  file.auto_commit = args.auto_commit;
  file.owner = std::move(args.owner);
  file.sha256 = std::move(args.sha256);
  file.created_at = file.last_accessed = clock_->Now();
  file.expires_at = file.created_at + options_.pending_upload_ttl;
  RETURN_IF_ERROR(store_->InsertFile(file));
  return file;
}

Result<std::vector<ChunkPlacement>> FileService::AllocateChunks(
    std::string_view file_id, std::vector<FileChunkRef> chunks,
    const std::set<std::string>& exclude, const std::set<std::string>& stored_on) {
  if (chunks.empty()) return std::vector<ChunkPlacement>{};
  if (static_cast<int>(chunks.size()) > options_.max_allocation_batch) {
    return absl::InvalidArgumentError(
        StrCat("allocate at most ", options_.max_allocation_batch, " chunks per call"));
  }
  ASSIGN_OR_RETURN(FileRecord file, store_->GetFile(file_id));
  if (file.state != FileState::kPending) {
    return absl::FailedPreconditionError(StrCat("file ", file_id, " is already committed"));
  }
  for (size_t i = 0; i < chunks.size(); ++i) {
    const FileChunkRef& c = chunks[i];
    RETURN_IF_ERROR(common::ValidateChunkId(c.chunk_id, StrCat("chunks[", i, "].chunk_id")));
    if (c.index < 0 || c.index >= options_.max_chunks_per_file) {
      return absl::InvalidArgumentError(StrCat("field 'chunks[", i, "].index' must be in [0, ",
                                               options_.max_chunks_per_file, ")"));
    }
    if (c.size < 0 || c.size > file.chunk_size) {
      return absl::InvalidArgumentError(StrCat("field 'chunks[", i, "].size' must be in [0, ",
                                               file.chunk_size, "] (the file's chunk size)"));
    }
  }
  RETURN_IF_ERROR(store_->AttachChunks(file_id, chunks, clock_->Now()));

  const std::vector<std::string> ids = ChunkIds(chunks);
  ASSIGN_OR_RETURN(auto live, replicas_->LiveReplicas(ids));
  ASSIGN_OR_RETURN(auto holders, replicas_->Holders(ids));
  std::vector<PlacementCandidate> candidates;
  for (const NodeRecord& node : registry_->Active(0, {})) {
    candidates.push_back(PlacementCandidate::FromNode(node));
  }
  // Seeds from a generator of this thread's own: a random_device per call
  // opened the kernel's source every time (0.6% of the commit path's CPU).
  thread_local std::mt19937_64 seeds(std::random_device{}());
  PlacementPolicy policy(std::move(candidates), options_.placement_reserve_bytes, seeds());
  const int required = RequiredReplicas(file.write_mode, file.replication_factor);

  std::vector<ChunkPlacement> out;
  for (const FileChunkRef& chunk : chunks) {
    ChunkPlacement placement;
    placement.index = chunk.index;
    placement.chunk_id = chunk.chunk_id;
    std::set<std::string> holding(stored_on);
    for (const auto& replica : live[chunk.chunk_id]) holding.insert(replica.node_id);
    const int have = static_cast<int>(holding.size());
    if (have >= required) {
      // Dedup: the replication manager tops it up to the factor if needed.
      placement.already_stored = true;
      out.push_back(std::move(placement));
      continue;
    }
    std::set<std::string> avoid = exclude;
    avoid.insert(holding.begin(), holding.end());
    for (const auto& holder : holders[chunk.chunk_id]) avoid.insert(holder);
    // The client writes what the write mode needs; the replication manager
    // brings the chunk up to its factor afterwards.
    auto targets = policy.Place(chunk.size, required - have, avoid);
    if (!targets.ok()) {
      return Status(
          targets.status().code(),
          StrCat("chunk ", chunk.index, " of ", file.name, " (", WriteModeName(file.write_mode),
                 ", factor ", file.replication_factor, "): ", targets.status().message()));
    }
    for (const auto& node : *targets) placement.targets.push_back({node.node_id, node.address});
    if (options_.grants != nullptr) {
      // Good for as long as the upload may take.
      placement.write_grant =
          options_.grants->Issue(chunk.chunk_id, clock_->Now() + options_.pending_upload_ttl);
    }
    out.push_back(std::move(placement));
  }
  return out;
}

Status FileService::CheckChunksAddUp(const FileRecord& file, const std::vector<FileChunkRef>& refs,
                                     int64_t size) {
  if (size < 0) return absl::InvalidArgumentError("field 'size' must be >= 0");
  if (file.size >= 0 && file.size != size) {
    return absl::InvalidArgumentError(
        StrCat("the file was created with size ", file.size, ", committed with ", size));
  }
  int64_t total = 0;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (refs[i].index != static_cast<int64_t>(i)) {
      return absl::InvalidArgumentError(StrCat("chunk ", i, " was never allocated"));
    }
    total += refs[i].size;
  }
  if (total != size) {
    return absl::InvalidArgumentError(
        StrCat("the allocated chunks hold ", total, " bytes, the commit says ", size));
  }
  return absl::OkStatus();
}

Result<std::optional<std::string>> FileService::FirstShortChunk(
    const FileRecord& file, const std::vector<FileChunkRef>& refs) {
  const int required = RequiredReplicas(file.write_mode, file.replication_factor);
  ASSIGN_OR_RETURN(auto live, replicas_->LiveReplicas(ChunkIds(refs)));
  for (const FileChunkRef& ref : refs) {
    const int have = static_cast<int>(live[ref.chunk_id].size());
    if (have < required) {
      return std::optional<std::string>(
          StrCat("chunk ", ref.index, " (", ref.chunk_id, ") has ", have, " of the ", required,
                 " replicas that ", WriteModeName(file.write_mode), " writes need before commit"));
    }
  }
  return std::optional<std::string>();
}

Result<FileRecord> FileService::CommitFile(std::string_view file_id, int64_t size,
                                           std::string sha256, std::optional<FileBinding> binding) {
  ASSIGN_OR_RETURN(FileRecord file, store_->GetFile(file_id));
  if (file.state != FileState::kPending) {
    return absl::FailedPreconditionError(StrCat("file ", file_id, " is already committed"));
  }
  if (file.name.empty() != binding.has_value()) {
    return absl::FailedPreconditionError(
        binding ? StrCat("file ", file_id, " is not an object's upload")
                : StrCat("file ", file_id, " is an object's upload; commit it with its object"));
  }
  if (!sha256.empty() && !IsHexSha256(sha256)) {
    return absl::InvalidArgumentError("field 'sha256' must be 64 lowercase hex characters");
  }
  ASSIGN_OR_RETURN(std::vector<FileChunkRef> refs, store_->GetFileChunks(file_id));
  RETURN_IF_ERROR(CheckChunksAddUp(file, refs, size));

  // Node reports may still be on their way: wait for them, woken by each
  // report this coordinator receives, and looking again every poll interval
  // for reports that reached another coordinator on the same database.
  const absl::Time deadline = absl::Now() + options_.commit_wait;
  uint64_t seen = replicas_->generation();
  while (true) {
    ASSIGN_OR_RETURN(std::optional<std::string> short_chunk, FirstShortChunk(file, refs));
    if (!short_chunk) break;
    if (absl::Now() >= deadline) {
      return absl::AbortedError(StrCat("cannot commit ", file.name.empty() ? file.id : file.name,
                                       " yet: ", *short_chunk,
                                       "; re-upload it or retry the commit"));
    }
    seen = replicas_->WaitForChange(seen, std::min(deadline, absl::Now() + kCommitPoll));
  }
  if (sha256.empty()) sha256 = file.sha256;
  std::string replaced;
  if (auto* object = binding ? std::get_if<ObjectRecord>(&*binding) : nullptr) {
    object->file_id = file.id;
    object->size = size;
    ASSIGN_OR_RETURN(replaced, store_->CommitObject(*object, sha256, clock_->Now()));
  } else if (auto* part = binding ? std::get_if<PartRecord>(&*binding) : nullptr) {
    part->file_id = file.id;
    part->size = size;
    ASSIGN_OR_RETURN(replaced, store_->CommitPart(*part, sha256, clock_->Now()));
  } else {
    ASSIGN_OR_RETURN(replaced, store_->CommitFile(file_id, size, sha256, clock_->Now()));
  }
  if (!replaced.empty()) spdlog::info("file {} replaced {} ({})", file_id, replaced, file.name);
  return store_->GetFile(file_id);
}

Result<FileRecord> FileService::ComposeFile(CreateFileArgs args, std::vector<FileChunkRef> chunks) {
  if (!args.object) {
    return absl::InvalidArgumentError("only nameless files (objects and parts) are composed");
  }
  if (static_cast<int64_t>(chunks.size()) > options_.max_chunks_per_file) {
    return absl::InvalidArgumentError(StrCat("a file may have at most ",
                                             options_.max_chunks_per_file,
                                             " chunks; these parts have ", chunks.size()));
  }
  args.chunk_size = 1;
  for (size_t i = 0; i < chunks.size(); ++i) {
    chunks[i].index = static_cast<int64_t>(i);
    args.chunk_size = std::max(args.chunk_size, chunks[i].size);
  }
  args.chunk_size = std::min(args.chunk_size, options_.max_chunk_bytes);
  ASSIGN_OR_RETURN(FileRecord file, CreateFile(std::move(args)));
  RETURN_IF_ERROR(store_->AttachChunks(file.id, chunks, clock_->Now()));
  file.chunk_count = static_cast<int64_t>(chunks.size());
  return file;
}

Result<bool> FileService::TryAutoCommit(std::string_view file_id) {
  ASSIGN_OR_RETURN(FileRecord file, store_->GetFile(file_id));
  if (file.state != FileState::kPending || !file.auto_commit) return false;
  ASSIGN_OR_RETURN(std::vector<FileChunkRef> refs, store_->GetFileChunks(file_id));
  int64_t size = 0;
  for (const auto& ref : refs) size += ref.size;
  if (!CheckChunksAddUp(file, refs, size).ok()) return false;
  ASSIGN_OR_RETURN(std::optional<std::string> short_chunk, FirstShortChunk(file, refs));
  if (short_chunk) return false;
  RETURN_IF_ERROR(store_->CommitFile(file_id, size, file.sha256, clock_->Now()).status());
  return true;
}

Result<std::vector<ChunkPlacement>> FileService::AllocateFirstChunks(
    std::string_view file_id, std::vector<FileChunkRef> chunks) {
  auto placements = AllocateChunks(file_id, std::move(chunks), {});
  if (!placements.ok()) {
    if (Status aborted = AbortFile(file_id); !aborted.ok()) {
      spdlog::warn("file {}, whose chunks could not be placed, stays until it expires: {}", file_id,
                   aborted.ToString());
    }
  }
  return placements;
}

Status FileService::AbortFile(std::string_view file_id) {
  ASSIGN_OR_RETURN(FileRecord file, store_->GetFile(file_id));
  if (file.state != FileState::kPending) {
    return absl::FailedPreconditionError(
        StrCat("file ", file_id, " is committed; delete it instead"));
  }
  return store_->DeleteFile(file_id, clock_->Now());
}

Result<FileRecord> FileService::Resolve(std::string_view id_or_name) {
  if (id_or_name.empty()) return absl::InvalidArgumentError("field 'file' is required");
  auto by_id = store_->GetFile(id_or_name);
  if (!absl::IsNotFound(by_id.status())) return by_id;
  auto by_name = store_->GetFileByName(id_or_name);
  if (absl::IsNotFound(by_name.status())) {
    return absl::NotFoundError(
        StrCat("no file with id or name '", EscapeForMessage(id_or_name), "'"));
  }
  return by_name;
}

Result<FileView> FileService::GetFile(std::string_view id_or_name, bool with_chunks) {
  FileView view;
  ASSIGN_OR_RETURN(view.file, Resolve(id_or_name));
  if (with_chunks) {
    ASSIGN_OR_RETURN(std::vector<FileChunkCopies> chunks, store_->GetFileChunkCopies(view.file.id));
    std::vector<std::vector<ChunkCopy>> copies;
    copies.reserve(chunks.size());
    for (FileChunkCopies& chunk : chunks) copies.push_back(std::move(chunk.copies));
    std::vector<std::vector<LiveReplica>> live = replicas_->LiveOf(std::move(copies));
    view.chunks.reserve(chunks.size());
    for (size_t i = 0; i < chunks.size(); ++i) {
      view.chunks.push_back({std::move(chunks[i].ref), std::move(live[i])});
    }
    // Asking for the chunks means reading: note it, at most hourly, so that
    // reads do not each cost a durable write.
    const absl::Time now = clock_->Now();
    if (now - view.file.last_accessed > kAccessTimeResolution) {
      RETURN_IF_ERROR(store_->TouchFile(view.file.id, now));
      view.file.last_accessed = now;
    }
  }
  return view;
}

Result<FilePage> FileService::ListFiles(std::string_view prefix, int limit, std::string_view cursor,
                                        std::string_view sort) {
  FileListQuery query;
  query.prefix = std::string(prefix);
  if (limit == 0) limit = 1000;
  if (limit < 1 || limit > kMaxListLimit) {
    return absl::InvalidArgumentError(StrCat("field 'limit' must be in [1, ", kMaxListLimit, "]"));
  }
  query.limit = limit;
  if (sort.empty() || sort == "name") {
    query.by_time = false;
  } else if (sort == "time") {
    query.by_time = true;
  } else {
    return absl::InvalidArgumentError("field 'sort' must be 'name' or 'time'");
  }
  // Cursors: "n:<name>" or "t:<unix_ms>:<id>", from the previous page.
  if (!cursor.empty()) {
    if (!query.by_time && cursor.starts_with("n:")) {
      query.after_name = std::string(cursor.substr(2));
    } else if (query.by_time && cursor.starts_with("t:")) {
      std::string_view rest = cursor.substr(2);
      size_t colon = rest.find(':');
      std::optional<int64_t> ms =
          colon == std::string_view::npos ? std::nullopt : ParseInt64(rest.substr(0, colon));
      if (!ms) return absl::InvalidArgumentError("field 'cursor' is malformed");
      query.after_time_ms = *ms;
      query.after_id = std::string(rest.substr(colon + 1));
    } else {
      return absl::InvalidArgumentError("field 'cursor' does not belong to this sort order");
    }
  }
  FilePage page;
  ASSIGN_OR_RETURN(page.files, store_->ListFiles(query));
  if (static_cast<int>(page.files.size()) == limit) {
    const FileRecord& last = page.files.back();
    page.next_cursor = query.by_time
                           ? StrCat("t:", absl::ToUnixMillis(last.committed_at), ":", last.id)
                           : StrCat("n:", last.name);
  }
  return page;
}

Status FileService::DeleteFile(std::string_view id_or_name) {
  ASSIGN_OR_RETURN(FileRecord file, Resolve(id_or_name));
  RETURN_IF_ERROR(store_->DeleteFile(file.id, clock_->Now()));
  spdlog::info("deleted file {} ({})", file.id, file.name);
  return absl::OkStatus();
}

Result<FileService::ChunkLocations> FileService::GetChunkLocations(std::string_view chunk_id,
                                                                   bool with_files) {
  RETURN_IF_ERROR(common::ValidateChunkId(chunk_id));
  ChunkLocations out;
  if (with_files) {
    ASSIGN_OR_RETURN(out.chunk, store_->GetChunk(chunk_id));
  } else {
    out.chunk.id = std::string(chunk_id);
    ASSIGN_OR_RETURN(out.chunk.size, store_->GetChunkSize(chunk_id));
  }
  ASSIGN_OR_RETURN(auto live, replicas_->LiveReplicas({std::string(chunk_id)}));
  out.replicas = std::move(live[std::string(chunk_id)]);
  return out;
}

}  // namespace gale::coordinator
