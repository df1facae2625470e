#include "coordinator/files/object_service.h"

#include <gtest/gtest.h>

#include "tests/unit/coordinator/files/file_service_fixture.h"

namespace gale::coordinator {
namespace {

using absl::StatusCode;

// The object service over the file-service fixture (real SQLite store, four
// nodes, fake clock).
class ObjectServiceTest : public FileServiceTest {
 protected:
  // Uploads one 100-byte chunk, Id(chunk), as `bucket`/`key`.
  Result<ObjectRecord> Put(const std::string& bucket, const std::string& key, int chunk = 1) {
    CreateFileArgs args;
    args.chunk_size = 100;
    ASSIGN_OR_RETURN(FileRecord file, objects_->BeginObject(bucket, key, args));
    ASSIGN_OR_RETURN(auto placements, files_->AllocateChunks(file.id, Chunks(chunk, 1), {}));
    Store(placements);
    ObjectRecord object;
    object.bucket = bucket;
    object.key = key;
    object.etag = "etag";
    RETURN_IF_ERROR(objects_->CommitObject(file.id, 100, "", object).status());
    return objects_->GetObject(bucket, key);
  }

  // A listing as "key" and "prefix/" entries, then "+" when truncated.
  std::vector<std::string> List(ObjectListRequest request) {
    request.bucket = "bkt";
    auto listing = objects_->ListObjects(request);
    EXPECT_OK(listing);
    std::vector<std::string> out;
    if (!listing.ok()) return out;
    size_t o = 0, p = 0;
    // Merged in key order, as S3 clients read them.
    while (o < listing->objects.size() || p < listing->common_prefixes.size()) {
      if (p == listing->common_prefixes.size() ||
          (o < listing->objects.size() && listing->objects[o].key < listing->common_prefixes[p])) {
        out.push_back(listing->objects[o++].key);
      } else {
        out.push_back("[" + listing->common_prefixes[p++] + "]");
      }
    }
    if (listing->truncated) out.push_back("+" + listing->last);
    return out;
  }

  // Uploads Id(first..first+count) as part `number` of `upload_id`.
  Result<PartRecord> PutPart(const std::string& upload_id, int number, int first, int count) {
    CreateFileArgs args;
    args.chunk_size = 100;
    ASSIGN_OR_RETURN(FileRecord file, objects_->BeginPart(upload_id, number, args));
    ASSIGN_OR_RETURN(auto placements, files_->AllocateChunks(file.id, Chunks(first, count), {}));
    Store(placements);
    PartRecord part{upload_id, number, "", 0, StrCat("etag-", number)};
    ASSIGN_OR_RETURN(FileRecord committed, objects_->CommitPart(file.id, 100 * count, "", part));
    part.file_id = committed.id;
    part.size = committed.size;
    return part;
  }

  std::vector<std::string> ChunkIdsOf(const std::string& file_id) {
    std::vector<std::string> out;
    auto view = files_->GetFile(file_id, /*with_chunks=*/true);
    EXPECT_OK(view);
    if (view.ok()) {
      for (const auto& chunk : view->chunks) out.push_back(chunk.ref.chunk_id);
    }
    return out;
  }
};

using Keys = std::vector<std::string>;

TEST_F(ObjectServiceTest, BucketNamesFollowTheS3Rules) {
  for (std::string_view good : {"abc", "my-bucket.2",
                                "a23456789012345678901234567890123456789012"
                                "345678901234567890"}) {
    EXPECT_TRUE(ValidateBucketName(good).ok()) << good;
  }
  for (std::string_view bad : {"ab", "Upper", "under_score", "-dash", "dot.", "a..b", "a.-b",
                               "192.168.5.4", "white space"}) {
    SCOPED_TRACE(bad);
    EXPECT_STATUS(ValidateBucketName(bad), StatusCode::kInvalidArgument, "bucket name");
  }
  EXPECT_STATUS(ValidateObjectKey(""), StatusCode::kInvalidArgument, "empty");
  EXPECT_STATUS(ValidateObjectKey(std::string(1025, 'k')), StatusCode::kInvalidArgument, "1024");
  EXPECT_STATUS(ValidateObjectKey("bad\xff"), StatusCode::kInvalidArgument, "UTF-8");
  EXPECT_STATUS(ValidateObjectKey(std::string_view("a\0b", 3)), StatusCode::kInvalidArgument,
                "NUL");
  EXPECT_OK(ValidateObjectKey(std::string(1024, 'k')));
  EXPECT_STATUS(objects_->CreateBucket("Bad", ""), StatusCode::kInvalidArgument, "bucket name");
}

TEST_F(ObjectServiceTest, PutGetOverwriteAndDelete) {
  EXPECT_STATUS(Put("nobucket", "k"), StatusCode::kNotFound, "no bucket");
  ASSERT_OK(objects_->CreateBucket("bkt", "alice"));
  EXPECT_STATUS(objects_->CreateBucket("bkt", "bob"), StatusCode::kAlreadyExists, "exists");

  ASSERT_OK_AND_ASSIGN(ObjectRecord first, Put("bkt", "dir/k", 1));
  EXPECT_EQ(first.size, 100);
  EXPECT_EQ(first.etag, "etag");
  ASSERT_OK_AND_ASSIGN(FileView file, files_->GetFile(first.file_id, /*with_chunks=*/true));
  ASSERT_EQ(file.chunks.size(), 1u);
  EXPECT_EQ(file.chunks[0].ref.chunk_id, Id(1));
  EXPECT_EQ(file.file.name, "") << "object files stay out of the file namespace";

  ASSERT_OK_AND_ASSIGN(ObjectRecord second, Put("bkt", "dir/k", 2));
  EXPECT_NE(second.file_id, first.file_id);
  EXPECT_STATUS(files_->GetFile(first.file_id, false), StatusCode::kNotFound, "");
  EXPECT_EQ(Refcount(Id(1)), 0) << "the replaced object's chunks go to the GC";
  EXPECT_EQ(objects_->GetObject("bkt", "dir/k")->file_id, second.file_id);

  // A nameless upload commits only as an object, and an object only from one.
  CreateFileArgs args;
  args.chunk_size = 100;
  ASSERT_OK_AND_ASSIGN(FileRecord upload, objects_->BeginObject("bkt", "x", args));
  EXPECT_STATUS(files_->CommitFile(upload.id, 0, ""), StatusCode::kFailedPrecondition,
                "commit it with its object");
  ASSERT_OK_AND_ASSIGN(FileRecord named, Create("named"));
  ObjectRecord object;
  object.bucket = "bkt";
  object.key = "y";
  EXPECT_STATUS(objects_->CommitObject(named.id, 0, "", object), StatusCode::kFailedPrecondition,
                "not an object's upload");

  EXPECT_STATUS(objects_->DeleteBucket("bkt"), StatusCode::kFailedPrecondition, "not empty");
  EXPECT_STATUS(objects_->GetObject("bkt", "nope"), StatusCode::kNotFound, "no object");
  EXPECT_STATUS(objects_->GetObject("gone", "k"), StatusCode::kNotFound, "no bucket");
  ASSERT_OK(objects_->SetObjectTags("bkt", "dir/k", {{"t", "v"}}));
  EXPECT_EQ(objects_->GetObject("bkt", "dir/k")->tags.at("t"), "v");
  ASSERT_OK(objects_->DeleteObject("bkt", "dir/k"));
  EXPECT_EQ(Refcount(Id(2)), 0);
  EXPECT_STATUS(objects_->DeleteObject("bkt", "dir/k"), StatusCode::kNotFound, "no object");
  ASSERT_OK(objects_->DeleteBucket("bkt"));
  EXPECT_TRUE(objects_->ListBuckets()->empty());
}

TEST_F(ObjectServiceTest, ListingsRollUpAtTheDelimiterAndPageWithMarkers) {
  ASSERT_OK(objects_->CreateBucket("bkt", ""));
  int chunk = 1;
  for (std::string key : {"a.txt", "docs/1", "docs/2", "docs/sub/3", "img/x", "img/y", "z"}) {
    ASSERT_OK(Put("bkt", key, chunk++));
  }
  EXPECT_EQ(List({}), (Keys{"a.txt", "docs/1", "docs/2", "docs/sub/3", "img/x", "img/y", "z"}));
  EXPECT_EQ(List({.delimiter = "/"}), (Keys{"a.txt", "[docs/]", "[img/]", "z"}));
  EXPECT_EQ(List({.prefix = "docs/", .delimiter = "/"}), (Keys{"docs/1", "docs/2", "[docs/sub/]"}));
  EXPECT_EQ(List({.prefix = "docs", .delimiter = "/"}), (Keys{"[docs/]"}));

  // Pages: a common prefix counts as one entry; the marker after it skips
  // the keys it stands for.
  EXPECT_EQ(List({.delimiter = "/", .max_keys = 2}), (Keys{"a.txt", "[docs/]", "+docs/"}));
  EXPECT_EQ(List({.delimiter = "/", .start_after = "docs/", .max_keys = 2}), (Keys{"[img/]", "z"}));
  EXPECT_EQ(List({.max_keys = 3}), (Keys{"a.txt", "docs/1", "docs/2", "+docs/2"}));
  EXPECT_EQ(List({.start_after = "docs/2", .max_keys = 3}),
            (Keys{"docs/sub/3", "img/x", "img/y", "+img/y"}));
  EXPECT_EQ(List({.start_after = "img/y", .max_keys = 3}), (Keys{"z"}));
  EXPECT_EQ(List({.start_after = "z"}), Keys{});
  EXPECT_EQ(List({.max_keys = 7}).size(), 7u) << "exactly full: not truncated";
  EXPECT_EQ(List({.max_keys = 0}), (Keys{"+"}));

  // A multi-character delimiter, and one that is not ASCII.
  EXPECT_EQ(List({.delimiter = "cs/"}), (Keys{"a.txt", "[docs/]", "img/x", "img/y", "z"}));
  ASSERT_OK(Put("bkt",
                "caf\xc3\xa9\xe2\x82\xac"
                "1",
                chunk++));
  EXPECT_EQ(List({.prefix = "caf", .delimiter = "\xe2\x82\xac"}),
            (Keys{"[caf\xc3\xa9\xe2\x82\xac]"}));

  ObjectListRequest bad;
  bad.bucket = "bkt";
  bad.max_keys = 1001;
  EXPECT_STATUS(objects_->ListObjects(bad), StatusCode::kInvalidArgument, "max-keys");
  bad.max_keys = 10;
  bad.prefix = "\xff";
  EXPECT_STATUS(objects_->ListObjects(bad), StatusCode::kInvalidArgument, "UTF-8");
  bad.bucket = "nobucket";
  EXPECT_STATUS(objects_->ListObjects(bad), StatusCode::kNotFound, "no bucket");
}

TEST_F(ObjectServiceTest, MultipartUploadsCompleteFromTheirPartsChunkLists) {
  ASSERT_OK(objects_->CreateBucket("bkt", ""));
  MultipartUploadRecord request;
  request.bucket = "bkt";
  request.key = "movie.mp4";
  request.content_type = "video/mp4";
  request.metadata = {{"x-amz-meta-take", "2"}};
  EXPECT_STATUS(objects_->CreateMultipartUpload(MultipartUploadRecord{"", "nope", "k"}),
                StatusCode::kNotFound, "no bucket");
  ASSERT_OK_AND_ASSIGN(MultipartUploadRecord upload, objects_->CreateMultipartUpload(request));
  EXPECT_FALSE(upload.id.empty());
  EXPECT_EQ(upload.expires_at, clock_.Now() + absl::Hours(24));
  clock_.Advance(absl::Milliseconds(1));
  ASSERT_OK_AND_ASSIGN(MultipartUploadRecord second, objects_->CreateMultipartUpload(request));
  EXPECT_LT(upload.id, second.id) << "ids sort in initiation order";

  EXPECT_STATUS(objects_->BeginPart(upload.id, 0, {}), StatusCode::kInvalidArgument, "part number");
  EXPECT_STATUS(objects_->BeginPart(upload.id, 10001, {}), StatusCode::kInvalidArgument, "");
  EXPECT_STATUS(objects_->BeginPart("nope", 1, {}), StatusCode::kNotFound, "no upload");
  ASSERT_OK_AND_ASSIGN(PartRecord p1, PutPart(upload.id, 1, 10, 2));
  ASSERT_OK_AND_ASSIGN(PartRecord p3, PutPart(upload.id, 3, 20, 1));
  ASSERT_OK_AND_ASSIGN(PartRecord p2, PutPart(upload.id, 2, 30, 1));
  // A part uploaded again replaces the first upload of it.
  ASSERT_OK_AND_ASSIGN(PartRecord p2b, PutPart(upload.id, 2, 40, 3));
  EXPECT_STATUS(files_->GetFile(p2.file_id, false), StatusCode::kNotFound, "");
  ASSERT_OK_AND_ASSIGN(auto parts, objects_->ListParts(upload.id));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].file_id, p2b.file_id);

  // Wrong order, a part never uploaded, and a part replaced since listed
  // all fail and change nothing.
  EXPECT_STATUS(objects_->CompleteMultipartUpload(upload.id, {p3, p1}, "e-2"),
                StatusCode::kInvalidArgument, "ascend");
  PartRecord missing{upload.id, 4, "f"};
  EXPECT_STATUS(objects_->CompleteMultipartUpload(upload.id, {p1, missing}, "e-2"),
                StatusCode::kFailedPrecondition, "part 4");
  EXPECT_STATUS(objects_->CompleteMultipartUpload(upload.id, {p1, p2}, "e-2"),
                StatusCode::kFailedPrecondition, "replaced");
  EXPECT_STATUS(objects_->GetObject("bkt", "movie.mp4"), StatusCode::kNotFound, "no object");

  // Parts 1, 2 and 3 become the object, chunks in order, none copied.
  ASSERT_OK_AND_ASSIGN(ObjectRecord object,
                       objects_->CompleteMultipartUpload(upload.id, {p1, p2b, p3}, "abc-3"));
  EXPECT_EQ(object.size, 600);
  EXPECT_EQ(object.etag, "abc-3");
  EXPECT_EQ(object.content_type, "video/mp4");
  EXPECT_EQ(object.metadata, request.metadata);
  EXPECT_EQ(ChunkIdsOf(object.file_id),
            (std::vector<std::string>{Id(10), Id(11), Id(40), Id(41), Id(42), Id(20)}));
  EXPECT_EQ(Refcount(Id(10)), 1) << "the parts' files are gone, the object's holds the chunks";
  EXPECT_STATUS(files_->GetFile(p1.file_id, false), StatusCode::kNotFound, "");
  EXPECT_STATUS(objects_->GetMultipartUpload(upload.id), StatusCode::kNotFound, "no upload");
  EXPECT_STATUS(objects_->CompleteMultipartUpload(upload.id, {p1}, "x"), StatusCode::kNotFound,
                "no upload");

  // The other upload is listed, then aborted with its parts.
  ASSERT_OK_AND_ASSIGN(PartRecord other, PutPart(second.id, 1, 50, 1));
  ASSERT_OK_AND_ASSIGN(auto uploads,
                       objects_->ListMultipartUploads(MultipartUploadQuery{"bkt", "", "", "", 10}));
  ASSERT_EQ(uploads.size(), 1u);
  EXPECT_EQ(uploads[0].id, second.id);
  ASSERT_OK(objects_->AbortMultipartUpload(second.id));
  EXPECT_EQ(Refcount(Id(50)), 0);
  EXPECT_STATUS(objects_->AbortMultipartUpload(second.id), StatusCode::kNotFound, "no upload");
}

TEST_F(ObjectServiceTest, AbandonedUploadsExpireWithTheirParts) {
  ASSERT_OK(objects_->CreateBucket("bkt", ""));
  ASSERT_OK_AND_ASSIGN(MultipartUploadRecord upload,
                       objects_->CreateMultipartUpload(MultipartUploadRecord{"", "bkt", "k"}));
  ASSERT_OK(PutPart(upload.id, 1, 60, 1).status());
  clock_.Advance(absl::Hours(23));
  ASSERT_OK(gc_->RunOnce());
  ASSERT_OK(objects_->GetMultipartUpload(upload.id).status());  // not expired yet
  clock_.Advance(absl::Hours(2));
  ASSERT_OK(gc_->RunOnce());
  EXPECT_STATUS(objects_->GetMultipartUpload(upload.id), StatusCode::kNotFound, "no upload");
  EXPECT_EQ(Refcount(Id(60)), 0) << "its chunks go to the GC";
}

TEST_F(ObjectServiceTest, CopiesShareTheSourcesChunks) {
  ASSERT_OK(objects_->CreateBucket("bkt", ""));
  ASSERT_OK(objects_->CreateBucket("dst", ""));
  ASSERT_OK_AND_ASSIGN(ObjectRecord source, Put("bkt", "a", 7));
  ObjectRecord target;
  target.bucket = "dst";
  target.key = "b";
  target.etag = source.etag;
  target.content_type = "text/plain";
  EXPECT_STATUS(objects_->CopyObject("bkt", "a", "some-other-file", target),
                StatusCode::kFailedPrecondition, "replaced");
  EXPECT_STATUS(objects_->CopyObject("bkt", "nope", "", target), StatusCode::kNotFound,
                "no object");
  ASSERT_OK_AND_ASSIGN(ObjectRecord copy, objects_->CopyObject("bkt", "a", source.file_id, target));
  EXPECT_NE(copy.file_id, source.file_id);
  EXPECT_EQ(copy.size, source.size);
  EXPECT_EQ(copy.content_type, "text/plain");
  EXPECT_EQ(ChunkIdsOf(copy.file_id), ChunkIdsOf(source.file_id));
  EXPECT_EQ(Refcount(Id(7)), 2);
  // Deleting the source leaves the copy whole.
  ASSERT_OK(objects_->DeleteObject("bkt", "a"));
  EXPECT_EQ(Refcount(Id(7)), 1);
  EXPECT_EQ(ChunkIdsOf(copy.file_id), std::vector<std::string>{Id(7)});
}

}  // namespace
}  // namespace gale::coordinator
