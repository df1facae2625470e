#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <random>
#include <sstream>
#include <string>

#include "absl/time/civil_time.h"
#include "common/strings.h"
#include "s3/protocol/s3_error.h"
#include "s3/protocol/s3_xml_requests.h"
#include "s3/protocol/s3_xml_responses.h"
#include "s3/protocol/sigv4.h"
#include "tests/testing/status_matchers.h"

namespace gale::s3 {
namespace {

constexpr std::string_view kDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

absl::Time Utc(int year, int month, int day, int hour, int minute, int second) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second),
                         absl::UTCTimeZone());
}

// Expects `result` to have failed with the S3 error `code`.
template <typename T>
void ExpectS3Error(const Result<T>& result, S3ErrorCode code, std::string_view substring = "") {
  ASSERT_FALSE(result.ok()) << "expected " << CodeName(code);
  EXPECT_EQ(S3ErrorCodeOf(result.status()), code) << result.status().ToString();
  EXPECT_NE(ToStd(result.status().message()).find(substring), std::string::npos)
      << result.status().ToString();
}

// Checks that `xml` is a well-formed document whose root is `root` in the S3
// namespace, as a client's parser would read it.
::testing::AssertionResult IsS3Document(const std::string& xml, std::string_view root) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
  if (!parsed) return ::testing::AssertionFailure() << parsed.description() << " in " << xml;
  if (doc.document_element().name() != root) {
    return ::testing::AssertionFailure() << "root " << doc.document_element().name();
  }
  if (doc.document_element().attribute("xmlns").value() != kS3XmlNamespace) {
    return ::testing::AssertionFailure() << "no S3 namespace in " << xml;
  }
  return ::testing::AssertionSuccess();
}

// --- CompleteMultipartUpload -------------------------------------------------

TEST(S3XmlRequestsTest, CompleteMultipartUploadFromTheAwsDocs) {
  ASSERT_OK_AND_ASSIGN(CompleteMultipartUpload upload, ParseCompleteMultipartUpload(R"(
<CompleteMultipartUpload>
  <Part>
    <PartNumber>1</PartNumber>
    <ETag>"a54357aff0632cce46d942af68356b38"</ETag>
  </Part>
  <Part>
    <PartNumber>2</PartNumber>
    <ETag>"0c78aef83f66abc1fa1e8477f296d394"</ETag>
  </Part>
  <Part>
    <PartNumber>3</PartNumber>
    <ETag>"acbd18db4cc2f85cedef654fccc4a4d8"</ETag>
  </Part>
</CompleteMultipartUpload>)"));
  EXPECT_EQ(upload.parts, (std::vector<CompletedPart>{
                              {1, "a54357aff0632cce46d942af68356b38", {}},
                              {2, "0c78aef83f66abc1fa1e8477f296d394", {}},
                              {3, "acbd18db4cc2f85cedef654fccc4a4d8", {}},
                          }));
}

TEST(S3XmlRequestsTest, CompleteMultipartUploadAsSdksSendIt) {
  // botocore: namespace, ETag before PartNumber, raw quotes, one line; other
  // clients: &quot;, no quotes, a namespace prefix, checksums, CDATA.
  ASSERT_OK_AND_ASSIGN(
      CompleteMultipartUpload upload,
      ParseCompleteMultipartUpload(
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
          "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
          "<Part><ETag>\"etag-3\"</ETag><PartNumber>3</PartNumber></Part>"
          "<Part><ETag>&quot;etag-1&quot;</ETag><PartNumber> 1 </PartNumber>"
          "<ChecksumSHA256>sha==</ChecksumSHA256><ChecksumCRC32>crc==</ChecksumCRC32></Part>"
          "<Part><PartNumber>+2</PartNumber><ETag><![CDATA[etag-2]]></ETag>"
          "<ChecksumCRC64NVME>nvme=</ChecksumCRC64NVME><ChecksumType>FULL_OBJECT</ChecksumType>"
          "</Part>"
          "<Part><PartNumber>10000</PartNumber><ETag>\"unbalanced</ETag></Part>"
          "</CompleteMultipartUpload>"));
  ASSERT_EQ(upload.parts.size(), 4u);
  // Document order, not sorted: the order check is the caller's.
  EXPECT_EQ(upload.parts[0], (CompletedPart{3, "etag-3", {}}));
  EXPECT_EQ(upload.parts[1], (CompletedPart{1,
                                            "etag-1",
                                            {{ChecksumAlgorithm::kSha256, "sha=="},
                                             {ChecksumAlgorithm::kCrc32, "crc=="}}}));
  EXPECT_EQ(upload.parts[2],
            (CompletedPart{2, "etag-2", {{ChecksumAlgorithm::kCrc64Nvme, "nvme="}}}));
  EXPECT_EQ(upload.parts[3], (CompletedPart{10000, "\"unbalanced", {}}));

  ASSERT_OK_AND_ASSIGN(CompleteMultipartUpload prefixed,
                       ParseCompleteMultipartUpload(
                           "<s3:CompleteMultipartUpload xmlns:s3=\"http://s3.amazonaws.com/doc/"
                           "2006-03-01/\"><s3:Part><s3:PartNumber>7</s3:PartNumber>"
                           "<s3:ETag>e</s3:ETag></s3:Part></s3:CompleteMultipartUpload>"));
  EXPECT_EQ(prefixed.parts, (std::vector<CompletedPart>{{7, "e", {}}}));
}

TEST(S3XmlRequestsTest, CompleteMultipartUploadRejects) {
  auto parse = [](std::string parts) {
    return ParseCompleteMultipartUpload("<CompleteMultipartUpload>" + parts +
                                        "</CompleteMultipartUpload>");
  };
  ExpectS3Error(parse(""), S3ErrorCode::kMalformedXML, "no <Part>");
  ExpectS3Error(parse("<Part><ETag>e</ETag></Part>"), S3ErrorCode::kMalformedXML,
                "missing <PartNumber>");
  ExpectS3Error(parse("<Part><PartNumber>1</PartNumber></Part>"), S3ErrorCode::kMalformedXML,
                "missing <ETag>");
  ExpectS3Error(parse("<Part><PartNumber>one</PartNumber><ETag>e</ETag></Part>"),
                S3ErrorCode::kMalformedXML, "not an integer");
  ExpectS3Error(parse("<Part><PartNumber>1.5</PartNumber><ETag>e</ETag></Part>"),
                S3ErrorCode::kMalformedXML, "not an integer");
  ExpectS3Error(parse("<Part><PartNumber></PartNumber><ETag>e</ETag></Part>"),
                S3ErrorCode::kMalformedXML, "not an integer");
  ExpectS3Error(parse("<Part><PartNumber>1</PartNumber><PartNumber>2</PartNumber>"
                      "<ETag>e</ETag></Part>"),
                S3ErrorCode::kMalformedXML, "more than one <PartNumber>");
  ExpectS3Error(parse("<Part><PartNumber>1</PartNumber><ETag>e<b/></ETag></Part>"),
                S3ErrorCode::kMalformedXML, "must hold text");
  ExpectS3Error(parse("<Part><PartNumber>1</PartNumber><ETag>e</ETag>"
                      "<ChecksumCRC32>a</ChecksumCRC32><ChecksumCRC32>b</ChecksumCRC32></Part>"),
                S3ErrorCode::kMalformedXML, "more than one <ChecksumCRC32>");
  for (const char* number : {"0", "10001", "-1", "99999999999", "99999999999999999999999"}) {
    const std::string part =
        StrCat("<Part><PartNumber>", number, "</PartNumber><ETag>e</ETag>", "</Part>");
    // Out of int64 is not an integer S3's schema (xs:int) accepts either.
    ExpectS3Error(parse(part), std::string_view(number).size() > 19
                                   ? S3ErrorCode::kMalformedXML
                                   : S3ErrorCode::kInvalidArgument);
  }
  ExpectS3Error(parse("<Part><PartNumber>0</PartNumber><ETag>e</ETag></Part>"),
                S3ErrorCode::kInvalidArgument, "between 1 and 10000");
}

// --- Delete (DeleteObjects) ----------------------------------------------

TEST(S3XmlRequestsTest, DeleteObjectsFromTheAwsDocs) {
  ASSERT_OK_AND_ASSIGN(DeleteObjectsRequest request, ParseDeleteObjects(R"(
<Delete>
  <Object>
    <Key>sample1.txt</Key>
  </Object>
  <Object>
    <Key>sample2.txt</Key>
  </Object>
</Delete>)"));
  EXPECT_FALSE(request.quiet);
  EXPECT_EQ(request.objects, (std::vector<ObjectIdentifier>{{"sample1.txt", std::nullopt},
                                                            {"sample2.txt", std::nullopt}}));

  ASSERT_OK_AND_ASSIGN(DeleteObjectsRequest versioned, ParseDeleteObjects(R"(
<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Quiet>true</Quiet>
  <Object>
    <Key>SampleDocument.txt</Key>
    <VersionId>OYcLXagmS.WaD..oyH4KRguB95_YhLs7</VersionId>
  </Object>
</Delete>)"));
  EXPECT_TRUE(versioned.quiet);
  EXPECT_EQ(
      versioned.objects,
      (std::vector<ObjectIdentifier>{{"SampleDocument.txt", "OYcLXagmS.WaD..oyH4KRguB95_YhLs7"}}));
}

TEST(S3XmlRequestsTest, DeleteObjectsKeysAreTakenExactly) {
  ASSERT_OK_AND_ASSIGN(
      DeleteObjectsRequest request,
      ParseDeleteObjects("<Delete><Object><Key> </Key></Object>"
                         "<Object><Key> padded\n</Key></Object>"
                         "<Object><Key>a&amp;b&lt;c&gt;&quot;d&apos;e&#x20AC;&#233;</Key></Object>"
                         "<Object><Key><![CDATA[x&<y>]]></Key></Object>"
                         "<Object><Key></Key></Object>"
                         "<Object><Key>dup</Key><ETag>ignored</ETag></Object>"
                         "<Object><Key>dup</Key></Object>"
                         "<Quiet> 0 </Quiet></Delete>"));
  EXPECT_FALSE(request.quiet);
  std::vector<std::string> keys;
  for (const ObjectIdentifier& object : request.objects) keys.push_back(object.key);
  EXPECT_EQ(keys, (std::vector<std::string>{" ", " padded\n", "a&b<c>\"d'e\xE2\x82\xAC\xC3\xA9",
                                            "x&<y>", "", "dup", "dup"}));
}

TEST(S3XmlRequestsTest, DeleteObjectsRejects) {
  auto objects = [](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += StrCat("<Object><Key>key-", i, "</Key></Object>");
    return out;
  };
  ASSERT_OK_AND_ASSIGN(DeleteObjectsRequest most,
                       ParseDeleteObjects("<Delete>" + objects(1000) + "</Delete>"));
  EXPECT_EQ(most.objects.size(), 1000u);
  EXPECT_EQ(most.objects.back().key, "key-999");
  ExpectS3Error(ParseDeleteObjects("<Delete>" + objects(1001) + "</Delete>"),
                S3ErrorCode::kMalformedXML, "more than 1000");
  ExpectS3Error(ParseDeleteObjects("<Delete><Quiet>true</Quiet></Delete>"),
                S3ErrorCode::kMalformedXML, "no <Object>");
  ExpectS3Error(ParseDeleteObjects("<Delete><Object><VersionId>v</VersionId></Object></Delete>"),
                S3ErrorCode::kMalformedXML, "missing <Key>");
  ExpectS3Error(ParseDeleteObjects("<Delete><Quiet>yes</Quiet>" + objects(1) + "</Delete>"),
                S3ErrorCode::kMalformedXML, "<Quiet>");
  ExpectS3Error(ParseDeleteObjects("<Delete><Quiet>true</Quiet><Quiet>true</Quiet>" + objects(1) +
                                   "</Delete>"),
                S3ErrorCode::kMalformedXML, "more than one <Quiet>");
  ExpectS3Error(ParseDeleteObjects("<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>"),
                S3ErrorCode::kMalformedXML, "more than one <Key>");
}

// --- Malformed bodies, shared by every parser -----------------------------

TEST(S3XmlRequestsTest, NotXmlWrongRootOrTrailingJunk) {
  const std::string object = "<Object><Key>k</Key></Object>";
  for (const std::string& body : {
           std::string(""),
           std::string("   \n"),
           std::string("not xml at all"),
           std::string("{\"Objects\": []}"),
           "<Delete>" + object,                                               // unclosed
           "<Delete>" + object + "</Delet>",                                  // mismatched
           "<Delete>" + object + "</Delete><Delete>" + object + "</Delete>",  // two roots
           "<Delete>" + object + "</Delete>trailing text",
           "leading text<Delete>" + object + "</Delete>",
           "<Tagging>" + object + "</Tagging>",  // another body
           "<delete>" + object + "</delete>",    // names are case-sensitive
           "<Delete>" + object + "</Delete>\n<!-- a comment is fine -->",
       }) {
    const auto result = ParseDeleteObjects(body);
    if (body.ends_with("-->")) {
      EXPECT_TRUE(result.ok()) << body;
      continue;
    }
    ExpectS3Error(result, S3ErrorCode::kMalformedXML);
  }
  ExpectS3Error(ParseDeleteObjects("<Tagging><TagSet/></Tagging>"), S3ErrorCode::kMalformedXML,
                "the root element is <Tagging>, expected <Delete>");
}

TEST(S3XmlRequestsTest, BodyLargerThanTheCapIsMalformed) {
  const std::string body = "<Delete><Object><Key>k</Key></Object></Delete>";
  EXPECT_OK(ParseDeleteObjects(body, body.size()));
  ExpectS3Error(ParseDeleteObjects(body, body.size() - 1), S3ErrorCode::kMalformedXML,
                "larger than");
  ExpectS3Error(ParseTagging("<Tagging><TagSet/></Tagging>", kMaxObjectTags, 10),
                S3ErrorCode::kMalformedXML, "larger than 10 bytes");
}

TEST(S3XmlRequestsTest, DoctypeAndEntityTricksAreRejectedOrHarmless) {
  // Billion laughs: the DOCTYPE is rejected; pugixml would not expand the
  // entities anyway.
  std::string laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE Delete [\n<!ENTITY lol \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    laughs += StrCat("<!ENTITY lol", i, " \"");
    for (int j = 0; j < 10; ++j) laughs += StrCat("&lol", i == 1 ? "" : StrCat(i - 1), ";");
    laughs += "\">\n";
  }
  laughs += "]>\n<Delete><Object><Key>&lol9;</Key></Object></Delete>";
  ExpectS3Error(ParseDeleteObjects(laughs), S3ErrorCode::kMalformedXML, "DOCTYPE");
  // External entities (XXE).
  ExpectS3Error(ParseDeleteObjects("<!DOCTYPE Delete [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                                   "<Delete><Object><Key>&xxe;</Key></Object></Delete>"),
                S3ErrorCode::kMalformedXML, "DOCTYPE");
  ExpectS3Error(ParseTagging("<!DOCTYPE Tagging SYSTEM \"http://example.com/t.dtd\">"
                             "<Tagging><TagSet/></Tagging>"),
                S3ErrorCode::kMalformedXML, "DOCTYPE");
  // Without a DOCTYPE an undeclared entity is never expanded: it stays text.
  ASSERT_OK_AND_ASSIGN(DeleteObjectsRequest literal,
                       ParseDeleteObjects("<Delete><Object><Key>&lol9;</Key></Object></Delete>"));
  EXPECT_EQ(literal.objects[0].key, "&lol9;");
  // A reference to U+0000 would silently cut the key short; a NUL byte too.
  for (const char* reference : {"&#0;", "&#x0;", "&#X00;", "&#0000;"}) {
    ExpectS3Error(ParseDeleteObjects(StrCat("<Delete><Object><Key>victim", reference,
                                            "suffix</Key></Object></Delete>")),
                  S3ErrorCode::kMalformedXML, "U+0000");
  }
  std::string with_nul = "<Delete><Object><Key>victim";
  with_nul += '\0';
  with_nul += "suffix</Key></Object></Delete>";
  ExpectS3Error(ParseDeleteObjects(with_nul), S3ErrorCode::kMalformedXML, "NUL byte");
  ASSERT_OK_AND_ASSIGN(DeleteObjectsRequest ten,
                       ParseDeleteObjects("<Delete><Object><Key>a&#10;&#x30;</Key></Object>"
                                          "</Delete>"));
  EXPECT_EQ(ten.objects[0].key, "a\n0");
}

TEST(S3XmlRequestsTest, DeepNestingDoesNotOverflowTheStack) {
  std::string body = "<Delete><Object><Key>k</Key><Deep>";
  for (int i = 0; i < 200000; ++i) body += "<a>";
  for (int i = 0; i < 200000; ++i) body += "</a>";
  body += "</Deep></Object></Delete>";
  ASSERT_OK_AND_ASSIGN(DeleteObjectsRequest request, ParseDeleteObjects(body));
  EXPECT_EQ(request.objects.size(), 1u);
}

// --- Tagging -----------------------------------------------------------------

TEST(S3XmlRequestsTest, TaggingFromTheAwsDocs) {
  ASSERT_OK_AND_ASSIGN(Tagging tagging, ParseTagging(R"(
<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <TagSet>
    <Tag>
      <Key>tag1</Key>
      <Value>val1</Value>
    </Tag>
    <Tag>
      <Key>tag2</Key>
      <Value>val2</Value>
    </Tag>
  </TagSet>
</Tagging>)"));
  EXPECT_EQ(tagging.tags, (std::vector<Tag>{{"tag1", "val1"}, {"tag2", "val2"}}));
  ASSERT_OK_AND_ASSIGN(Tagging empty, ParseTagging("<Tagging><TagSet></TagSet></Tagging>"));
  EXPECT_TRUE(empty.tags.empty());
  ASSERT_OK_AND_ASSIGN(Tagging empty_value,
                       ParseTagging("<Tagging><TagSet><Tag><Key>k</Key><Value/></Tag>"
                                    "</TagSet></Tagging>"));
  EXPECT_EQ(empty_value.tags, (std::vector<Tag>{{"k", ""}}));
}

TEST(S3XmlRequestsTest, TaggingLimits) {
  auto tagging = [](const std::vector<Tag>& tags) {
    std::string body = "<Tagging><TagSet>";
    for (const Tag& tag : tags) {
      body += StrCat("<Tag><Key>", XmlEscape(tag.key), "</Key><Value>", XmlEscape(tag.value),
                     "</Value></Tag>");
    }
    return body + "</TagSet></Tagging>";
  };
  std::vector<Tag> ten;
  for (int i = 0; i < 10; ++i) ten.push_back({StrCat("k", i), StrCat("v", i)});
  EXPECT_OK(ParseTagging(tagging(ten)));
  std::vector<Tag> eleven = ten;
  eleven.push_back({"k10", "v10"});
  ExpectS3Error(ParseTagging(tagging(eleven)), S3ErrorCode::kInvalidTag, "greater than 10");
  EXPECT_OK(ParseTagging(tagging(eleven), /*max_tags=*/50));  // a bucket's limit

  // Lengths count characters, not bytes: 128 "é" (256 bytes) is a valid key.
  std::string key128;
  for (int i = 0; i < 128; ++i) key128 += "\xC3\xA9";
  std::string value256;
  for (int i = 0; i < 256; ++i) value256 += "\xE2\x82\xAC";
  EXPECT_OK(ParseTagging(tagging({{key128, value256}})));
  ExpectS3Error(ParseTagging(tagging({{key128 + "x", "v"}})), S3ErrorCode::kInvalidTag,
                "TagKey you have provided is too long");
  ExpectS3Error(ParseTagging(tagging({{"k", value256 + "x"}})), S3ErrorCode::kInvalidTag,
                "TagValue you have provided is too long");
  ExpectS3Error(ParseTagging(tagging({{"a", "1"}, {"b", "2"}, {"a", "3"}})),
                S3ErrorCode::kInvalidTag, "same key");
  ExpectS3Error(ParseTagging(tagging({{"", "v"}})), S3ErrorCode::kInvalidTag, "invalid");
  ExpectS3Error(ParseTagging(tagging({{"aws:cloudformation", "v"}})), S3ErrorCode::kInvalidTag,
                "aws:");
  ExpectS3Error(ParseTagging(tagging({{"bad\xC3", "v"}})), S3ErrorCode::kInvalidTag, "invalid");
  ExpectS3Error(ParseTagging(tagging({{"k", "\xED\xA0\x80"}})),  // a surrogate
                S3ErrorCode::kInvalidTag, "invalid");
  ExpectS3Error(ParseTagging(tagging({{"k", "\xC0\xAF"}})),  // overlong '/'
                S3ErrorCode::kInvalidTag, "invalid");
  // "Key" and "key" differ.
  EXPECT_OK(ParseTagging(tagging({{"Key", "1"}, {"key", "2"}})));

  ExpectS3Error(ParseTagging("<Tagging></Tagging>"), S3ErrorCode::kMalformedXML, "<TagSet>");
  ExpectS3Error(ParseTagging("<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>"),
                S3ErrorCode::kMalformedXML, "missing <Value>");
  ExpectS3Error(ParseTagging("<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>"),
                S3ErrorCode::kMalformedXML, "missing <Key>");
  ExpectS3Error(ParseTagging("<Tagging><TagSet/><TagSet/></Tagging>"), S3ErrorCode::kMalformedXML,
                "more than one <TagSet>");
}

// --- CreateBucketConfiguration, VersioningConfiguration -----------------

TEST(S3XmlRequestsTest, CreateBucketConfiguration) {
  ASSERT_OK_AND_ASSIGN(CreateBucketConfiguration europe, ParseCreateBucketConfiguration(R"(
<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <LocationConstraint>Europe</LocationConstraint>
</CreateBucketConfiguration>)"));
  EXPECT_EQ(europe.location_constraint, "Europe");
  for (const char* body :
       {"", " \r\n", "<CreateBucketConfiguration/>",
        "<CreateBucketConfiguration><LocationConstraint/></CreateBucketConfiguration>"}) {
    ASSERT_OK_AND_ASSIGN(CreateBucketConfiguration none, ParseCreateBucketConfiguration(body));
    EXPECT_EQ(none.location_constraint, "") << body;
  }
  ExpectS3Error(ParseCreateBucketConfiguration("<CreateBucketConfiguration>"),
                S3ErrorCode::kMalformedXML);
  ExpectS3Error(ParseCreateBucketConfiguration("<LocationConstraint>eu</LocationConstraint>"),
                S3ErrorCode::kMalformedXML, "expected <CreateBucketConfiguration>");
}

TEST(S3XmlRequestsTest, VersioningConfiguration) {
  ASSERT_OK_AND_ASSIGN(VersioningConfiguration enabled, ParseVersioningConfiguration(R"(
<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Status>Enabled</Status>
</VersioningConfiguration>)"));
  EXPECT_EQ(enabled.status, VersioningConfiguration::Status::kEnabled);
  EXPECT_EQ(enabled.mfa_delete, std::nullopt);
  ASSERT_OK_AND_ASSIGN(
      VersioningConfiguration suspended,
      ParseVersioningConfiguration("<VersioningConfiguration><Status>Suspended</Status>"
                                   "<MfaDelete>Disabled</MfaDelete></VersioningConfiguration>"));
  EXPECT_EQ(suspended.status, VersioningConfiguration::Status::kSuspended);
  EXPECT_EQ(suspended.mfa_delete, false);
  ASSERT_OK_AND_ASSIGN(VersioningConfiguration empty,
                       ParseVersioningConfiguration("<VersioningConfiguration/>"));
  EXPECT_EQ(empty.status, std::nullopt);
  ExpectS3Error(ParseVersioningConfiguration(
                    "<VersioningConfiguration><Status>On</Status></VersioningConfiguration>"),
                S3ErrorCode::kMalformedXML, "<Status>");
  ExpectS3Error(ParseVersioningConfiguration(
                    "<VersioningConfiguration><MfaDelete>x</MfaDelete></VersioningConfiguration>"),
                S3ErrorCode::kMalformedXML, "<MfaDelete>");
  ExpectS3Error(ParseVersioningConfiguration(""), S3ErrorCode::kMalformedXML);
}

// --- Helpers of the responses ------------------------------------------------

TEST(S3XmlResponsesTest, TimestampsHaveMilliseconds) {
  EXPECT_EQ(S3Timestamp(Utc(2006, 2, 3, 16, 45, 9)), "2006-02-03T16:45:09.000Z");
  EXPECT_EQ(S3Timestamp(Utc(2006, 2, 3, 16, 45, 9) + absl::Microseconds(123999)),
            "2006-02-03T16:45:09.123Z");  // truncated
  EXPECT_EQ(S3Timestamp(absl::UnixEpoch()), "1970-01-01T00:00:00.000Z");
  // As absl::FormatTime writes it, over four centuries either side of the
  // epoch (before it too: the milliseconds count up from the second's start).
  std::mt19937_64 random(7);
  for (int i = 0; i < 2000; ++i) {
    const absl::Time t =
        absl::UnixEpoch() +
        absl::Microseconds(static_cast<int64_t>(random() % (int64_t{25'000'000'000'000'000}) -
                                                int64_t{12'500'000'000'000'000}));
    EXPECT_EQ(S3Timestamp(t), absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()));
  }
  // Years without four digits: as %Y writes them.
  for (const int year : {12000, 999, 5, -44}) {
    const absl::Time t =
        absl::FromCivil(absl::CivilSecond(year, 1, 2, 3, 4, 5), absl::UTCTimeZone());
    EXPECT_EQ(S3Timestamp(t), absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()));
  }
}

TEST(S3XmlResponsesTest, ListingUrlEncoding) {
  EXPECT_EQ(S3ListingUrlEncode("photos/2006/a b+c~d*e-f_g.h"), "photos/2006/a+b%2Bc%7Ed*e-f_g.h");
  EXPECT_EQ(S3ListingUrlEncode("\xC3\xA9&<>\"'%\x01"), "%C3%A9%26%3C%3E%22%27%25%01");
  // Clients undo it with a '+'-is-space URL decoder.
  const std::string key = "dir/a b+c~%é\x7f?=&#.txt";
  EXPECT_EQ(UriDecode(S3ListingUrlEncode(key), /*plus_is_space=*/true), key);
  EXPECT_EQ(QuotedETag("abc"), "\"abc\"");
  EXPECT_EQ(QuotedETag("\"abc\""), "\"abc\"");
  EXPECT_EQ(QuotedETag("abc-2"), "\"abc-2\"");
}

// --- Listings -----------------------------------------------------------------

TEST(S3XmlResponsesTest, ListObjectsV2PageWithCommonPrefixesAndEscaping) {
  ListBucketResultV2 page;
  page.bucket = "example-bucket";
  page.prefix = "photos/";
  page.delimiter = "/";
  page.max_keys = 2;
  page.is_truncated = true;
  page.next_continuation_token = "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=";
  page.contents.push_back({.key = "photos/a&b<c>\"d'e.jpg",
                           .last_modified = Utc(2009, 10, 12, 17, 50, 30),
                           .etag = "fba9dede5f27731c9771645a39863328",
                           .size = 434234});
  page.common_prefixes = {"photos/2006/"};
  const std::string xml = ToXml(page);
  EXPECT_EQ(xml, StrCat(kDeclaration,
                        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        "<Name>example-bucket</Name><Prefix>photos/</Prefix>"
                        "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/"
                        "wm36Hy4vbOwM=</NextContinuationToken>"
                        "<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter>"
                        "<IsTruncated>true</IsTruncated>"
                        "<Contents><Key>photos/a&amp;b&lt;c&gt;&quot;d&apos;e.jpg</Key>"
                        "<LastModified>2009-10-12T17:50:30.000Z</LastModified>"
                        "<ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>"
                        "<Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>"
                        "<CommonPrefixes><Prefix>photos/2006/</Prefix></CommonPrefixes>"
                        "</ListBucketResult>"));
  ASSERT_TRUE(IsS3Document(xml, "ListBucketResult"));
  // What a client reads back.
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  const pugi::xml_node contents = doc.document_element().child("Contents");
  EXPECT_STREQ(contents.child_value("Key"), "photos/a&b<c>\"d'e.jpg");
  EXPECT_STREQ(contents.child_value("ETag"), "\"fba9dede5f27731c9771645a39863328\"");
}

TEST(S3XmlResponsesTest, ListObjectsV2OptionalElementsAndOwner) {
  ListBucketResultV2 page;
  page.bucket = "b";
  page.continuation_token = "token";
  page.start_after = "a b";
  page.owner = Owner{"owner-id", "owner"};
  page.contents.push_back({"k", absl::UnixEpoch(), "\"e\"", 0});
  const std::string xml = ToXml(page);
  ASSERT_TRUE(IsS3Document(xml, "ListBucketResult"));
  EXPECT_NE(xml.find("<Prefix></Prefix><ContinuationToken>token</ContinuationToken><KeyCount>1"
                     "</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
                     "<StartAfter>a b</StartAfter>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<ETag>&quot;e&quot;</ETag><Size>0</Size><Owner><ID>owner-id</ID>"
                     "<DisplayName>owner</DisplayName></Owner><StorageClass>"),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("Delimiter"), std::string::npos);
  EXPECT_EQ(xml.find("EncodingType"), std::string::npos);
  EXPECT_EQ(xml.find("NextContinuationToken"), std::string::npos);
}

TEST(S3XmlResponsesTest, ListObjectsV2UrlEncoding) {
  ListBucketResultV2 page;
  page.bucket = "b";
  page.prefix = "dir one/";
  page.delimiter = "|";
  page.start_after = "dir one/a~";
  page.continuation_token = "opaque+/=";
  page.url_encoding = true;
  page.contents.push_back({"dir one/é&+.txt", absl::UnixEpoch(), "e", 1});
  page.common_prefixes = {"dir one/sub|"};
  const std::string xml = ToXml(page);
  ASSERT_TRUE(IsS3Document(xml, "ListBucketResult"));
  EXPECT_EQ(xml, StrCat(kDeclaration,
                        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        "<Name>b</Name><Prefix>dir+one/</Prefix>"
                        "<ContinuationToken>opaque+/=</ContinuationToken>"
                        "<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>%7C</Delimiter>"
                        "<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
                        "<StartAfter>dir+one/a%7E</StartAfter>"
                        "<Contents><Key>dir+one/%C3%A9%26%2B.txt</Key>"
                        "<LastModified>1970-01-01T00:00:00.000Z</LastModified>"
                        "<ETag>&quot;e&quot;</ETag><Size>1</Size>"
                        "<StorageClass>STANDARD</StorageClass></Contents>"
                        "<CommonPrefixes><Prefix>dir+one/sub%7C</Prefix></CommonPrefixes>"
                        "</ListBucketResult>"));
  // Decoded as botocore does (unquote_plus), the key comes back.
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  EXPECT_EQ(UriDecode(doc.document_element().child("Contents").child_value("Key"), true),
            "dir one/é&+.txt");
}

TEST(S3XmlResponsesTest, ListObjectsV1MarkersAndOwner) {
  ListBucketResult page;
  page.bucket = "quotes";
  page.prefix = "N";
  page.marker = "Ned";
  page.max_keys = 40;
  page.is_truncated = true;
  page.next_marker = "Nelson";
  page.owner = Owner{"bcaf1ffd86f41161ca5fb16fd081034f", "webfile"};
  page.contents.push_back(
      {"Nelson", Utc(2006, 1, 1, 12, 0, 0), "828ef3fdfa96f00ad9f27c383fc9ac7f", 5});
  // Without a delimiter S3 leaves NextMarker out: clients continue from the
  // last key.
  std::string xml = ToXml(page);
  ASSERT_TRUE(IsS3Document(xml, "ListBucketResult"));
  EXPECT_EQ(xml, StrCat(kDeclaration,
                        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        "<Name>quotes</Name><Prefix>N</Prefix><Marker>Ned</Marker>"
                        "<MaxKeys>40</MaxKeys><IsTruncated>true</IsTruncated>"
                        "<Contents><Key>Nelson</Key>"
                        "<LastModified>2006-01-01T12:00:00.000Z</LastModified>"
                        "<ETag>&quot;828ef3fdfa96f00ad9f27c383fc9ac7f&quot;</ETag><Size>5</Size>"
                        "<Owner><ID>bcaf1ffd86f41161ca5fb16fd081034f</ID>"
                        "<DisplayName>webfile</DisplayName></Owner>"
                        "<StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>"));
  page.delimiter = " ";
  page.url_encoding = true;
  page.next_marker = "Nelson Mandela";
  page.common_prefixes = {"New "};
  xml = ToXml(page);
  ASSERT_TRUE(IsS3Document(xml, "ListBucketResult"));
  EXPECT_NE(xml.find("<Marker>Ned</Marker><NextMarker>Nelson+Mandela</NextMarker><MaxKeys>40"
                     "</MaxKeys><Delimiter>+</Delimiter><EncodingType>url</EncodingType>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<CommonPrefixes><Prefix>New+</Prefix></CommonPrefixes>"), std::string::npos)
      << xml;
  page.is_truncated = false;
  EXPECT_EQ(ToXml(page).find("NextMarker"), std::string::npos);
}

TEST(S3XmlResponsesTest, ListVersionsShowsEachObjectAsItsNullVersion) {
  ListVersionsResult result;
  result.bucket = "b";
  result.max_keys = 1;
  result.is_truncated = true;
  result.next_key_marker = "a<";
  result.owner = Owner{"id", "name"};
  result.versions.push_back({"a<", Utc(2020, 1, 2, 3, 4, 5), "e", 3});
  const std::string xml = ToXml(result);
  ASSERT_TRUE(IsS3Document(xml, "ListVersionsResult"));
  EXPECT_NE(xml.find("<KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker>"
                     "<NextKeyMarker>a&lt;</NextKeyMarker><NextVersionIdMarker>null"
                     "</NextVersionIdMarker><MaxKeys>1</MaxKeys><IsTruncated>true</IsTruncated>"
                     "<Version><Key>a&lt;</Key><VersionId>null</VersionId>"
                     "<IsLatest>true</IsLatest><LastModified>2020-01-02T03:04:05.000Z"
                     "</LastModified><ETag>&quot;e&quot;</ETag><Size>3</Size><Owner><ID>id</ID>"
                     "<DisplayName>name</DisplayName></Owner><StorageClass>STANDARD"
                     "</StorageClass></Version></ListVersionsResult>"),
            std::string::npos)
      << xml;
}

// --- Buckets, objects, uploads -----------------------------------------------

TEST(S3XmlResponsesTest, ListAllMyBuckets) {
  ListAllMyBucketsResult result;
  result.owner = {"bcaf1ffd86f461ca5fb16fd081034f", "webfile"};
  result.buckets = {{"quotes", Utc(2006, 2, 3, 16, 45, 9)},
                    {"samples", Utc(2006, 2, 3, 16, 41, 58) + absl::Milliseconds(7)}};
  const std::string xml = ToXml(result);
  EXPECT_EQ(xml, StrCat(kDeclaration,
                        "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        "<Owner><ID>bcaf1ffd86f461ca5fb16fd081034f</ID>"
                        "<DisplayName>webfile</DisplayName></Owner><Buckets>"
                        "<Bucket><Name>quotes</Name>"
                        "<CreationDate>2006-02-03T16:45:09.000Z</CreationDate></Bucket>"
                        "<Bucket><Name>samples</Name>"
                        "<CreationDate>2006-02-03T16:41:58.007Z</CreationDate></Bucket>"
                        "</Buckets></ListAllMyBucketsResult>"));
  ASSERT_TRUE(IsS3Document(xml, "ListAllMyBucketsResult"));
  EXPECT_EQ(ToXml(ListAllMyBucketsResult{}),
            StrCat(kDeclaration,
                   "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                   "<Owner><ID></ID><DisplayName></DisplayName></Owner><Buckets></Buckets>"
                   "</ListAllMyBucketsResult>"));
}

TEST(S3XmlResponsesTest, DeleteResultQuietAndNot) {
  DeleteResult result;
  result.deleted = {{"sample1.txt", std::nullopt}, {"a&b", "v1"}};
  result.errors = {{"sample2.txt", std::nullopt, S3ErrorCode::kAccessDenied, "Access Denied"}};
  std::string xml = ToXml(result);
  EXPECT_EQ(xml, StrCat(kDeclaration,
                        "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        "<Deleted><Key>sample1.txt</Key></Deleted>"
                        "<Deleted><Key>a&amp;b</Key><VersionId>v1</VersionId></Deleted>"
                        "<Error><Key>sample2.txt</Key><Code>AccessDenied</Code>"
                        "<Message>Access Denied</Message></Error></DeleteResult>"));
  ASSERT_TRUE(IsS3Document(xml, "DeleteResult"));
  result.quiet = true;
  xml = ToXml(result);
  EXPECT_EQ(xml, StrCat(kDeclaration,
                        "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        "<Error><Key>sample2.txt</Key><Code>AccessDenied</Code>"
                        "<Message>Access Denied</Message></Error></DeleteResult>"));
  result.errors.clear();
  EXPECT_EQ(ToXml(result), StrCat(kDeclaration,
                                  "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                                  "</DeleteResult>"));
}

TEST(S3XmlResponsesTest, MultipartDocuments) {
  std::string xml = ToXml(InitiateMultipartUploadResult{"example-bucket", "example-object",
                                                        "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS"});
  EXPECT_EQ(xml, StrCat(kDeclaration,
                        "<InitiateMultipartUploadResult "
                        "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        "<Bucket>example-bucket</Bucket><Key>example-object</Key>"
                        "<UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS</UploadId>"
                        "</InitiateMultipartUploadResult>"));
  xml = ToXml(CompleteMultipartUploadResult{"http://Example-Bucket.s3.amazonaws.com/Example-Object",
                                            "Example-Bucket", "Example-Object",
                                            "3858f62230ac3c915f300c664312c11f-9"});
  EXPECT_EQ(xml, StrCat(kDeclaration,
                        "<CompleteMultipartUploadResult "
                        "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        "<Location>http://Example-Bucket.s3.amazonaws.com/Example-Object</Location>"
                        "<Bucket>Example-Bucket</Bucket><Key>Example-Object</Key>"
                        "<ETag>&quot;3858f62230ac3c915f300c664312c11f-9&quot;</ETag>"
                        "</CompleteMultipartUploadResult>"));

  ListPartsResult parts;
  parts.bucket = "b";
  parts.key = "k";
  parts.upload_id = "u";
  parts.part_number_marker = 1;
  parts.next_part_number_marker = 3;
  parts.max_parts = 2;
  parts.is_truncated = true;
  parts.owner = {"id", "name"};
  parts.parts = {
      {2, Utc(2010, 11, 10, 20, 48, 34), "7778aef83f66abc1fa1e8477f296d394", 10485760},
      {3, Utc(2010, 11, 10, 20, 48, 33), "\"aaaa18db4cc2f85cedef654fccc4a4x8\"", 10485760}};
  xml = ToXml(parts);
  ASSERT_TRUE(IsS3Document(xml, "ListPartsResult"));
  EXPECT_NE(xml.find("<Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId><Initiator><ID>id</ID>"
                     "<DisplayName>name</DisplayName></Initiator><Owner><ID>id</ID>"
                     "<DisplayName>name</DisplayName></Owner><StorageClass>STANDARD"
                     "</StorageClass><PartNumberMarker>1</PartNumberMarker>"
                     "<NextPartNumberMarker>3</NextPartNumberMarker><MaxParts>2</MaxParts>"
                     "<IsTruncated>true</IsTruncated><Part><PartNumber>2</PartNumber>"
                     "<LastModified>2010-11-10T20:48:34.000Z</LastModified>"
                     "<ETag>&quot;7778aef83f66abc1fa1e8477f296d394&quot;</ETag>"
                     "<Size>10485760</Size></Part><Part><PartNumber>3</PartNumber>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<ETag>&quot;aaaa18db4cc2f85cedef654fccc4a4x8&quot;</ETag>"),
            std::string::npos);

  ListMultipartUploadsResult uploads;
  uploads.bucket = "bucket";
  uploads.key_marker = "my movie.m2ts";
  uploads.next_key_marker = "my movie.m2ts";
  uploads.upload_id_marker = "u0";
  uploads.next_upload_id_marker = "u1";
  uploads.prefix = "my ";
  uploads.delimiter = "/";
  uploads.max_uploads = 3;
  uploads.url_encoding = true;
  uploads.owner = {"id", "name"};
  uploads.uploads = {{"my movie.m2ts", "u1", Utc(2010, 11, 26, 19, 24, 17)}};
  uploads.common_prefixes = {"my dir/"};
  xml = ToXml(uploads);
  ASSERT_TRUE(IsS3Document(xml, "ListMultipartUploadsResult"));
  EXPECT_NE(xml.find("<Bucket>bucket</Bucket><KeyMarker>my+movie.m2ts</KeyMarker>"
                     "<UploadIdMarker>u0</UploadIdMarker><NextKeyMarker>my+movie.m2ts"
                     "</NextKeyMarker><NextUploadIdMarker>u1</NextUploadIdMarker>"
                     "<Delimiter>/</Delimiter><Prefix>my+</Prefix><MaxUploads>3</MaxUploads>"
                     "<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
                     "<Upload><Key>my+movie.m2ts</Key><UploadId>u1</UploadId>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<StorageClass>STANDARD</StorageClass><Initiated>2010-11-26T19:24:17.000Z"
                     "</Initiated></Upload><CommonPrefixes><Prefix>my+dir/</Prefix>"
                     "</CommonPrefixes></ListMultipartUploadsResult>"),
            std::string::npos)
      << xml;
}

TEST(S3XmlResponsesTest, CopyResults) {
  const absl::Time when = Utc(2009, 10, 28, 22, 32, 0);
  EXPECT_EQ(ToXml(CopyObjectResult{when, "9b2cf535f27731c974343645a3985328"}),
            StrCat(kDeclaration,
                   "<CopyObjectResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                   "<LastModified>2009-10-28T22:32:00.000Z</LastModified>"
                   "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>"
                   "</CopyObjectResult>"));
  EXPECT_EQ(ToXml(CopyPartResult{when, "9b2cf535f27731c974343645a3985328"}),
            StrCat(kDeclaration,
                   "<CopyPartResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                   "<LastModified>2009-10-28T22:32:00.000Z</LastModified>"
                   "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>"
                   "</CopyPartResult>"));
}

TEST(S3XmlResponsesTest, LocationAndVersioning) {
  EXPECT_EQ(ToXml(LocationConstraint{"us-east-1"}),
            StrCat(kDeclaration,
                   "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                   "</LocationConstraint>"));
  EXPECT_EQ(ToXml(LocationConstraint{""}), ToXml(LocationConstraint{"us-east-1"}));
  const std::string eu = ToXml(LocationConstraint{"eu-west-1"});
  EXPECT_EQ(eu, StrCat(kDeclaration,
                       "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                       "eu-west-1</LocationConstraint>"));
  ASSERT_TRUE(IsS3Document(eu, "LocationConstraint"));
  const std::string never = ToXml(VersioningConfiguration{});
  EXPECT_EQ(never, StrCat(kDeclaration,
                          "<VersioningConfiguration "
                          "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                          "</VersioningConfiguration>"));
  ASSERT_TRUE(IsS3Document(never, "VersioningConfiguration"));
}

// --- Round trips: what gale-s3 renders parses back ---------------------------

TEST(S3XmlRoundTripTest, TaggingAndVersioning) {
  // Includes a CR, which only survives as a character reference.
  const Tagging tagging{{{"project", "gale & <s3>"},
                         {"\"quoted\"", "'single'"},
                         {" ", ""},
                         {"cr\r", "lf\n\tcrlf\r\n"}}};
  const std::string xml = ToXml(tagging);
  ASSERT_TRUE(IsS3Document(xml, "Tagging"));
  ASSERT_OK_AND_ASSIGN(Tagging parsed, ParseTagging(xml));
  EXPECT_EQ(parsed.tags, tagging.tags);

  for (const auto status :
       {VersioningConfiguration::Status::kEnabled, VersioningConfiguration::Status::kSuspended}) {
    const VersioningConfiguration configuration{status, true};
    ASSERT_OK_AND_ASSIGN(VersioningConfiguration back,
                         ParseVersioningConfiguration(ToXml(configuration)));
    EXPECT_EQ(back.status, status);
    EXPECT_EQ(back.mfa_delete, true);
  }
  ASSERT_OK_AND_ASSIGN(VersioningConfiguration none,
                       ParseVersioningConfiguration(ToXml(VersioningConfiguration{})));
  EXPECT_EQ(none.status, std::nullopt);
}

TEST(S3XmlRoundTripTest, BodiesAClientWritesWithAnXmlLibrary) {
  // A client building the body with pugixml, as SDKs do with their XML
  // writers: every special character escaped its own way.
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("Delete");
  root.append_attribute("xmlns") = std::string(kS3XmlNamespace).c_str();
  root.append_child("Quiet").text() = "true";
  const std::vector<std::string> keys = {"a&b", "<tag>", "\"q\" 'a'", "tab\there", "é/ü"};
  for (const std::string& key : keys) {
    root.append_child("Object").append_child("Key").text() = key.c_str();
  }
  std::ostringstream out;
  doc.save(out);
  ASSERT_OK_AND_ASSIGN(DeleteObjectsRequest request, ParseDeleteObjects(out.str()));
  EXPECT_TRUE(request.quiet);
  ASSERT_EQ(request.objects.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(request.objects[i].key, keys[i]);
}

}  // namespace
}  // namespace gale::s3
