#include "s3/protocol/sigv4.h"

#include <gtest/gtest.h>

#include "common/sha256.h"
#include "s3/protocol/s3_error.h"
#include "s3/protocol/signing_key_cache.h"
#include "tests/testing/status_matchers.h"

namespace gale::s3 {
namespace {

// The credentials and time of AWS's published S3 SigV4 examples.
constexpr char kAccessKey[] = "AKIAIOSFODNN7EXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr char kEmptySha[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kHost[] = "examplebucket.s3.amazonaws.com";
const absl::Time kExampleTime =
    absl::FromCivil(absl::CivilSecond(2013, 5, 24, 0, 0, 0), absl::UTCTimeZone());

std::string AuthHeader(std::string_view signed_headers, std::string_view signature) {
  return StrCat("AWS4-HMAC-SHA256 Credential=", kAccessKey,
                "/20130524/us-east-1/s3/aws4_request,SignedHeaders=", signed_headers,
                ",Signature=", signature);
}

// "GET Object": GET /test.txt with Range: bytes=0-9.
SigV4Request GetObjectExample() {
  return SigV4Request{
      "GET",
      "/test.txt",
      "",
      {{"Host", kHost},
       {"Range", "bytes=0-9"},
       {"x-amz-content-sha256", kEmptySha},
       {"x-amz-date", "20130524T000000Z"},
       {"Authorization",
        AuthHeader("host;range;x-amz-content-sha256;x-amz-date",
                   "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")}}};
}

// "PUT Object": PUT /test$file.text, body "Welcome to Amazon S3.".
SigV4Request PutObjectExample() {
  return SigV4Request{
      "PUT",
      "/test$file.text",
      "",
      {{"Host", kHost},
       {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
       {"x-amz-date", "20130524T000000Z"},
       {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
       {"x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"},
       {"Authorization",
        AuthHeader("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                   "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")}}};
}

SigV4Request BucketGetExample(std::string query, std::string signature) {
  return SigV4Request{
      "GET",
      "/",
      std::move(query),
      {{"Host", kHost},
       {"x-amz-date", "20130524T000000Z"},
       {"x-amz-content-sha256", kEmptySha},
       {"Authorization", AuthHeader("host;x-amz-content-sha256;x-amz-date", signature)}}};
}

// The presigned GET of /test.txt, valid 86400 s.
SigV4Request PresignedExample() {
  return SigV4Request{
      "GET",
      "/test.txt",
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-"
      "1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders="
      "host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
      {{"Host", kHost}}};
}

S3ErrorCode CodeOf(const Result<SigV4Auth>& result) {
  EXPECT_FALSE(result.ok());
  return S3ErrorCodeOf(result.status());
}

TEST(SigV4Test, GetObjectExample) {
  const SigV4Request request = GetObjectExample();
  ASSERT_OK_AND_ASSIGN(const SigV4Credentials credentials, ParseSigV4(request));
  EXPECT_EQ(credentials.access_key_id, kAccessKey);
  EXPECT_EQ(credentials.scope.ToString(), "20130524/us-east-1/s3/aws4_request");
  ASSERT_OK_AND_ASSIGN(const std::string canonical,
                       CanonicalRequest(request, credentials, kEmptySha));
  EXPECT_EQ(canonical, StrCat("GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\n"
                              "range:bytes=0-9\nx-amz-content-sha256:",
                              kEmptySha, "\nx-amz-date:20130524T000000Z\n\n",
                              "host;range;x-amz-content-sha256;x-amz-date\n", kEmptySha));
  EXPECT_EQ(StringToSign(credentials.amz_date, credentials.scope, canonical),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  ASSERT_OK_AND_ASSIGN(const SigV4Auth auth,
                       VerifySigV4(request, kSecret, kExampleTime, {.region = "us-east-1"}));
  EXPECT_EQ(auth.payload_mode, PayloadMode::kSha256Hex);
  EXPECT_EQ(auth.payload_sha256, kEmptySha);
  EXPECT_EQ(auth.signing_key, SigningKey(kSecret, "20130524", "us-east-1", "s3"));
  EXPECT_EQ(auth.signing_key.size(), 32u);
}

TEST(SigV4Test, PutObjectExample) {
  const SigV4Request request = PutObjectExample();
  ASSERT_OK_AND_ASSIGN(const SigV4Credentials credentials, ParseSigV4(request));
  ASSERT_OK_AND_ASSIGN(
      const std::string canonical,
      CanonicalRequest(request, credentials,
                       "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"));
  EXPECT_EQ(canonical.substr(0, 22), "PUT\n/test%24file.text\n");
  EXPECT_EQ(common::Sha256::Hex(canonical),
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  ASSERT_OK_AND_ASSIGN(const SigV4Auth auth, VerifySigV4(request, kSecret, kExampleTime));
  EXPECT_EQ(auth.payload_sha256, common::Sha256::Hex("Welcome to Amazon S3."));
}

TEST(SigV4Test, GetBucketLifecycleExample) {
  EXPECT_OK(VerifySigV4(
      BucketGetExample("lifecycle",
                       "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
      kSecret, kExampleTime));
}

TEST(SigV4Test, ListObjectsExample) {
  const std::string signature = "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7";
  EXPECT_OK(VerifySigV4(BucketGetExample("max-keys=2&prefix=J", signature), kSecret, kExampleTime));
  // The canonical query is sorted: the order sent does not matter.
  EXPECT_OK(VerifySigV4(BucketGetExample("prefix=J&max-keys=2", signature), kSecret, kExampleTime));
  EXPECT_EQ(CodeOf(VerifySigV4(BucketGetExample("max-keys=3&prefix=J", signature), kSecret,
                               kExampleTime)),
            S3ErrorCode::kSignatureDoesNotMatch);
}

TEST(SigV4Test, PresignedExample) {
  const SigV4Request request = PresignedExample();
  ASSERT_OK_AND_ASSIGN(const SigV4Credentials credentials, ParseSigV4(request));
  EXPECT_TRUE(credentials.presigned);
  EXPECT_EQ(credentials.expires_seconds, 86400);
  ASSERT_OK_AND_ASSIGN(const std::string canonical,
                       CanonicalRequest(request, credentials, "UNSIGNED-PAYLOAD"));
  EXPECT_EQ(
      canonical,
      "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%"
      "2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires="
      "86400&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\n"
      "UNSIGNED-PAYLOAD");
  ASSERT_OK_AND_ASSIGN(const SigV4Auth auth,
                       VerifySigV4(request, kSecret, kExampleTime + absl::Hours(1)));
  EXPECT_EQ(auth.payload_mode, PayloadMode::kUnsignedPayload);
  // Valid up to its last second, expired after it.
  EXPECT_OK(VerifySigV4(request, kSecret, kExampleTime + absl::Seconds(86400)));
  const auto expired = VerifySigV4(request, kSecret, kExampleTime + absl::Seconds(86401));
  EXPECT_EQ(CodeOf(expired), S3ErrorCode::kAccessDenied);
  EXPECT_EQ(ToStd(expired.status().message()), "Request has expired");
  // Dated further in the future than the allowed skew.
  EXPECT_EQ(CodeOf(VerifySigV4(request, kSecret, kExampleTime - absl::Minutes(16))),
            S3ErrorCode::kAccessDenied);
  // Tampered: another object, another signature.
  SigV4Request other = request;
  other.raw_path = "/test2.txt";
  EXPECT_EQ(CodeOf(VerifySigV4(other, kSecret, kExampleTime)), S3ErrorCode::kSignatureDoesNotMatch);
}

TEST(SigV4Test, PresignedParameterErrors) {
  auto with_query = [](std::string query) {
    return SigV4Request{"GET", "/test.txt", std::move(query), {{"Host", kHost}}};
  };
  const std::string base =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-"
      "east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-SignedHeaders=host&X-Amz-"
      "Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  for (const std::string& query :
       {base,  // no X-Amz-Expires
        base + "&X-Amz-Expires=604801", base + "&X-Amz-Expires=0", base + "&X-Amz-Expires=-5",
        base + "&X-Amz-Expires=soon", base + "&X-Amz-Expires=60&X-Amz-Expires=60",
        StrCat("X-Amz-Algorithm=AWS4-HMAC-SHA1", base.substr(31), "&X-Amz-Expires=60")}) {
    const auto result = ParseSigV4(with_query(query));
    ASSERT_FALSE(result.ok()) << query;
    EXPECT_EQ(S3ErrorCodeOf(result.status()), S3ErrorCode::kAuthorizationQueryParametersError)
        << query << ": " << result.status();
  }
  EXPECT_OK(ParseSigV4(with_query(base + "&X-Amz-Expires=604800")));
  // The date must be the long ISO 8601 form.
  std::string bad_date = base + "&X-Amz-Expires=60";
  bad_date.replace(bad_date.find("20130524T000000Z"), 16, "2013-05-24T00:00");
  EXPECT_EQ(S3ErrorCodeOf(ParseSigV4(with_query(bad_date)).status()),
            S3ErrorCode::kAuthorizationQueryParametersError);
  // Both mechanisms at once.
  SigV4Request both = PresignedExample();
  both.headers.emplace_back("Authorization", GetObjectExample().headers.back().second);
  EXPECT_EQ(S3ErrorCodeOf(ParseSigV4(both).status()), S3ErrorCode::kInvalidArgument);
  // Neither.
  EXPECT_EQ(S3ErrorCodeOf(ParseSigV4(with_query("")).status()), S3ErrorCode::kAccessDenied);
  // Signature Version 2 in the query string, as Debian 12's boto3 presigns.
  const std::string v2 =
      "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=DApf4TtZ%2B81xRriwQ%2B7Q9GwaEF4%3D&"
      "Expires=1796540709";
  EXPECT_TRUE(IsSigV2Presigned(v2));
  EXPECT_FALSE(IsSigV2Presigned("AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE"));
  EXPECT_FALSE(IsSigV2Presigned(base));
  EXPECT_EQ(S3ErrorCodeOf(ParseSigV4(with_query(v2)).status()), S3ErrorCode::kInvalidRequest);
}

TEST(SigV4Test, WrongSecretDoesNotMatch) {
  EXPECT_EQ(CodeOf(VerifySigV4(GetObjectExample(), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ",
                               kExampleTime)),
            S3ErrorCode::kSignatureDoesNotMatch);
}

TEST(SigV4Test, CachedSigningKeysVerifyAsDerivedOnesAndFollowTheSecret) {
  SigningKeyCache cache(/*capacity=*/2);
  const SigV4Options options{.region = "us-east-1", .signing_keys = &cache};
  for (int i = 0; i < 2; ++i) {  // derived, then from the cache
    ASSERT_OK_AND_ASSIGN(const SigV4Auth auth,
                         VerifySigV4(GetObjectExample(), kSecret, kExampleTime, options));
    EXPECT_EQ(auth.signing_key, SigningKey(kSecret, "20130524", "us-east-1", "s3"));
    EXPECT_EQ(cache.size(), 1u);
  }
  // A changed secret is a new key, never the old one's.
  EXPECT_EQ(CodeOf(VerifySigV4(GetObjectExample(), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ",
                               kExampleTime, options)),
            S3ErrorCode::kSignatureDoesNotMatch);
  EXPECT_EQ(cache.size(), 2u);
  // Full: it starts over, and every answer is still the derivation's.
  EXPECT_EQ(cache.Get(kSecret, "20130525", "us-east-1", "s3"),
            SigningKey(kSecret, "20130525", "us-east-1", "s3"));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_NE(cache.Get(kSecret, "20130525", "eu-west-1", "s3"),
            cache.Get(kSecret, "20130525", "us-east-1", "s3"));
}

// HmacSha256 against RFC 4231's test case 2 (HMAC-SHA-256).
TEST(SigV4Test, HmacSha256KnownAnswer) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SigV4Test, TamperedRequestsDoNotMatch) {
  SigV4Request range = GetObjectExample();
  range.headers[1].second = "bytes=0-99";
  EXPECT_EQ(CodeOf(VerifySigV4(range, kSecret, kExampleTime)), S3ErrorCode::kSignatureDoesNotMatch);
  SigV4Request method = GetObjectExample();
  method.method = "DELETE";
  EXPECT_EQ(CodeOf(VerifySigV4(method, kSecret, kExampleTime)),
            S3ErrorCode::kSignatureDoesNotMatch);
  SigV4Request signature = GetObjectExample();
  signature.headers.back().second.back() = '2';
  EXPECT_EQ(CodeOf(VerifySigV4(signature, kSecret, kExampleTime)),
            S3ErrorCode::kSignatureDoesNotMatch);
  SigV4Request missing = GetObjectExample();
  missing.headers.erase(missing.headers.begin() + 1);  // Range, which is signed
  EXPECT_EQ(CodeOf(VerifySigV4(missing, kSecret, kExampleTime)),
            S3ErrorCode::kSignatureDoesNotMatch);
}

TEST(SigV4Test, HeaderValuesAreCanonicalized) {
  // Extra spaces around and inside a value, and header names in any case,
  // sign as the canonical form.
  SigV4Request request = GetObjectExample();
  request.headers[0] = {"HOST", "  examplebucket.s3.amazonaws.com "};
  request.headers[1] = {"rAnGe", "\tbytes=0-9  "};
  EXPECT_OK(VerifySigV4(request, kSecret, kExampleTime));
}

TEST(SigV4Test, ClockSkew) {
  EXPECT_OK(VerifySigV4(GetObjectExample(), kSecret, kExampleTime + absl::Minutes(15)));
  EXPECT_OK(VerifySigV4(GetObjectExample(), kSecret, kExampleTime - absl::Minutes(15)));
  EXPECT_EQ(CodeOf(VerifySigV4(GetObjectExample(), kSecret,
                               kExampleTime + absl::Minutes(15) + absl::Seconds(1))),
            S3ErrorCode::kRequestTimeTooSkewed);
  EXPECT_EQ(CodeOf(VerifySigV4(GetObjectExample(), kSecret, kExampleTime - absl::Hours(2))),
            S3ErrorCode::kRequestTimeTooSkewed);
}

TEST(SigV4Test, MalformedAuthorizationHeaders) {
  const std::string sig = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
  const std::string good_sh = "host;range;x-amz-content-sha256;x-amz-date";
  struct Case {
    std::string header;
    S3ErrorCode code;
  };
  const std::vector<Case> cases = {
      {StrCat("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/2013052/us-east-1/s3/"
              "aws4_request,SignedHeaders=",
              good_sh, ",Signature=", sig),
       S3ErrorCode::kAuthorizationHeaderMalformed},
      {StrCat("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
              "aws4_requests,SignedHeaders=",
              good_sh, ",Signature=", sig),
       S3ErrorCode::kAuthorizationHeaderMalformed},
      {StrCat("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/ec2/"
              "aws4_request,SignedHeaders=",
              good_sh, ",Signature=", sig),
       S3ErrorCode::kAuthorizationHeaderMalformed},
      {StrCat("AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request,SignedHeaders=",
              good_sh, ",Signature=", sig),
       S3ErrorCode::kAuthorizationHeaderMalformed},
      {StrCat("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
              "aws4_request,SignedHeaders=",
              good_sh),
       S3ErrorCode::kAuthorizationHeaderMalformed},
      {StrCat("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
              "aws4_request,SignedHeaders=range;x-amz-date,Signature=",
              sig),
       S3ErrorCode::kAuthorizationHeaderMalformed},  // host not signed
      {StrCat("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
              "aws4_request,SignedHeaders=Host;range,Signature=",
              sig),
       S3ErrorCode::kAuthorizationHeaderMalformed},
      {StrCat("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
              "aws4_request,SignedHeaders=",
              good_sh, ",Signature=", sig, ",Extra=1"),
       S3ErrorCode::kAuthorizationHeaderMalformed},
      {"AWS4-HMAC-SHA256", S3ErrorCode::kAuthorizationHeaderMalformed},
      {"AWS4-ECDSA-P256-SHA256 Credential=x", S3ErrorCode::kAuthorizationHeaderMalformed},
      {"AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", S3ErrorCode::kInvalidRequest},
      {"", S3ErrorCode::kInvalidRequest},
  };
  for (const Case& c : cases) {
    SigV4Request request = GetObjectExample();
    request.headers.back().second = c.header;
    const auto result = VerifySigV4(request, kSecret, kExampleTime);
    ASSERT_FALSE(result.ok()) << c.header;
    EXPECT_EQ(S3ErrorCodeOf(result.status()), c.code) << c.header << ": " << result.status();
  }
  // Spaces after the commas, as most SDKs send them, are fine.
  SigV4Request spaced = GetObjectExample();
  spaced.headers.back().second = StrCat(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
      "SignedHeaders=",
      good_sh, ", Signature=", sig);
  EXPECT_OK(VerifySigV4(spaced, kSecret, kExampleTime));
}

TEST(SigV4Test, RequestChecks) {
  // A scope for another region than the gateway's: the answer names the
  // right one (<Region>), for clients that retry there.
  const auto wrong_region =
      VerifySigV4(GetObjectExample(), kSecret, kExampleTime, {.region = "eu-west-1"});
  EXPECT_EQ(CodeOf(wrong_region), S3ErrorCode::kAuthorizationHeaderMalformed);
  EXPECT_EQ(ErrorFieldsOf(wrong_region.status()), (ErrorFields{{"Region", "eu-west-1"}}));
  EXPECT_EQ(CodeOf(VerifySigV4(PresignedExample(), kSecret, kExampleTime, {.region = "eu-west-1"})),
            S3ErrorCode::kAuthorizationQueryParametersError);
  // No x-amz-content-sha256.
  SigV4Request no_hash = GetObjectExample();
  no_hash.headers.erase(no_hash.headers.begin() + 2);
  EXPECT_EQ(CodeOf(VerifySigV4(no_hash, kSecret, kExampleTime)), S3ErrorCode::kInvalidRequest);
  // A bad one.
  SigV4Request bad_hash = GetObjectExample();
  bad_hash.headers[2].second = "not-a-hash";
  EXPECT_EQ(CodeOf(VerifySigV4(bad_hash, kSecret, kExampleTime)), S3ErrorCode::kInvalidArgument);
  // An x-amz-* header the signature does not cover.
  SigV4Request unsigned_meta = GetObjectExample();
  unsigned_meta.headers.emplace_back("x-amz-meta-owner", "eve");
  EXPECT_EQ(CodeOf(VerifySigV4(unsigned_meta, kSecret, kExampleTime)), S3ErrorCode::kAccessDenied);
  // No date at all.
  SigV4Request no_date = GetObjectExample();
  no_date.headers.erase(no_date.headers.begin() + 3);
  EXPECT_EQ(CodeOf(VerifySigV4(no_date, kSecret, kExampleTime)), S3ErrorCode::kAccessDenied);
  // A credential date other than the request's.
  SigV4Request other_day = GetObjectExample();
  other_day.headers[3].second = "20130525T000000Z";
  EXPECT_EQ(CodeOf(VerifySigV4(other_day, kSecret, kExampleTime + absl::Hours(24))),
            S3ErrorCode::kAuthorizationHeaderMalformed);
}

TEST(SigV4Test, StreamingSeedExample) {
  // "Transferring Payload in Multiple Chunks": the seed signature.
  const SigV4Request request{
      "PUT",
      "/examplebucket/chunkObject.txt",
      "",
      {{"Host", "s3.amazonaws.com"},
       {"x-amz-date", "20130524T000000Z"},
       {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
       {"Authorization",
        AuthHeader("content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-"
                   "decoded-content-length;x-amz-storage-class",
                   "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")},
       {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
       {"Content-Encoding", "aws-chunked"},
       {"x-amz-decoded-content-length", "66560"},
       {"Content-Length", "66824"}}};
  ASSERT_OK_AND_ASSIGN(const SigV4Auth auth, VerifySigV4(request, kSecret, kExampleTime));
  EXPECT_EQ(auth.payload_mode, PayloadMode::kStreamingSigned);
  EXPECT_EQ(auth.seed_signature(),
            "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
}

TEST(SigV4Test, CanonicalUriEncodesOnceWithoutNormalizing) {
  EXPECT_EQ(CanonicalUri(""), "/");
  EXPECT_EQ(CanonicalUri("/"), "/");
  EXPECT_EQ(CanonicalUri("/test$file.text"), "/test%24file.text");
  EXPECT_EQ(CanonicalUri("/test%24file.text"), "/test%24file.text");
  // Sent encoded or not, a key encodes the same way, and only once.
  EXPECT_EQ(CanonicalUri("/photos/%C3%A9t%C3%A9%202013/a+b"), "/photos/%C3%A9t%C3%A9%202013/a%2Bb");
  EXPECT_EQ(CanonicalUri("/photos/\xC3\xA9t\xC3\xA9 2013/a+b"),
            "/photos/%C3%A9t%C3%A9%202013/a%2Bb");
  EXPECT_EQ(CanonicalUri("/a%252Fb"), "/a%252Fb");
  // No normalization of dot segments or empty segments.
  EXPECT_EQ(CanonicalUri("/bucket/./a/../b//c"), "/bucket/./a/../b//c");
  EXPECT_EQ(CanonicalUri("/~user/a_b-c.d"), "/~user/a_b-c.d");
  EXPECT_EQ(CanonicalUri("/100%"), "/100%25");
}

TEST(SigV4Test, CanonicalQuery) {
  EXPECT_EQ(CanonicalQuery("", false), "");
  EXPECT_EQ(CanonicalQuery("acl", false), "acl=");
  EXPECT_EQ(CanonicalQuery("b=2&a=1&a=0", false), "a=0&a=1&b=2");
  EXPECT_EQ(CanonicalQuery("prefix=a+b&delimiter=%2F", false), "delimiter=%2F&prefix=a%20b");
  EXPECT_EQ(CanonicalQuery("x=%7e~&y=*", false), "x=~~&y=%2A");
  EXPECT_EQ(CanonicalQuery("a&&b=", false), "a=&b=");
  EXPECT_EQ(CanonicalQuery("X-Amz-Signature=abc&a=1", true), "a=1");
  EXPECT_EQ(CanonicalQuery("X-Amz-Signature=abc&a=1", false), "X-Amz-Signature=abc&a=1");
}

TEST(SigV4Test, UriEncodeAndDecode) {
  EXPECT_EQ(UriEncode("a b/c", true), "a%20b%2Fc");
  EXPECT_EQ(UriEncode("a b/c", false), "a%20b/c");
  EXPECT_EQ(UriEncode("\xff", false), "%FF");
  EXPECT_EQ(UriDecode("%41%4a%zz%", false), "AJ%zz%");
  EXPECT_EQ(UriDecode("a+b", true), "a b");
  EXPECT_EQ(UriDecode("a+b", false), "a+b");
}

}  // namespace
}  // namespace gale::s3
