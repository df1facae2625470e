#include "s3/gateway/memory_backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace gale::s3 {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class MemoryBackendTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(backend_.CreateBucket("bucket", "owner")); }

  void Put(const std::string& key, std::string_view data = "x") {
    ASSERT_OK_AND_ASSIGN(auto writer, backend_.PutObject("bucket", key));
    ASSERT_OK(writer->Write(data));
    ASSERT_OK(writer->Commit({}).status());
  }

  client::ObjectListing List(std::string prefix, std::string delimiter, std::string start_after,
                             int max_keys) {
    auto listing = backend_.ListObjects(
        {"bucket", std::move(prefix), std::move(delimiter), std::move(start_after), max_keys});
    EXPECT_OK(listing);
    return listing.ok() ? *listing : client::ObjectListing{};
  }

  static std::vector<std::string> Keys(const client::ObjectListing& listing) {
    std::vector<std::string> keys;
    for (const auto& object : listing.objects) keys.push_back(object.key);
    return keys;
  }

  testing::FakeClock clock_;
  MemoryBackend backend_{&clock_};
};

TEST_F(MemoryBackendTest, BucketsAndTheirErrors) {
  EXPECT_STATUS(backend_.CreateBucket("bucket", "owner"), absl::StatusCode::kAlreadyExists,
                "already exists");
  EXPECT_STATUS(backend_.CreateBucket("Bad_Name", "owner"), absl::StatusCode::kInvalidArgument,
                "bucket name");
  EXPECT_STATUS(backend_.GetBucket("nope"), absl::StatusCode::kNotFound, "no bucket named 'nope'");
  Put("k");
  EXPECT_STATUS(backend_.DeleteBucket("bucket"), absl::StatusCode::kFailedPrecondition,
                "not empty");
  ASSERT_OK(backend_.DeleteObject("bucket", "k"));
  EXPECT_STATUS(backend_.DeleteObject("bucket", "k"), absl::StatusCode::kNotFound,
                "no object 'k' in bucket 'bucket'");
  ASSERT_OK(backend_.DeleteBucket("bucket"));
  ASSERT_OK_AND_ASSIGN(auto buckets, backend_.ListBuckets());
  EXPECT_THAT(buckets, IsEmpty());
}

TEST_F(MemoryBackendTest, AbortedAndUncommittedWritesStoreNothing) {
  {
    ASSERT_OK_AND_ASSIGN(auto writer, backend_.PutObject("bucket", "a"));
    ASSERT_OK(writer->Write("abc"));
    writer->Abort();
  }
  {
    ASSERT_OK_AND_ASSIGN(auto writer, backend_.PutObject("bucket", "b"));
    ASSERT_OK(writer->Write("abc"));
  }
  EXPECT_EQ(backend_.ObjectCountForTesting(), 0u);
}

TEST_F(MemoryBackendTest, ReadsRanges) {
  Put("k", "0123456789");
  ASSERT_OK_AND_ASSIGN(auto info, backend_.HeadObject("bucket", "k"));
  std::string out;
  ASSERT_OK(backend_.ReadObject(info, 2, 5, [&](std::string_view piece) {
    out.append(piece);
    return absl::OkStatus();
  }));
  EXPECT_EQ(out, "23456");
  EXPECT_STATUS(backend_.ReadObject(info, 8, 5, [](std::string_view) { return absl::OkStatus(); }),
                absl::StatusCode::kOutOfRange, "outside");
}

TEST_F(MemoryBackendTest, ListsInByteOrder) {
  for (const char* key : {"b", "a", "\xc3\xa9", "B", "a0"}) Put(key);
  EXPECT_THAT(Keys(List("", "", "", 1000)), ElementsAre("B", "a", "a0", "b", "\xc3\xa9"));
}

TEST_F(MemoryBackendTest, PrefixDelimiterAndCommonPrefixesCountAsOneEntry) {
  for (const char* key : {"a/1", "a/2", "a/3", "b", "c/1", "d"}) Put(key);
  client::ObjectListing page = List("", "/", "", 2);
  EXPECT_THAT(page.common_prefixes, ElementsAre("a/"));
  EXPECT_THAT(Keys(page), ElementsAre("b"));
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.last, "b");

  page = List("", "/", page.last, 2);
  EXPECT_THAT(page.common_prefixes, ElementsAre("c/"));
  EXPECT_THAT(Keys(page), ElementsAre("d"));
  EXPECT_FALSE(page.truncated);

  page = List("a/", "/", "", 1000);
  EXPECT_THAT(Keys(page), ElementsAre("a/1", "a/2", "a/3"));
  EXPECT_THAT(page.common_prefixes, IsEmpty());
}

TEST_F(MemoryBackendTest, StartAfterACommonPrefixSkipsItsKeys) {
  for (const char* key : {"a/1", "a/2", "a0", "b/x"}) Put(key);
  client::ObjectListing page = List("", "/", "a/", 1000);
  EXPECT_THAT(Keys(page), ElementsAre("a0"));
  EXPECT_THAT(page.common_prefixes, ElementsAre("b/"));
  // Without a delimiter "a/" is only a key bound.
  EXPECT_THAT(Keys(List("", "", "a/", 1000)), ElementsAre("a/1", "a/2", "a0", "b/x"));
}

TEST_F(MemoryBackendTest, TruncatesExactlyAtMaxKeys) {
  for (int i = 0; i < 5; ++i) Put(StrCat("k", i));
  client::ObjectListing page = List("", "", "", 5);
  EXPECT_EQ(page.objects.size(), 5u);
  EXPECT_FALSE(page.truncated);
  page = List("", "", "", 4);
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.last, "k3");
  EXPECT_THAT(List("", "", "", 0).objects, IsEmpty());
  EXPECT_STATUS(backend_.ListObjects({"bucket", "", "", "", 1001}),
                absl::StatusCode::kInvalidArgument, "max_keys");
  EXPECT_STATUS(backend_.ListObjects({"nope", "", "", "", 10}), absl::StatusCode::kNotFound,
                "no bucket named 'nope'");
}

}  // namespace
}  // namespace gale::s3
