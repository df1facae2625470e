// The S3 gateway's storage on a real cluster (coordinator + three nodes on
// loopback): buckets and objects through ClusterBackend, bytes read back and
// compared, overwrites and deletes down to the chunks' garbage collection.

#include <gtest/gtest.h>

#include "client/chunk_transport.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "s3/cluster/cluster_backend.h"
#include "s3/cluster/grpc_cluster_apis.h"
#include "tests/mini_cluster/mini_cluster.h"
#include "tests/testing/random_data.h"
#include "tests/testing/status_matchers.h"

namespace gale {
namespace {

using absl::StatusCode;
using testing::MiniCluster;
using testing::MiniClusterOptions;
using testing::RandomBytes;

constexpr int64_t kMiB = 1 << 20;

class S3ClusterITest : public ::testing::Test {
 protected:
  void SetUp() override {
    MiniClusterOptions options;
    options.num_nodes = 3;
    options.coordinator_flags = {"--heartbeat-interval-ms", "100", "--gc-interval-ms", "50",
                                 "--gc-grace-ms",           "100"};
    options.node_flags = {"--heartbeat-interval-ms", "100"};
    cluster_ = std::make_unique<MiniCluster>(options);
    ASSERT_OK(cluster_->Start());
    ASSERT_OK_AND_ASSIGN(client_, cluster_->Client());
    s3::ClusterBackendOptions backend_options;
    backend_options.chunk_size = kMiB;  // several chunks per object
    apis_ = std::make_unique<s3::GrpcClusterApis>(client_->coordinator());
    backend_ = std::make_unique<s3::ClusterBackend>(apis_->apis(), &transport_, backend_options);
  }

  // Streams `bytes` in as bucket/key in pieces of `piece` bytes.
  Result<client::ObjectInfo> Put(const std::string& bucket, const std::string& key,
                                 const std::string& bytes, size_t piece = 100'000) {
    ASSIGN_OR_RETURN(auto writer, backend_->PutObject(bucket, key));
    for (size_t at = 0; at < bytes.size(); at += piece) {
      RETURN_IF_ERROR(writer->Write(std::string_view(bytes).substr(at, piece)));
    }
    client::ObjectAttributes attributes;
    attributes.etag = common::Sha256::Hex(bytes).substr(0, 32);
    attributes.content_type = "application/octet-stream";
    attributes.metadata = {{"x-amz-meta-origin", "itest"}};
    return writer->Commit(attributes);
  }

  Result<std::string> Read(const client::ObjectInfo& object, int64_t offset, int64_t length) {
    std::string out;
    RETURN_IF_ERROR(backend_->ReadObject(object, offset, length, [&](std::string_view bytes) {
      out.append(bytes);
      return absl::OkStatus();
    }));
    return out;
  }

  std::unique_ptr<MiniCluster> cluster_;
  std::unique_ptr<client::GaleClient> client_;
  client::ChunkTransport transport_;
  std::unique_ptr<s3::GrpcClusterApis> apis_;
  std::unique_ptr<s3::ClusterBackend> backend_;
};

TEST_F(S3ClusterITest, ObjectsRoundTripOverwriteListAndDelete) {
  ASSERT_OK(backend_->CreateBucket("photos", "alice"));
  EXPECT_STATUS(backend_->CreateBucket("photos", "bob"), StatusCode::kAlreadyExists, "exists");
  EXPECT_STATUS(backend_->CreateBucket("No_Such", ""), StatusCode::kInvalidArgument, "bucket name");
  EXPECT_STATUS(Put("missing", "k", "x"), StatusCode::kNotFound, "no bucket");

  for (int64_t size : {int64_t{0}, int64_t{1}, 3 * kMiB + 17}) {
    SCOPED_TRACE(size);
    const std::string key = "sizes/" + std::to_string(size);
    const std::string bytes = RandomBytes(static_cast<size_t>(size), static_cast<uint32_t>(size));
    ASSERT_OK_AND_ASSIGN(client::ObjectInfo put, Put("photos", key, bytes));
    EXPECT_EQ(put.size, size);
    ASSERT_OK_AND_ASSIGN(client::ObjectInfo head, backend_->HeadObject("photos", key));
    EXPECT_EQ(head.file_id, put.file_id);
    EXPECT_EQ(head.attributes.etag, common::Sha256::Hex(bytes).substr(0, 32));
    EXPECT_EQ(head.attributes.metadata.at("x-amz-meta-origin"), "itest");
    EXPECT_GT(head.modified_at_ms, 0);
    ASSERT_OK_AND_ASSIGN(std::string back, Read(head, 0, size));
    EXPECT_TRUE(back == bytes) << "bytes differ";
    if (size > 2) {
      ASSERT_OK_AND_ASSIGN(std::string middle, Read(head, 1, size - 2));
      EXPECT_TRUE(middle == bytes.substr(1, static_cast<size_t>(size - 2)));
    }
  }

  // An overwrite: readers see the new bytes; the old file is gone.
  ASSERT_OK_AND_ASSIGN(client::ObjectInfo old, backend_->HeadObject("photos", "sizes/1"));
  const std::string fresh = RandomBytes(2 * kMiB, 99);
  ASSERT_OK(Put("photos", "sizes/1", fresh));
  ASSERT_OK_AND_ASSIGN(client::ObjectInfo now, backend_->HeadObject("photos", "sizes/1"));
  EXPECT_NE(now.file_id, old.file_id);
  EXPECT_TRUE(*Read(now, 0, now.size) == fresh);
  EXPECT_STATUS(Read(old, 0, 1), StatusCode::kNotFound, "any more");

  // An upload abandoned before its commit leaves nothing.
  {
    ASSERT_OK_AND_ASSIGN(auto writer, backend_->PutObject("photos", "abandoned"));
    ASSERT_OK(writer->Write(RandomBytes(kMiB, 5)));
    writer->Abort();
  }
  EXPECT_STATUS(backend_->HeadObject("photos", "abandoned"), StatusCode::kNotFound, "no object");

  client::ObjectListRequest list;
  list.bucket = "photos";
  list.delimiter = "/";
  ASSERT_OK(Put("photos", "top.txt", "top"));
  ASSERT_OK_AND_ASSIGN(client::ObjectListing listing, backend_->ListObjects(list));
  ASSERT_EQ(listing.objects.size(), 1u);
  EXPECT_EQ(listing.objects[0].key, "top.txt");
  EXPECT_EQ(listing.common_prefixes, std::vector<std::string>{"sizes/"});
  list.delimiter = "";
  list.prefix = "sizes/";
  list.max_keys = 2;
  ASSERT_OK_AND_ASSIGN(listing, backend_->ListObjects(list));
  ASSERT_EQ(listing.objects.size(), 2u);
  EXPECT_TRUE(listing.truncated);
  EXPECT_EQ(listing.objects[0].key, "sizes/0");
  EXPECT_EQ(listing.objects[1].key, "sizes/1");

  ASSERT_OK(backend_->SetObjectTags("photos", "top.txt", {{"k", "v"}}));
  EXPECT_EQ(backend_->HeadObject("photos", "top.txt")->attributes.tags.at("k"), "v");

  EXPECT_STATUS(backend_->DeleteBucket("photos"), StatusCode::kFailedPrecondition, "not empty");
  for (const std::string key : {"top.txt", "sizes/0", "sizes/1", "sizes/3145745"}) {
    SCOPED_TRACE(key);
    ASSERT_OK(backend_->DeleteObject("photos", key));
  }
  EXPECT_STATUS(backend_->DeleteObject("photos", "top.txt"), StatusCode::kNotFound, "no object");
  ASSERT_OK(backend_->DeleteBucket("photos"));
  ASSERT_OK_AND_ASSIGN(auto buckets, backend_->ListBuckets());
  EXPECT_TRUE(buckets.empty());
}

TEST_F(S3ClusterITest, MultipartUploadsAndCopiesShareChunks) {
  ASSERT_OK(backend_->CreateBucket("media", "alice"));
  client::MultipartUploadInfo request;
  request.bucket = "media";
  request.key = "movie.mp4";
  request.attributes.content_type = "video/mp4";
  ASSERT_OK_AND_ASSIGN(client::MultipartUploadInfo upload,
                       backend_->CreateMultipartUpload(request));
  // Parts of 2.5, 1 and 0.3 MiB: chunks of 1 MiB and shorter tails.
  const std::vector<std::string> data = {RandomBytes(5 * kMiB / 2, 1), RandomBytes(kMiB, 2),
                                         RandomBytes(3 * kMiB / 10, 3)};
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(auto writer, backend_->PutPart(upload.upload_id, i + 1));
    ASSERT_OK(writer->Write(data[i]));
    client::ObjectAttributes attributes;
    attributes.etag = StrCat("etag", i + 1);
    ASSERT_OK_AND_ASSIGN(client::ObjectInfo part, writer->Commit(attributes));
    EXPECT_EQ(part.size, static_cast<int64_t>(data[i].size()));
  }
  ASSERT_OK_AND_ASSIGN(auto uploads, backend_->ListMultipartUploads({"media", "", "", "", 10}));
  ASSERT_EQ(uploads.size(), 1u);
  EXPECT_EQ(uploads[0].upload_id, upload.upload_id);
  ASSERT_OK_AND_ASSIGN(std::vector<client::PartInfo> parts, backend_->ListParts(upload.upload_id));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].etag, "etag2");

  ASSERT_OK_AND_ASSIGN(client::ObjectInfo object,
                       backend_->CompleteMultipartUpload(upload.upload_id, parts, "whole-3"));
  EXPECT_EQ(object.size, static_cast<int64_t>(data[0].size() + data[1].size() + data[2].size()));
  EXPECT_EQ(object.attributes.etag, "whole-3");
  EXPECT_EQ(object.attributes.content_type, "video/mp4");
  ASSERT_OK_AND_ASSIGN(std::string back, Read(object, 0, object.size));
  EXPECT_TRUE(back == data[0] + data[1] + data[2]) << "bytes differ";
  // A range across the first part's end.
  ASSERT_OK_AND_ASSIGN(std::string middle, Read(object, 5 * kMiB / 2 - 10, 20));
  EXPECT_TRUE(middle == (data[0] + data[1]).substr(5 * kMiB / 2 - 10, 20));
  EXPECT_STATUS(backend_->ListParts(upload.upload_id), StatusCode::kNotFound, "no upload");

  // The copy's file holds the same chunks: no bytes moved.
  ASSERT_OK_AND_ASSIGN(client::ObjectInfo copy,
                       backend_->CopyObject(object, "media", "copy.mp4", object.attributes));
  EXPECT_NE(copy.file_id, object.file_id);
  client::GrpcFileApi files(client_->coordinator());
  ASSERT_OK_AND_ASSIGN(client::FileInfo original, files.GetFile(object.file_id, true));
  ASSERT_OK_AND_ASSIGN(client::FileInfo copied, files.GetFile(copy.file_id, true));
  ASSERT_EQ(copied.chunks.size(), original.chunks.size());
  for (size_t i = 0; i < copied.chunks.size(); ++i) {
    EXPECT_EQ(copied.chunks[i].id, original.chunks[i].id);
  }
  ASSERT_OK(backend_->DeleteObject("media", "movie.mp4"));
  ASSERT_OK_AND_ASSIGN(back, Read(copy, 0, copy.size));
  EXPECT_TRUE(back == data[0] + data[1] + data[2]) << "the copy outlives its source";

  // An aborted upload leaves nothing behind.
  ASSERT_OK_AND_ASSIGN(client::MultipartUploadInfo aborted,
                       backend_->CreateMultipartUpload(request));
  ASSERT_OK_AND_ASSIGN(auto writer, backend_->PutPart(aborted.upload_id, 1));
  ASSERT_OK(writer->Write(RandomBytes(kMiB, 4)));
  ASSERT_OK(writer->Commit({}).status());
  ASSERT_OK(backend_->AbortMultipartUpload(aborted.upload_id));
  EXPECT_STATUS(backend_->PutPart(aborted.upload_id, 2), StatusCode::kNotFound, "no upload");
}

}  // namespace
}  // namespace gale
