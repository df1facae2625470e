#include "s3/cluster/cluster_backend.h"

#include <variant>

#include "client/uploader.h"
#include "common/strings.h"

namespace gale::s3 {
namespace {

// An object's or a part's upload into the cluster: an Uploader whose file is
// the object's (or the part's), committed with the attributes the gateway
// computed while the bytes streamed through. Not thread-safe: one writer.
class ClusterObjectWriter final : public ObjectWriter {
 public:
  // `target`: the object's bucket and key, or the part's upload and number
  // (its attributes and ETag are filled in from the commit's).
  ClusterObjectWriter(const ClusterApis& apis, client::ChunkTransport* transport,
                      client::UploadTarget target, int parallelism)
      : objects_(apis.objects),
        target_(std::move(target)),
        api_(apis.upload_files(WithAttributes(target_))),
        uploader_(api_.get(), transport, client::UploadOptions{.parallelism = parallelism}) {}

  Status Begin(const client::CreateFileArgs& args) { return uploader_.Begin(args); }

  Status Write(std::string_view data) override { return uploader_.Write(data); }

  Result<client::ObjectInfo> Commit(const client::ObjectAttributes& attributes) override {
    attributes_ = attributes;
    ASSIGN_OR_RETURN(client::FileInfo file, uploader_.Finish());
    if (const auto* object = std::get_if<client::ObjectTarget>(&target_)) {
      ASSIGN_OR_RETURN(auto committed,
                       objects_->GetObject(object->bucket, object->key, /*with_chunks=*/false));
      return committed.first;
    }
    client::ObjectInfo part;
    part.file_id = file.id;
    part.size = file.size;
    part.attributes.etag = attributes.etag;
    return part;
  }

  void Abort() override { uploader_.Abort(); }

 private:
  client::UploadTarget WithAttributes(client::UploadTarget target) {
    if (auto* object = std::get_if<client::ObjectTarget>(&target)) {
      object->attributes = [this] { return attributes_; };
    } else {
      std::get<client::PartTarget>(target).etag = [this] { return attributes_.etag; };
    }
    return target;
  }

  client::ObjectApi* const objects_;
  const client::UploadTarget target_;
  client::ObjectAttributes attributes_;  // read by api_ at commit
  const std::unique_ptr<client::FileApi> api_;
  client::Uploader uploader_;  // aborts the upload when destroyed uncommitted
};

}  // namespace

ClusterBackend::ClusterBackend(ClusterApis apis, client::ChunkTransport* transport,
                               ClusterBackendOptions options)
    : apis_(std::move(apis)),
      transport_(transport),
      options_(std::move(options)),
      downloader_(apis_.files, transport,
                  client::DownloadOptions{.parallelism = options_.parallelism}) {}

Status ClusterBackend::CreateBucket(const std::string& name, const std::string& owner) {
  return apis_.objects->CreateBucket(name, owner);
}

Result<client::BucketInfo> ClusterBackend::GetBucket(const std::string& name) {
  return apis_.objects->GetBucket(name);
}

Result<std::vector<client::BucketInfo>> ClusterBackend::ListBuckets() {
  return apis_.objects->ListBuckets();
}

Status ClusterBackend::DeleteBucket(const std::string& name) {
  return apis_.objects->DeleteBucket(name);
}

Result<std::unique_ptr<ObjectWriter>> ClusterBackend::BeginUpload(client::UploadTarget target) {
  auto writer = std::make_unique<ClusterObjectWriter>(apis_, transport_, std::move(target),
                                                      options_.parallelism);
  client::CreateFileArgs args;
  args.size = -1;  // streamed
  args.chunk_size = options_.chunk_size;
  args.replication_factor = options_.replication_factor;
  args.write_mode = options_.write_mode;
  RETURN_IF_ERROR(writer->Begin(args));
  return std::unique_ptr<ObjectWriter>(std::move(writer));
}

Result<std::unique_ptr<ObjectWriter>> ClusterBackend::PutObject(const std::string& bucket,
                                                                const std::string& key) {
  return BeginUpload(client::ObjectTarget{bucket, key, {}});
}

Result<std::unique_ptr<ObjectWriter>> ClusterBackend::PutPart(const std::string& upload_id,
                                                              int part_number) {
  return BeginUpload(client::PartTarget{upload_id, part_number, {}});
}

Result<client::ObjectInfo> ClusterBackend::HeadObject(const std::string& bucket,
                                                      const std::string& key) {
  ASSIGN_OR_RETURN(auto object, apis_.objects->GetObject(bucket, key, /*with_chunks=*/false));
  return object.first;
}

Status ClusterBackend::ReadObject(const client::ObjectInfo& object, int64_t offset, int64_t length,
                                  const Sink& sink) {
  auto file = apis_.files->GetFile(object.file_id, /*with_chunks=*/true);
  if (absl::IsNotFound(file.status())) {
    // Replaced or deleted since it was looked up.
    return absl::NotFoundError(StrCat("no object '", EscapeForMessage(object.key), "' in bucket '",
                                      object.bucket, "' any more"));
  }
  RETURN_IF_ERROR(file.status());
  return downloader_.ReadRange(*file, offset, length, sink);
}

Result<client::ObjectListing> ClusterBackend::ListObjects(
    const client::ObjectListRequest& request) {
  return apis_.objects->ListObjects(request);
}

Status ClusterBackend::DeleteObject(const std::string& bucket, const std::string& key) {
  return apis_.objects->DeleteObject(bucket, key);
}

Status ClusterBackend::SetObjectTags(const std::string& bucket, const std::string& key,
                                     const std::map<std::string, std::string>& tags) {
  return apis_.objects->SetObjectTags(bucket, key, tags);
}

Result<client::ObjectInfo> ClusterBackend::CopyObject(const client::ObjectInfo& source,
                                                      const std::string& bucket,
                                                      const std::string& key,
                                                      const client::ObjectAttributes& attributes) {
  client::ObjectInfo target;
  target.bucket = bucket;
  target.key = key;
  target.attributes = attributes;
  return apis_.objects->CopyObject(source.bucket, source.key, source.file_id, target);
}

Result<client::MultipartUploadInfo> ClusterBackend::CreateMultipartUpload(
    const client::MultipartUploadInfo& upload) {
  return apis_.objects->CreateMultipartUpload(upload);
}

Result<client::MultipartUploadInfo> ClusterBackend::GetMultipartUpload(
    const std::string& upload_id) {
  return apis_.objects->GetMultipartUpload(upload_id);
}

Result<std::vector<client::MultipartUploadInfo>> ClusterBackend::ListMultipartUploads(
    const client::UploadListRequest& request) {
  return apis_.objects->ListMultipartUploads(request);
}

Result<std::vector<client::PartInfo>> ClusterBackend::ListParts(const std::string& upload_id) {
  return apis_.objects->ListParts(upload_id);
}

Status ClusterBackend::AbortMultipartUpload(const std::string& upload_id) {
  return apis_.objects->AbortMultipartUpload(upload_id);
}

Result<client::ObjectInfo> ClusterBackend::CompleteMultipartUpload(
    const std::string& upload_id, const std::vector<client::PartInfo>& parts,
    const std::string& etag) {
  return apis_.objects->CompleteMultipartUpload(upload_id, parts, etag);
}

}  // namespace gale::s3
