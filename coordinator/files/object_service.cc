#include "coordinator/files/object_service.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_format.h"
#include "common/ids.h"
#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

constexpr size_t kMaxKeyBytes = 1024;
constexpr int kMaxKeysPerPage = 1000;
constexpr int kMaxPartNumber = 10000;

Status ValidatePartNumber(int part_number) {
  if (part_number < 1 || part_number > kMaxPartNumber) {
    return absl::InvalidArgumentError(
        StrCat("part number must be in [1, ", kMaxPartNumber, "], not ", part_number));
  }
  return absl::OkStatus();
}

bool IsBucketCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool IsLetterOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Four dot-separated decimal numbers, as an IPv4 address is written.
bool LooksLikeIpAddress(std::string_view name) {
  int parts = 0;
  size_t i = 0;
  while (i <= name.size()) {
    size_t dot = name.find('.', i);
    if (dot == std::string_view::npos) dot = name.size();
    std::string_view part = name.substr(i, dot - i);
    if (part.empty() || part.size() > 3 ||
        !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    ++parts;
    i = dot + 1;
  }
  return parts == 4;
}

}  // namespace

Status ValidateBucketName(std::string_view name) {
  auto invalid = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        StrCat("bucket name '", EscapeForMessage(name), "' is invalid: ", why));
  };
  if (name.size() < 3 || name.size() > 63) return invalid("it must be 3 to 63 characters long");
  if (!std::all_of(name.begin(), name.end(), IsBucketCharacter)) {
    return invalid("only lowercase letters, digits, '.' and '-' are allowed");
  }
  if (!IsLetterOrDigit(name.front()) || !IsLetterOrDigit(name.back())) {
    return invalid("it must begin and end with a letter or digit");
  }
  if (name.find("..") != std::string_view::npos || name.find(".-") != std::string_view::npos ||
      name.find("-.") != std::string_view::npos) {
    return invalid("a '.' must stand between letters or digits");
  }
  if (LooksLikeIpAddress(name)) return invalid("it must not be formatted as an IP address");
  return absl::OkStatus();
}

Status ValidateObjectKey(std::string_view key) {
  if (key.empty()) return absl::InvalidArgumentError("an object key must not be empty");
  if (key.size() > kMaxKeyBytes) {
    return absl::InvalidArgumentError(
        StrCat("an object key is at most ", kMaxKeyBytes, " bytes; this one is ", key.size()));
  }
  if (!IsValidUtf8(key) || key.find('\0') != std::string_view::npos) {
    return absl::InvalidArgumentError("an object key must be UTF-8 text without NUL");
  }
  return absl::OkStatus();
}

Status ObjectService::CreateBucket(std::string_view name, std::string_view owner) {
  RETURN_IF_ERROR(ValidateBucketName(name));
  return store_->InsertBucket({std::string(name), std::string(owner), clock_->Now()});
}

Result<BucketRecord> ObjectService::GetBucket(std::string_view name) {
  RETURN_IF_ERROR(ValidateBucketName(name));
  return store_->GetBucket(name);
}

Result<std::vector<BucketRecord>> ObjectService::ListBuckets() { return store_->ListBuckets(); }

Status ObjectService::DeleteBucket(std::string_view name) {
  RETURN_IF_ERROR(ValidateBucketName(name));
  return store_->DeleteBucket(name, clock_->Now());
}

Result<FileRecord> ObjectService::BeginObject(std::string_view bucket, std::string_view key,
                                              CreateFileArgs args) {
  RETURN_IF_ERROR(ValidateObjectKey(key));
  RETURN_IF_ERROR(GetBucket(bucket).status());
  args.object = true;
  return files_->CreateFile(std::move(args));
}

Result<FileRecord> ObjectService::CommitObject(std::string_view file_id, int64_t size,
                                               std::string sha256, ObjectRecord object) {
  RETURN_IF_ERROR(ValidateBucketName(object.bucket));
  RETURN_IF_ERROR(ValidateObjectKey(object.key));
  return files_->CommitFile(file_id, size, std::move(sha256), std::move(object));
}

Result<ObjectRecord> ObjectService::GetObject(std::string_view bucket, std::string_view key) {
  RETURN_IF_ERROR(ValidateObjectKey(key));
  auto object = store_->GetObject(bucket, key);
  // A missing bucket reads as one, not as a missing key.
  if (absl::IsNotFound(object.status())) RETURN_IF_ERROR(GetBucket(bucket).status());
  return object;
}

Result<ObjectListing> ObjectService::ListObjects(const ObjectListRequest& request) {
  RETURN_IF_ERROR(GetBucket(request.bucket).status());
  if (request.max_keys < 0 || request.max_keys > kMaxKeysPerPage) {
    return absl::InvalidArgumentError(
        StrCat("max-keys must be in [0, ", kMaxKeysPerPage, "], not ", request.max_keys));
  }
  for (std::string_view text : {request.prefix, request.delimiter, request.start_after}) {
    if (!IsValidUtf8(text) || text.find('\0') != std::string_view::npos) {
      return absl::InvalidArgumentError("prefix, delimiter and markers must be UTF-8 without NUL");
    }
  }
  const std::string& prefix = request.prefix;
  const std::string& delimiter = request.delimiter;
  // The common prefix `key` rolls up into, or "" when it stands for itself.
  auto rollup = [&](const std::string& key) -> std::string {
    if (delimiter.empty() || !key.starts_with(prefix)) return "";
    const size_t at = key.find(delimiter, prefix.size());
    return at == std::string::npos ? "" : key.substr(0, at + delimiter.size());
  };

  ObjectListing listing;
  listing.objects.reserve(request.max_keys);
  // Keys from `start` on (inclusive). Keys hold no NUL, so the key right
  // after `start_after` begins with it and a \x01; a common prefix given as
  // the marker skips every key under it.
  std::optional<std::string> start = prefix;
  if (!request.start_after.empty()) {
    const std::string& after = request.start_after;
    std::optional<std::string> next =
        rollup(after) == after ? Utf8PrefixEnd(after) : std::optional(after + '\x01');
    if (!next) return listing;
    start = std::max(*start, *next);
  }
  int count = 0;
  while (start) {
    // One more than fits, to tell whether the page is the last.
    ASSIGN_OR_RETURN(std::vector<ObjectRecord> page,
                     store_->ListObjects({request.bucket, prefix, *start,
                                          request.max_keys - count + 1, request.summaries}));
    const bool more_in_store = static_cast<int>(page.size()) > request.max_keys - count;
    bool restarted = false;
    for (ObjectRecord& object : page) {
      if (count == request.max_keys) {
        listing.truncated = true;
        return listing;
      }
      std::string common = rollup(object.key);
      ++count;
      if (common.empty()) {
        listing.last = object.key;
        listing.objects.push_back(std::move(object));
        continue;
      }
      // The rest under this prefix is skipped: the store starts again after it.
      listing.last = common;
      listing.common_prefixes.push_back(std::move(common));
      start = Utf8PrefixEnd(listing.last);
      restarted = true;
      break;
    }
    if (!restarted && !more_in_store) break;
  }
  return listing;
}

Status ObjectService::DeleteObject(std::string_view bucket, std::string_view key) {
  RETURN_IF_ERROR(ValidateObjectKey(key));
  RETURN_IF_ERROR(GetBucket(bucket).status());
  return store_->DeleteObject(bucket, key, clock_->Now());
}

Status ObjectService::SetObjectTags(std::string_view bucket, std::string_view key,
                                    const std::map<std::string, std::string>& tags) {
  RETURN_IF_ERROR(GetObject(bucket, key).status());
  return store_->SetObjectTags(bucket, key, tags);
}

Result<FileRecord> ObjectService::CommitComposed(const FileRecord& like,
                                                 std::vector<FileChunkRef> chunks, int64_t size,
                                                 std::string sha256, FileBinding binding) {
  CreateFileArgs args;
  args.object = true;
  args.replication_factor = like.replication_factor;
  args.write_mode = like.write_mode;
  args.owner = like.owner;
  ASSIGN_OR_RETURN(FileRecord file, files_->ComposeFile(std::move(args), std::move(chunks)));
  auto committed = files_->CommitFile(file.id, size, std::move(sha256), std::move(binding));
  if (!committed.ok()) {
    Status dropped = files_->AbortFile(file.id);
    if (!dropped.ok())
      spdlog::warn("could not drop composed file {}: {}", file.id, dropped.ToString());
  }
  return committed;
}

Result<ObjectRecord> ObjectService::CopyObject(std::string_view source_bucket,
                                               std::string_view source_key,
                                               std::string_view source_file_id,
                                               ObjectRecord target) {
  RETURN_IF_ERROR(ValidateObjectKey(target.key));
  ASSIGN_OR_RETURN(ObjectRecord source, GetObject(source_bucket, source_key));
  if (!source_file_id.empty() && source.file_id != source_file_id) {
    return absl::FailedPreconditionError(StrCat("object '", EscapeForMessage(source_key),
                                                "' in bucket '", source_bucket,
                                                "' was replaced while it was being copied"));
  }
  RETURN_IF_ERROR(GetBucket(target.bucket).status());
  ASSIGN_OR_RETURN(FileRecord file, store_->GetFile(source.file_id));
  ASSIGN_OR_RETURN(std::vector<FileChunkRef> chunks, store_->GetFileChunks(source.file_id));
  RETURN_IF_ERROR(
      CommitComposed(file, std::move(chunks), source.size, file.sha256, FileBinding(target))
          .status());
  return store_->GetObject(target.bucket, target.key);
}

Result<MultipartUploadRecord> ObjectService::CreateMultipartUpload(MultipartUploadRecord upload) {
  RETURN_IF_ERROR(ValidateBucketName(upload.bucket));
  RETURN_IF_ERROR(ValidateObjectKey(upload.key));
  upload.created_at = clock_->Now();
  upload.expires_at = upload.created_at + options_.multipart_upload_ttl;
  // Ids sort in initiation order: the time first, then randomness.
  upload.id = absl::StrFormat("%012x-%s", absl::ToUnixMillis(upload.created_at), common::NewUuid());
  RETURN_IF_ERROR(store_->InsertMultipartUpload(upload));
  return upload;
}

Result<MultipartUploadRecord> ObjectService::GetMultipartUpload(std::string_view upload_id) {
  return store_->GetMultipartUpload(upload_id);
}

Result<std::vector<MultipartUploadRecord>> ObjectService::ListMultipartUploads(
    const MultipartUploadQuery& query) {
  RETURN_IF_ERROR(GetBucket(query.bucket).status());
  if (query.limit < 1 || query.limit > kMaxKeysPerPage) {
    return absl::InvalidArgumentError(
        StrCat("max-uploads must be in [1, ", kMaxKeysPerPage, "], not ", query.limit));
  }
  return store_->ListMultipartUploads(query);
}

Result<FileRecord> ObjectService::BeginPart(std::string_view upload_id, int part_number,
                                            CreateFileArgs args) {
  RETURN_IF_ERROR(ValidatePartNumber(part_number));
  RETURN_IF_ERROR(store_->GetMultipartUpload(upload_id).status());
  args.object = true;
  return files_->CreateFile(std::move(args));
}

Result<FileRecord> ObjectService::CommitPart(std::string_view file_id, int64_t size,
                                             std::string sha256, PartRecord part) {
  RETURN_IF_ERROR(ValidatePartNumber(part.part_number));
  return files_->CommitFile(file_id, size, std::move(sha256), std::move(part));
}

Result<std::vector<PartRecord>> ObjectService::ListParts(std::string_view upload_id) {
  return store_->ListParts(upload_id);
}

Status ObjectService::AbortMultipartUpload(std::string_view upload_id) {
  return store_->DeleteMultipartUpload(upload_id, clock_->Now());
}

Result<ObjectRecord> ObjectService::CompleteMultipartUpload(std::string_view upload_id,
                                                            const std::vector<PartRecord>& parts,
                                                            std::string etag) {
  ASSIGN_OR_RETURN(MultipartUploadRecord upload, store_->GetMultipartUpload(upload_id));
  if (parts.empty()) {
    return absl::InvalidArgumentError("a multipart upload completes with at least one part");
  }
  ASSIGN_OR_RETURN(std::vector<PartRecord> stored, store_->ListParts(upload_id));
  std::map<int, const PartRecord*> by_number;
  for (const PartRecord& part : stored) by_number[part.part_number] = &part;
  std::vector<FileChunkRef> chunks;
  int64_t size = 0;
  int previous = 0;
  for (const PartRecord& part : parts) {
    if (part.part_number <= previous) {
      return absl::InvalidArgumentError(
          StrCat("part numbers must ascend: ", part.part_number, " follows ", previous));
    }
    previous = part.part_number;
    auto it = by_number.find(part.part_number);
    if (it == by_number.end() || it->second->file_id != part.file_id) {
      return absl::FailedPreconditionError(
          StrCat("part ", part.part_number, " of upload ", upload_id,
                 it == by_number.end() ? " was never uploaded" : " was replaced since listed"));
    }
    ASSIGN_OR_RETURN(std::vector<FileChunkRef> part_chunks, store_->GetFileChunks(part.file_id));
    chunks.insert(chunks.end(), part_chunks.begin(), part_chunks.end());
    size += it->second->size;
  }
  ASSIGN_OR_RETURN(FileRecord first, store_->GetFile(parts.front().file_id));
  ObjectRecord object;
  object.bucket = upload.bucket;
  object.key = upload.key;
  object.etag = std::move(etag);
  object.content_type = upload.content_type;
  object.metadata = upload.metadata;
  object.tags = upload.tags;
  RETURN_IF_ERROR(CommitComposed(first, std::move(chunks), size, "", FileBinding(object)).status());
  // The parts' files go; their chunks stay referenced by the object's.
  Status dropped = store_->DeleteMultipartUpload(upload_id, clock_->Now());
  if (!dropped.ok() && !absl::IsNotFound(dropped)) {
    spdlog::warn("upload {} completed but not dropped (it expires later): {}", upload_id,
                 dropped.ToString());
  }
  return store_->GetObject(upload.bucket, upload.key);
}

Result<int> ObjectService::ExpireMultipartUploads(int limit) {
  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(std::vector<MultipartUploadRecord> expired,
                   store_->ExpiredMultipartUploads(now, limit));
  int dropped = 0;
  for (const MultipartUploadRecord& upload : expired) {
    Status status = store_->DeleteMultipartUpload(upload.id, now);
    if (absl::IsNotFound(status)) continue;  // completed or aborted meanwhile
    RETURN_IF_ERROR(status);
    spdlog::info("multipart upload {} of '{}' in bucket '{}' expired", upload.id,
                 EscapeForMessage(upload.key), upload.bucket);
    ++dropped;
  }
  return dropped;
}

}  // namespace gale::coordinator
