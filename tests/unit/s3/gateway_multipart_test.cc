// The gateway's multipart uploads and copies over a MemoryBackend: the S3
// ETags, the parts' checks at completion, and CopyObject's directives and
// conditions, with every object read back byte for byte.

#include "tests/unit/s3/gateway_fixture.h"

namespace gale::s3 {
namespace {

using namespace testing_gateway;  // NOLINT: the fixture's names

constexpr int64_t kMinPart = 1000;  // instead of S3's 5 MiB, to keep the test small

class GatewayMultipartTest : public GatewayTest {
 protected:
  void SetUp() override {
    GatewayTest::SetUp();
    StopServer();
    S3GatewayOptions options;
    options.min_part_bytes = kMinPart;
    StartServer(options);
    CreateBucket("bkt");
  }

  std::string Initiate(const std::string& key, httplib::Headers headers = {}) {
    auto res = Send("POST", "/bkt/" + key, "uploads=", "", std::move(headers));
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(Between(res->body, "<Key>", "</Key>"), key);
    return Between(res->body, "<UploadId>", "</UploadId>");
  }

  // Uploads part `number`; returns its ETag header.
  std::string Part(const std::string& key, const std::string& upload_id, int number,
                   const std::string& data) {
    auto res =
        Send("PUT", "/bkt/" + key, StrCat("partNumber=", number, "&uploadId=", upload_id), data);
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, 200) << res->body;
    return res->get_header_value("ETag");
  }

  static std::string CompleteBody(const std::vector<std::pair<int, std::string>>& parts) {
    std::string body = "<CompleteMultipartUpload>";
    for (const auto& [number, etag] : parts) {
      body += StrCat("<Part><PartNumber>", number, "</PartNumber><ETag>", etag, "</ETag></Part>");
    }
    return body + "</CompleteMultipartUpload>";
  }

  httplib::Result Complete(const std::string& key, const std::string& upload_id,
                           const std::vector<std::pair<int, std::string>>& parts) {
    return Send("POST", "/bkt/" + key, "uploadId=" + upload_id, CompleteBody(parts));
  }

  std::string Get(const std::string& key) {
    auto res = Send("GET", "/bkt/" + key);
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, 200) << res->body;
    return res->body;
  }
};

TEST_F(GatewayMultipartTest, PartsJoinIntoOneObjectWithTheMultipartETag) {
  const std::string id =
      Initiate("movie", {{"Content-Type", "video/mp4"}, {"x-amz-meta-take", "2"}});
  ASSERT_FALSE(id.empty());
  const std::string a = Data(2500), b = Data(1000).substr(500) + Data(700), c = "tail";
  const std::string etag_a = Part("movie", id, 1, a);
  EXPECT_EQ(etag_a, StrCat("\"", Md5Hex(a), "\""));
  Part("movie", id, 2, "to be replaced");
  const std::string etag_b = Part("movie", id, 2, b);
  const std::string etag_c = Part("movie", id, 3, c);

  auto res = Send("GET", "/bkt/movie", "uploadId=" + id);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, HasSubstr("<PartNumber>2</PartNumber>"));
  EXPECT_THAT(res->body, HasSubstr(StrCat("<Size>", b.size(), "</Size>")));
  EXPECT_THAT(res->body, Not(HasSubstr("<IsTruncated>true")));
  res = Send("GET", "/bkt/movie", "max-parts=1&uploadId=" + id);
  ASSERT_TRUE(res);
  EXPECT_THAT(res->body, HasSubstr("<IsTruncated>true</IsTruncated>"));
  EXPECT_THAT(res->body, HasSubstr("<NextPartNumberMarker>1</NextPartNumberMarker>"));
  res = Send("GET", "/bkt", "uploads=");
  ASSERT_TRUE(res);
  EXPECT_THAT(res->body, HasSubstr(StrCat("<UploadId>", id, "</UploadId>")));
  ExpectError(Send("GET", "/bkt/movie"), 404, "NoSuchKey");

  res = Complete("movie", id, {{1, etag_a}, {2, etag_b}, {3, etag_c}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string md5s = *HexDecode(Md5Hex(a)) + *HexDecode(Md5Hex(b)) + *HexDecode(Md5Hex(c));
  const std::string etag = StrCat("\"", Md5Hex(md5s), "-3\"");
  EXPECT_THAT(Between(res->body, "<ETag>", "</ETag>"), HasSubstr(Md5Hex(md5s) + "-3"));
  EXPECT_TRUE(Get("movie") == a + b + c);
  res = Send("HEAD", "/bkt/movie");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("ETag"), etag);
  EXPECT_EQ(res->get_header_value("Content-Type"), "video/mp4");
  EXPECT_EQ(res->get_header_value("x-amz-meta-take"), "2");
  // The upload is gone.
  ExpectError(Send("GET", "/bkt/movie", "uploadId=" + id), 404, "NoSuchUpload");
  res = Send("GET", "/bkt", "uploads=");
  ASSERT_TRUE(res);
  EXPECT_THAT(res->body, Not(HasSubstr("<Upload>")));
}

TEST_F(GatewayMultipartTest, BadCompletionsChangeNothing) {
  const std::string id = Initiate("k");
  const std::string big = Data(kMinPart), bigger = Data(kMinPart + 1), small = Data(kMinPart - 1);
  const std::string e1 = Part("k", id, 1, small), e2 = Part("k", id, 2, big),
                    e3 = Part("k", id, 3, bigger);
  ExpectError(Complete("k", id, {{2, e2}, {1, e1}}), 400, "InvalidPartOrder");
  ExpectError(Complete("k", id, {{2, e2}, {2, e2}}), 400, "InvalidPartOrder");
  ExpectError(Complete("k", id, {{2, e2}, {4, e3}}), 400, "InvalidPart");
  ExpectError(Complete("k", id, {{2, e2}, {3, e2}}), 400, "InvalidPart");
  ExpectError(Complete("k", id, {{1, e1}, {2, e2}}), 400, "EntityTooSmall");
  ExpectError(Send("POST", "/bkt/k", "uploadId=" + id, "<CompleteMultipartUpload>"), 400,
              "MalformedXML");
  ExpectError(Complete("other", id, {{2, e2}}), 404, "NoSuchUpload");
  ExpectError(Complete("k", "no-such-id", {{2, e2}}), 404, "NoSuchUpload");
  ExpectError(Send("PUT", "/bkt/k", "partNumber=0&uploadId=" + id, "x"), 400, "InvalidArgument");
  ExpectError(Send("PUT", "/bkt/k", "partNumber=10001&uploadId=" + id, "x"), 400,
              "InvalidArgument");
  EXPECT_EQ(backend_.ObjectCountForTesting(), 0u);

  // The last part may be small; the ones before may not.
  auto res = Complete("k", id, {{2, e2}, {3, e3}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(Get("k") == big + bigger);
}

TEST_F(GatewayMultipartTest, AbortDropsTheUploadAndItsParts) {
  const std::string id = Initiate("k");
  Part("k", id, 1, "bytes");
  auto res = Send("DELETE", "/bkt/k", "uploadId=" + id);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204) << res->body;
  ExpectError(Send("DELETE", "/bkt/k", "uploadId=" + id), 404, "NoSuchUpload");
  ExpectError(Send("PUT", "/bkt/k", "partNumber=1&uploadId=" + id, "x"), 404, "NoSuchUpload");
  ExpectError(Send("GET", "/bkt/k", "uploadId=" + id), 404, "NoSuchUpload");
}

TEST_F(GatewayMultipartTest, ListMultipartUploadsRollsUpAndPages) {
  for (const char* key : {"a/1", "a/2", "b", "c/x/y"}) Initiate(key);
  auto res = Send("GET", "/bkt", "uploads=&delimiter=/");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, HasSubstr("<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>"));
  EXPECT_THAT(res->body, HasSubstr("<CommonPrefixes><Prefix>c/</Prefix></CommonPrefixes>"));
  EXPECT_THAT(res->body, HasSubstr("<Key>b</Key>"));
  EXPECT_THAT(res->body, Not(HasSubstr("<Key>a/1</Key>")));
  res = Send("GET", "/bkt", "uploads=&prefix=a/");
  ASSERT_TRUE(res);
  EXPECT_THAT(res->body, HasSubstr("<Key>a/1</Key>"));
  EXPECT_THAT(res->body, HasSubstr("<Key>a/2</Key>"));
  EXPECT_THAT(res->body, Not(HasSubstr("<Key>b</Key>")));
  res = Send("GET", "/bkt", "uploads=&max-uploads=2");
  ASSERT_TRUE(res);
  EXPECT_THAT(res->body, HasSubstr("<IsTruncated>true</IsTruncated>"));
  EXPECT_THAT(res->body, HasSubstr("<NextKeyMarker>a/2</NextKeyMarker>"));
  res = Send("GET", "/bkt", "uploads=&key-marker=a/2");
  ASSERT_TRUE(res);
  EXPECT_THAT(res->body, Not(HasSubstr("<Key>a/2</Key>")));
  EXPECT_THAT(res->body, HasSubstr("<Key>b</Key>"));
  EXPECT_THAT(res->body, HasSubstr("<IsTruncated>false</IsTruncated>"));
}

TEST_F(GatewayMultipartTest, CopyObjectKeepsOrReplacesMetadata) {
  PutObject(
      "bkt", "src", "source bytes",
      {{"Content-Type", "text/plain"}, {"x-amz-meta-color", "blue"}, {"x-amz-tagging", "t=1"}});
  auto res = Send("PUT", "/bkt/copy", "", "", {{"x-amz-copy-source", "/bkt/src"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, HasSubstr("<CopyObjectResult"));
  EXPECT_THAT(res->body, HasSubstr(Md5Hex("source bytes")));
  EXPECT_EQ(Get("copy"), "source bytes");
  ASSERT_OK_AND_ASSIGN(auto copy, backend_.HeadObject("bkt", "copy"));
  EXPECT_EQ(copy.attributes.content_type, "text/plain");
  EXPECT_EQ(copy.attributes.metadata.at("x-amz-meta-color"), "blue");
  EXPECT_EQ(copy.attributes.tags.at("t"), "1");
  EXPECT_EQ(copy.attributes.etag, Md5Hex("source bytes"));

  res = Send("PUT", "/bkt/replaced", "", "",
             {{"x-amz-copy-source", "bkt/src"},
              {"x-amz-metadata-directive", "REPLACE"},
              {"Content-Type", "application/json"},
              {"x-amz-meta-shape", "round"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  ASSERT_OK_AND_ASSIGN(auto replaced, backend_.HeadObject("bkt", "replaced"));
  EXPECT_EQ(replaced.attributes.content_type, "application/json");
  EXPECT_EQ(replaced.attributes.metadata.count("x-amz-meta-color"), 0u);
  EXPECT_EQ(replaced.attributes.metadata.at("x-amz-meta-shape"), "round");
  EXPECT_EQ(replaced.attributes.tags.at("t"), "1") << "tags follow their own directive";

  // A copy onto itself must change something; conditions and sources are checked.
  ExpectError(Send("PUT", "/bkt/src", "", "", {{"x-amz-copy-source", "/bkt/src"}}), 400,
              "InvalidRequest");
  ExpectError(Send("PUT", "/bkt/c2", "", "",
                   {{"x-amz-copy-source", "/bkt/src"}, {"x-amz-copy-source-if-match", "\"x\""}}),
              412, "PreconditionFailed");
  ExpectError(Send("PUT", "/bkt/c2", "", "",
                   {{"x-amz-copy-source", "/bkt/src"},
                    {"x-amz-copy-source-if-none-match", Md5Hex("source bytes")}}),
              412, "PreconditionFailed");
  ExpectError(Send("PUT", "/bkt/c2", "", "", {{"x-amz-copy-source", "/bkt/nope"}}), 404,
              "NoSuchKey");
  ExpectError(Send("PUT", "/bkt/c2", "", "", {{"x-amz-copy-source", "/nobucket/k"}}), 404,
              "NoSuchBucket");
  ExpectError(Send("PUT", "/bkt/c2", "", "", {{"x-amz-copy-source", "/bkt"}}), 400,
              "InvalidArgument");
  ExpectError(Send("PUT", "/bkt/c2", "", "",
                   {{"x-amz-copy-source", "/bkt/src"}, {"x-amz-metadata-directive", "MOVE"}}),
              400, "InvalidArgument");
  EXPECT_STATUS(backend_.HeadObject("bkt", "c2"), absl::StatusCode::kNotFound, "");
}

TEST_F(GatewayMultipartTest, CopySourceSignedUrlEncoded) {
  // Clients sign x-amz-copy-source URL-encoded; the server decodes header
  // values before the gateway sees them.
  PutObject("bkt", "dir/a%20b%2B%C3%A9", "spaced");
  auto res = Send("PUT", "/bkt/copied", "", "", {{"x-amz-copy-source", "/bkt/dir/a%20b%2B%C3%A9"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Get("copied"), "spaced");
}

TEST_F(GatewayMultipartTest, UploadPartCopyTakesARange) {
  const std::string source = Data(3000);
  PutObject("bkt", "src", source);
  const std::string id = Initiate("joined");
  auto res = Send("PUT", "/bkt/joined", "partNumber=1&uploadId=" + id, "",
                  {{"x-amz-copy-source", "/bkt/src"}, {"x-amz-copy-source-range", "bytes=0-1499"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string e1 = Between(res->body, "<ETag>", "</ETag>");
  EXPECT_THAT(e1, HasSubstr(Md5Hex(source.substr(0, 1500))));
  res = Send("PUT", "/bkt/joined", "partNumber=2&uploadId=" + id, "",
             {{"x-amz-copy-source", "/bkt/src"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string e2 = Between(res->body, "<ETag>", "</ETag>");
  ExpectError(Send("PUT", "/bkt/joined", "partNumber=3&uploadId=" + id, "",
                   {{"x-amz-copy-source", "/bkt/src"}, {"x-amz-copy-source-range", "bytes=10-"}}),
              400, "InvalidArgument");
  ExpectError(
      Send("PUT", "/bkt/joined", "partNumber=3&uploadId=" + id, "",
           {{"x-amz-copy-source", "/bkt/src"}, {"x-amz-copy-source-range", "bytes=0-3000"}}),
      400, "InvalidArgument");
  res = Complete("joined", id, {{1, e1}, {2, e2}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(Get("joined") == source.substr(0, 1500) + source);
}

}  // namespace
}  // namespace gale::s3
