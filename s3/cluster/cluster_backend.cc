#include "s3/cluster/cluster_backend.h"

#include "client/uploader.h"
#include "common/strings.h"

namespace gale::s3 {
namespace {

// An object's upload into the cluster: an Uploader whose file is the
// object's, committed with the attributes the gateway computed while the
// bytes streamed through. Not thread-safe: one writer.
class ClusterObjectWriter final : public ObjectWriter {
 public:
  ClusterObjectWriter(client::CoordinatorClient* coordinator, client::ChunkTransport* transport,
                      client::GrpcObjectApi* objects, std::string bucket, std::string key,
                      int parallelism)
      : objects_(objects),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        api_(coordinator, client::ObjectTarget{bucket_, key_, [this] { return attributes_; }}),
        uploader_(&api_, transport, client::UploadOptions{.parallelism = parallelism}) {}

  Status Begin(const client::CreateFileArgs& args) { return uploader_.Begin(args); }

  Status Write(std::string_view data) override { return uploader_.Write(data); }

  Result<client::ObjectInfo> Commit(const client::ObjectAttributes& attributes) override {
    attributes_ = attributes;
    RETURN_IF_ERROR(uploader_.Finish().status());
    ASSIGN_OR_RETURN(auto committed, objects_->GetObject(bucket_, key_, /*with_chunks=*/false));
    return committed.first;
  }

  void Abort() override { uploader_.Abort(); }

 private:
  client::GrpcObjectApi* const objects_;
  const std::string bucket_;
  const std::string key_;
  client::ObjectAttributes attributes_;  // read by api_ at commit
  client::GrpcFileApi api_;
  client::Uploader uploader_;  // aborts the upload when destroyed uncommitted
};

}  // namespace

ClusterBackend::ClusterBackend(client::CoordinatorClient* coordinator,
                               client::ChunkTransport* transport, ClusterBackendOptions options)
    : coordinator_(coordinator),
      transport_(transport),
      options_(std::move(options)),
      objects_(coordinator),
      files_(coordinator),
      downloader_(&files_, transport,
                  client::DownloadOptions{.parallelism = options_.parallelism}) {}

Status ClusterBackend::CreateBucket(const std::string& name, const std::string& owner) {
  return objects_.CreateBucket(name, owner);
}

Result<client::BucketInfo> ClusterBackend::GetBucket(const std::string& name) {
  return objects_.GetBucket(name);
}

Result<std::vector<client::BucketInfo>> ClusterBackend::ListBuckets() {
  return objects_.ListBuckets();
}

Status ClusterBackend::DeleteBucket(const std::string& name) { return objects_.DeleteBucket(name); }

Result<std::unique_ptr<ObjectWriter>> ClusterBackend::PutObject(const std::string& bucket,
                                                                const std::string& key) {
  auto writer = std::make_unique<ClusterObjectWriter>(coordinator_, transport_, &objects_, bucket,
                                                      key, options_.parallelism);
  client::CreateFileArgs args;
  args.size = -1;  // streamed
  args.chunk_size = options_.chunk_size;
  args.replication_factor = options_.replication_factor;
  args.write_mode = options_.write_mode;
  RETURN_IF_ERROR(writer->Begin(args));
  return std::unique_ptr<ObjectWriter>(std::move(writer));
}

Result<client::ObjectInfo> ClusterBackend::HeadObject(const std::string& bucket,
                                                      const std::string& key) {
  ASSIGN_OR_RETURN(auto object, objects_.GetObject(bucket, key, /*with_chunks=*/false));
  return object.first;
}

Status ClusterBackend::ReadObject(const client::ObjectInfo& object, int64_t offset, int64_t length,
                                  const Sink& sink) {
  auto file = files_.GetFile(object.file_id, /*with_chunks=*/true);
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
  return objects_.ListObjects(request);
}

Status ClusterBackend::DeleteObject(const std::string& bucket, const std::string& key) {
  return objects_.DeleteObject(bucket, key);
}

Status ClusterBackend::SetObjectTags(const std::string& bucket, const std::string& key,
                                     const std::map<std::string, std::string>& tags) {
  return objects_.SetObjectTags(bucket, key, tags);
}

}  // namespace gale::s3
