#include "s3/gateway/memory_backend.h"

#include <algorithm>
#include <functional>
#include <tuple>
#include <utility>

#include "absl/strings/str_format.h"
#include "common/strings.h"
#include "s3/gateway/names.h"

namespace gale::s3 {
namespace {

Status NoBucket(const std::string& name) {
  return absl::NotFoundError(StrCat("no bucket named '", name, "'"));
}

Status NoObject(const std::string& bucket, const std::string& key) {
  return absl::NotFoundError(StrCat("no object '", key, "' in bucket '", bucket, "'"));
}

}  // namespace

// Holds the bytes until Commit hands them to `commit` in one step, so that
// a reader never sees a partial object.
class MemoryBackend::Writer final : public ObjectWriter {
 public:
  using CommitFn = std::function<Result<client::ObjectInfo>(
      std::string data, const client::ObjectAttributes& attributes)>;

  explicit Writer(CommitFn commit) : commit_(std::move(commit)) {}

  Status Write(std::string_view data) override {
    if (done_) return absl::FailedPreconditionError("the writer is already committed or aborted");
    data_.append(data);
    return absl::OkStatus();
  }

  Result<client::ObjectInfo> Commit(const client::ObjectAttributes& attributes) override {
    if (done_) return absl::FailedPreconditionError("the writer is already committed or aborted");
    done_ = true;
    return commit_(std::move(data_), attributes);
  }

  void Abort() override {
    done_ = true;
    data_.clear();
  }

 private:
  const CommitFn commit_;
  std::string data_;
  bool done_ = false;
};

MemoryBackend::MemoryBackend(common::Clock* clock) : clock_(clock) {}
MemoryBackend::~MemoryBackend() = default;

Result<MemoryBackend::Bucket*> MemoryBackend::FindBucket(const std::string& name) {
  auto it = buckets_.find(name);
  if (it == buckets_.end()) return NoBucket(name);
  return &it->second;
}

Status MemoryBackend::CreateBucket(const std::string& name, const std::string& owner) {
  RETURN_IF_ERROR(ValidateBucketName(name));
  absl::MutexLock lock(&mu_);
  if (buckets_.contains(name)) {
    return absl::AlreadyExistsError(StrCat("bucket '", name, "' already exists"));
  }
  Bucket bucket;
  bucket.info = {name, owner, absl::ToUnixMillis(clock_->Now())};
  buckets_.emplace(name, std::move(bucket));
  return absl::OkStatus();
}

Result<client::BucketInfo> MemoryBackend::GetBucket(const std::string& name) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Bucket * bucket, FindBucket(name));
  return bucket->info;
}

Result<std::vector<client::BucketInfo>> MemoryBackend::ListBuckets() {
  absl::MutexLock lock(&mu_);
  std::vector<client::BucketInfo> out;
  for (const auto& [name, bucket] : buckets_) out.push_back(bucket.info);
  return out;
}

Status MemoryBackend::DeleteBucket(const std::string& name) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Bucket * bucket, FindBucket(name));
  if (!bucket->objects.empty()) {
    return absl::FailedPreconditionError(StrCat("bucket '", name, "' is not empty"));
  }
  buckets_.erase(name);
  std::erase_if(uploads_, [&](const auto& entry) { return entry.second.info.bucket == name; });
  return absl::OkStatus();
}

Result<std::unique_ptr<ObjectWriter>> MemoryBackend::PutObject(const std::string& bucket,
                                                               const std::string& key) {
  RETURN_IF_ERROR(ValidateObjectKey(key));
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(FindBucket(bucket).status());
  }
  return std::make_unique<Writer>(
      [this, bucket, key](std::string data, const client::ObjectAttributes& attributes) {
        return Store(bucket, key, std::make_shared<const std::string>(std::move(data)), attributes);
      });
}

Result<client::ObjectInfo> MemoryBackend::Store(const std::string& bucket, const std::string& key,
                                                std::shared_ptr<const std::string> data,
                                                const client::ObjectAttributes& attributes) {
  absl::MutexLock lock(&mu_);
  return StoreLocked(bucket, key, std::move(data), attributes);
}

Result<client::ObjectInfo> MemoryBackend::StoreLocked(const std::string& bucket,
                                                      const std::string& key,
                                                      std::shared_ptr<const std::string> data,
                                                      const client::ObjectAttributes& attributes) {
  // The bucket may have gone while the bytes streamed in.
  ASSIGN_OR_RETURN(Bucket * found, FindBucket(bucket));
  Object object;
  object.info.bucket = bucket;
  object.info.key = key;
  object.info.file_id = StrCat("mem-", next_file_id_++);
  object.info.size = static_cast<int64_t>(data->size());
  object.info.attributes = attributes;
  object.info.modified_at_ms = absl::ToUnixMillis(clock_->Now());
  object.data = std::move(data);
  client::ObjectInfo info = object.info;
  found->objects[key] = std::move(object);
  return info;
}

Result<client::ObjectInfo> MemoryBackend::HeadObject(const std::string& bucket,
                                                     const std::string& key) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Bucket * found, FindBucket(bucket));
  auto it = found->objects.find(key);
  if (it == found->objects.end()) return NoObject(bucket, key);
  return it->second.info;
}

Status MemoryBackend::ReadObject(const client::ObjectInfo& object, int64_t offset, int64_t length,
                                 const Sink& sink) {
  std::shared_ptr<const std::string> data;
  {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(Bucket * found, FindBucket(object.bucket));
    auto it = found->objects.find(object.key);
    if (it == found->objects.end() || it->second.info.file_id != object.file_id) {
      return NoObject(object.bucket, object.key);
    }
    data = it->second.data;
  }
  const auto size = static_cast<int64_t>(data->size());
  if (offset < 0 || length < 0 || offset > size || length > size - offset) {
    return absl::OutOfRangeError(StrCat("bytes [", offset, ", +", length, ") are outside '",
                                        object.key, "' of ", size, " bytes"));
  }
  // In pieces, as the cluster delivers them, so that sinks see several calls.
  constexpr int64_t kPiece = 256 << 10;
  for (int64_t at = offset; at < offset + length; at += kPiece) {
    const int64_t n = std::min(kPiece, offset + length - at);
    RETURN_IF_ERROR(sink(std::string_view(*data).substr(at, n)));
  }
  return absl::OkStatus();
}

Result<client::ObjectListing> MemoryBackend::ListObjects(const client::ObjectListRequest& request) {
  if (request.max_keys < 0 || request.max_keys > 1000) {
    return absl::InvalidArgumentError(StrCat("max_keys ", request.max_keys, " is not in 0..1000"));
  }
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Bucket * bucket, FindBucket(request.bucket));
  const std::string& prefix = request.prefix;
  const std::string& delimiter = request.delimiter;
  // The common prefix that `key` rolls up into, or "" when it stands alone.
  auto roll_up = [&](const std::string& key) -> std::string {
    if (delimiter.empty() || !key.starts_with(prefix)) return "";
    size_t at = key.find(delimiter, prefix.size());
    if (at == std::string::npos) return "";
    return key.substr(0, at + delimiter.size());
  };
  const std::string& start_after = request.start_after;
  // A start_after that is itself a common prefix skips every key under it.
  const bool start_is_prefix = !start_after.empty() && roll_up(start_after) == start_after;

  client::ObjectListing listing;
  if (request.max_keys == 0) return listing;
  int entries = 0;
  auto it = bucket->objects.lower_bound(std::max(prefix, start_after));
  while (it != bucket->objects.end()) {
    const std::string& key = it->first;
    if (!key.starts_with(prefix)) break;
    if (key <= start_after || (start_is_prefix && key.starts_with(start_after))) {
      ++it;
      continue;
    }
    if (entries == request.max_keys) {
      listing.truncated = true;
      break;
    }
    std::string common = roll_up(key);
    if (!common.empty()) {
      listing.common_prefixes.push_back(common);
      listing.last = common;
      while (it != bucket->objects.end() && it->first.starts_with(common)) ++it;
    } else {
      listing.objects.push_back(it->second.info);
      listing.last = key;
      ++it;
    }
    ++entries;
  }
  return listing;
}

Status MemoryBackend::DeleteObject(const std::string& bucket, const std::string& key) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Bucket * found, FindBucket(bucket));
  if (found->objects.erase(key) == 0) return NoObject(bucket, key);
  return absl::OkStatus();
}

Status MemoryBackend::SetObjectTags(const std::string& bucket, const std::string& key,
                                    const std::map<std::string, std::string>& tags) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Bucket * found, FindBucket(bucket));
  auto it = found->objects.find(key);
  if (it == found->objects.end()) return NoObject(bucket, key);
  it->second.info.attributes.tags = tags;
  return absl::OkStatus();
}

Result<client::ObjectInfo> MemoryBackend::CopyObject(const client::ObjectInfo& source,
                                                     const std::string& bucket,
                                                     const std::string& key,
                                                     const client::ObjectAttributes& attributes) {
  RETURN_IF_ERROR(ValidateObjectKey(key));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Bucket * from, FindBucket(source.bucket));
  auto it = from->objects.find(source.key);
  if (it == from->objects.end()) return NoObject(source.bucket, source.key);
  if (it->second.info.file_id != source.file_id) {
    return absl::FailedPreconditionError(
        StrCat("object '", source.key, "' was replaced while it was being copied"));
  }
  return StoreLocked(bucket, key, it->second.data, attributes);
}

Result<MemoryBackend::Upload*> MemoryBackend::FindUpload(const std::string& upload_id) {
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end()) return absl::NotFoundError(StrCat("no upload '", upload_id, "'"));
  return &it->second;
}

Result<client::MultipartUploadInfo> MemoryBackend::CreateMultipartUpload(
    const client::MultipartUploadInfo& upload) {
  RETURN_IF_ERROR(ValidateObjectKey(upload.key));
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(FindBucket(upload.bucket).status());
  Upload created;
  created.info = upload;
  // Ids sort in initiation order, as the cluster's do.
  created.info.upload_id = absl::StrFormat("%012d-upload", next_file_id_++);
  created.info.initiated_at_ms = absl::ToUnixMillis(clock_->Now());
  uploads_[created.info.upload_id] = created;
  return created.info;
}

Result<client::MultipartUploadInfo> MemoryBackend::GetMultipartUpload(
    const std::string& upload_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Upload * upload, FindUpload(upload_id));
  return upload->info;
}

Result<std::vector<client::MultipartUploadInfo>> MemoryBackend::ListMultipartUploads(
    const client::UploadListRequest& request) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(FindBucket(request.bucket).status());
  std::vector<client::MultipartUploadInfo> out;
  for (const auto& [id, upload] : uploads_) {
    const client::MultipartUploadInfo& info = upload.info;
    if (info.bucket != request.bucket || !info.key.starts_with(request.prefix)) continue;
    if (std::tie(info.key, info.upload_id) <=
        std::tie(request.after_key, request.after_upload_id)) {
      continue;
    }
    out.push_back(info);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.key, a.upload_id) < std::tie(b.key, b.upload_id);
  });
  if (static_cast<int>(out.size()) > request.max_uploads) out.resize(request.max_uploads);
  return out;
}

Result<std::unique_ptr<ObjectWriter>> MemoryBackend::PutPart(const std::string& upload_id,
                                                             int part_number) {
  if (part_number < 1 || part_number > 10000) {
    return absl::InvalidArgumentError(
        StrCat("part number must be in [1, 10000], not ", part_number));
  }
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(FindUpload(upload_id).status());
  }
  return std::make_unique<Writer>([this, upload_id, part_number](
                                      std::string data, const client::ObjectAttributes& attributes)
                                      -> Result<client::ObjectInfo> {
    absl::MutexLock lock(&mu_);
    // The upload may have been completed or aborted while the bytes streamed in.
    ASSIGN_OR_RETURN(Upload * upload, FindUpload(upload_id));
    Part part;
    part.info = {part_number, StrCat("mem-", next_file_id_++), static_cast<int64_t>(data.size()),
                 attributes.etag, absl::ToUnixMillis(clock_->Now())};
    part.data = std::make_shared<const std::string>(std::move(data));
    client::ObjectInfo out;
    out.file_id = part.info.file_id;
    out.size = part.info.size;
    out.attributes.etag = part.info.etag;
    upload->parts[part_number] = std::move(part);
    return out;
  });
}

Result<std::vector<client::PartInfo>> MemoryBackend::ListParts(const std::string& upload_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Upload * upload, FindUpload(upload_id));
  std::vector<client::PartInfo> out;
  for (const auto& [number, part] : upload->parts) out.push_back(part.info);
  return out;
}

Status MemoryBackend::AbortMultipartUpload(const std::string& upload_id) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(FindUpload(upload_id).status());
  uploads_.erase(upload_id);
  return absl::OkStatus();
}

Result<client::ObjectInfo> MemoryBackend::CompleteMultipartUpload(
    const std::string& upload_id, const std::vector<client::PartInfo>& parts,
    const std::string& etag) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Upload * upload, FindUpload(upload_id));
  std::string data;
  int previous = 0;
  for (const client::PartInfo& given : parts) {
    auto it = upload->parts.find(given.part_number);
    if (given.part_number <= previous || it == upload->parts.end() ||
        it->second.info.file_id != given.file_id) {
      return absl::FailedPreconditionError(
          StrCat("part ", given.part_number, " of upload ", upload_id, " is not as listed"));
    }
    previous = given.part_number;
    data += *it->second.data;
  }
  client::ObjectAttributes attributes = upload->info.attributes;
  attributes.etag = etag;
  const client::MultipartUploadInfo info = upload->info;
  ASSIGN_OR_RETURN(client::ObjectInfo object,
                   StoreLocked(info.bucket, info.key,
                               std::make_shared<const std::string>(std::move(data)), attributes));
  uploads_.erase(upload_id);
  return object;
}

size_t MemoryBackend::ObjectCountForTesting() const {
  absl::MutexLock lock(&mu_);
  size_t count = 0;
  for (const auto& [name, bucket] : buckets_) count += bucket.objects.size();
  return count;
}

}  // namespace gale::s3
