#include "s3/protocol/s3_error.h"

#include <gtest/gtest.h>

#include "common/strings.h"

namespace gale::s3 {
namespace {

TEST(S3ErrorTest, CarriesTheS3CodeInsideAStatus) {
  const Status status = S3Error(S3ErrorCode::kNoSuchBucket, "The specified bucket does not exist");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ToStd(status.message()), "The specified bucket does not exist");
  EXPECT_EQ(S3ErrorCodeOf(status), S3ErrorCode::kNoSuchBucket);
  EXPECT_EQ(HttpStatusOf(S3ErrorCodeOf(status)), 404);

  // The code survives being copied and returned through RETURN_IF_ERROR.
  auto pass_on = [&]() -> Status {
    RETURN_IF_ERROR(S3Error(S3ErrorCode::kSignatureDoesNotMatch, "no"));
    return absl::OkStatus();
  };
  EXPECT_EQ(S3ErrorCodeOf(pass_on()), S3ErrorCode::kSignatureDoesNotMatch);
  EXPECT_EQ(pass_on().code(), absl::StatusCode::kUnauthenticated);
}

TEST(S3ErrorTest, HttpStatusesAreS3s) {
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kAccessDenied), 403);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kSignatureDoesNotMatch), 403);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kRequestTimeTooSkewed), 403);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kInvalidAccessKeyId), 403);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kNoSuchKey), 404);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kNoSuchUpload), 404);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kBucketNotEmpty), 409);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kBucketAlreadyOwnedByYou), 409);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kMethodNotAllowed), 405);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kMissingContentLength), 411);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kPreconditionFailed), 412);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kInvalidRange), 416);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kNotModified), 304);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kInternalError), 500);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kNotImplemented), 501);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kSlowDown), 503);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kBadDigest), 400);
  EXPECT_EQ(HttpStatusOf(S3ErrorCode::kXAmzContentSHA256Mismatch), 400);
}

TEST(S3ErrorTest, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(S3ErrorCode::kXAmzContentSHA256Mismatch); ++i) {
    const auto code = static_cast<S3ErrorCode>(i);
    ASSERT_FALSE(CodeName(code).empty());
    EXPECT_EQ(CodeFromName(CodeName(code)), code) << CodeName(code);
  }
  EXPECT_EQ(CodeName(S3ErrorCode::kMalformedXML), "MalformedXML");
  EXPECT_EQ(CodeFromName("NoSuchThing"), std::nullopt);
}

TEST(S3ErrorTest, PlainStatusesMapToS3Codes) {
  EXPECT_EQ(S3ErrorCodeOf(absl::NotFoundError("x")), S3ErrorCode::kNoSuchKey);
  EXPECT_EQ(S3ErrorCodeOf(absl::InvalidArgumentError("x")), S3ErrorCode::kInvalidArgument);
  EXPECT_EQ(S3ErrorCodeOf(absl::OutOfRangeError("x")), S3ErrorCode::kInvalidRange);
  EXPECT_EQ(S3ErrorCodeOf(absl::AlreadyExistsError("x")), S3ErrorCode::kOperationAborted);
  EXPECT_EQ(S3ErrorCodeOf(absl::AbortedError("x")), S3ErrorCode::kOperationAborted);
  EXPECT_EQ(S3ErrorCodeOf(absl::FailedPreconditionError("x")), S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(S3ErrorCodeOf(absl::PermissionDeniedError("x")), S3ErrorCode::kAccessDenied);
  EXPECT_EQ(S3ErrorCodeOf(absl::UnauthenticatedError("x")), S3ErrorCode::kAccessDenied);
  EXPECT_EQ(S3ErrorCodeOf(absl::ResourceExhaustedError("x")), S3ErrorCode::kSlowDown);
  EXPECT_EQ(S3ErrorCodeOf(absl::UnavailableError("x")), S3ErrorCode::kServiceUnavailable);
  EXPECT_EQ(S3ErrorCodeOf(absl::DeadlineExceededError("x")), S3ErrorCode::kServiceUnavailable);
  EXPECT_EQ(S3ErrorCodeOf(absl::UnimplementedError("x")), S3ErrorCode::kNotImplemented);
  EXPECT_EQ(S3ErrorCodeOf(absl::InternalError("x")), S3ErrorCode::kInternalError);
  EXPECT_EQ(S3ErrorCodeOf(absl::DataLossError("x")), S3ErrorCode::kInternalError);
  // A foreign payload value is ignored.
  Status odd = absl::NotFoundError("x");
  odd.SetPayload("type.gale.dev/gale.s3.S3ErrorCode", absl::Cord("Bogus"));
  EXPECT_EQ(S3ErrorCodeOf(odd), S3ErrorCode::kNoSuchKey);
}

TEST(S3ErrorTest, ErrorFieldsTravelWithTheStatus) {
  Status status = S3Error(S3ErrorCode::kAuthorizationHeaderMalformed, "wrong region");
  EXPECT_EQ(ErrorFieldsOf(status), ErrorFields{});
  status = WithErrorField(WithErrorField(status, "Region", "us-east-1"), "BucketName", "b");
  EXPECT_EQ(ErrorFieldsOf(status), (ErrorFields{{"BucketName", "b"}, {"Region", "us-east-1"}}));
  EXPECT_EQ(S3ErrorCodeOf(status), S3ErrorCode::kAuthorizationHeaderMalformed);
  EXPECT_EQ(ToStd(status.message()), "wrong region");
}

TEST(S3ErrorTest, ErrorXmlEscapesEveryField) {
  EXPECT_EQ(ErrorXml(S3ErrorCode::kNoSuchKey, "The specified key does not exist.",
                     "/bucket/a&b<c>.txt", "4442587FB7D0A2F9"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
            "<Resource>/bucket/a&amp;b&lt;c&gt;.txt</Resource>"
            "<RequestId>4442587FB7D0A2F9</RequestId></Error>");
  EXPECT_EQ(ErrorXml(S3ErrorCode::kInvalidArgument, "\"quoted\" 'single' \x01\x7f", "", "<id>"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Error><Code>InvalidArgument</Code>"
            "<Message>&quot;quoted&quot; &apos;single&apos; ?\x7f</Message>"
            "<RequestId>&lt;id&gt;</RequestId></Error>");
  EXPECT_EQ(ErrorXml(S3ErrorCode::kAuthorizationHeaderMalformed, "wrong region", "/b", "id",
                     {{"Region", "us-east-1"}, {"Odd", "<&>"}}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Error><Code>AuthorizationHeaderMalformed</Code><Message>wrong region</Message>"
            "<Region>us-east-1</Region><Odd>&lt;&amp;&gt;</Odd>"
            "<Resource>/b</Resource><RequestId>id</RequestId></Error>");
  EXPECT_EQ(XmlEscape("tab\tnl\ncr\r é"), "tab\tnl\ncr&#13; é");
  EXPECT_EQ(XmlEscape(std::string_view("a\0b", 3)), "a?b");
  // Escapes first, last and side by side, between plain runs.
  EXPECT_EQ(XmlEscape("<a&&b>"), "&lt;a&amp;&amp;b&gt;");
  EXPECT_EQ(XmlEscape(""), "");
  EXPECT_EQ(XmlEscape("plain/key-1.txt"), "plain/key-1.txt");
}

}  // namespace
}  // namespace gale::s3
