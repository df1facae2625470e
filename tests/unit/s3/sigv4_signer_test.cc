#include "s3/protocol/sigv4_signer.h"

#include <gtest/gtest.h>

#include "s3/protocol/s3_error.h"
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

std::string HeaderOf(const SigV4Request& request, std::string_view name) {
  for (const auto& [n, value] : request.headers) {
    if (n == name) return value;
  }
  return "";
}

TEST(SigV4SignerTest, SignsAwsGetObjectExample) {
  SigV4Signer signer(kAccessKey, kSecret, "us-east-1");
  SigV4Request request{"GET", "/test.txt", "", {{"Host", kHost}, {"Range", "bytes=0-9"}}};
  ASSERT_OK(signer.Sign(&request, kEmptySha, kExampleTime));
  EXPECT_EQ(HeaderOf(request, "x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(HeaderOf(request, "x-amz-content-sha256"), kEmptySha);
  EXPECT_EQ(HeaderOf(request, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
            "aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4SignerTest, UnsignedPayloadWithQueryVerifies) {
  SigV4Signer signer("AKIDBENCH", "bench/secret+key", "us-east-1");
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  SigV4Request request{"GET",
                       "/bucket",
                       "list-type=2&max-keys=1000&continuation-token=a2V5LTAwMDk5OQ%3D%3D",
                       {{"Host", "127.0.0.1:9000"}}};
  ASSERT_OK(signer.Sign(&request, "UNSIGNED-PAYLOAD", now));
  ASSERT_OK_AND_ASSIGN(const SigV4Auth auth,
                       VerifySigV4(request, "bench/secret+key", now, {.region = "us-east-1"}));
  EXPECT_EQ(auth.payload_mode, PayloadMode::kUnsignedPayload);
  EXPECT_EQ(auth.credentials.access_key_id, "AKIDBENCH");
  EXPECT_EQ(auth.credentials.signed_headers,
            (std::vector<std::string>{"host", "x-amz-content-sha256", "x-amz-date"}));

  // The query is signed: another page does not verify.
  SigV4Request tampered = request;
  tampered.raw_query = "list-type=2&max-keys=999";
  auto result = VerifySigV4(tampered, "bench/secret+key", now);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(S3ErrorCodeOf(result.status()), S3ErrorCode::kSignatureDoesNotMatch);
}

TEST(SigV4SignerTest, KeyFollowsTheDate) {
  SigV4Signer signer("AKIDBENCH", "secret", "eu-west-1");
  for (absl::Time now : {kExampleTime, kExampleTime + absl::Hours(24), kExampleTime}) {
    SigV4Request request{"PUT", "/b/k", "", {{"host", "localhost"}}};
    ASSERT_OK(signer.Sign(&request, kEmptySha, now));
    EXPECT_OK(VerifySigV4(request, "secret", now, {.region = "eu-west-1"}));
  }
}

TEST(SigV4SignerTest, RejectsRequestsItCannotSign) {
  SigV4Signer signer(kAccessKey, kSecret, "us-east-1");
  SigV4Request no_host{"GET", "/", "", {}};
  EXPECT_TRUE(absl::IsInvalidArgument(signer.Sign(&no_host, kEmptySha, kExampleTime)));
  SigV4Request signed_twice{"GET", "/", "", {{"Host", kHost}}};
  ASSERT_OK(signer.Sign(&signed_twice, kEmptySha, kExampleTime));
  EXPECT_TRUE(absl::IsInvalidArgument(signer.Sign(&signed_twice, kEmptySha, kExampleTime)));
}

}  // namespace
}  // namespace gale::s3
