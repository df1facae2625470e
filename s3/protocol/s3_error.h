#pragma once

// The S3 errors that gale-s3 answers, carried inside a gale Status so that
// the gateway passes Status around like the rest of Gale and turns it into an
// S3 <Error> document only at the edge.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace gale::s3 {

// The S3 error codes the gateway answers (the <Code> of an error document).
enum class S3ErrorCode {
  kAccessDenied,
  kAuthorizationHeaderMalformed,
  kAuthorizationQueryParametersError,
  kBadDigest,
  kBucketAlreadyExists,
  kBucketAlreadyOwnedByYou,
  kBucketNotEmpty,
  kEntityTooLarge,
  kEntityTooSmall,
  kIncompleteBody,
  kInternalError,
  kInvalidAccessKeyId,
  kInvalidArgument,
  kInvalidBucketName,
  kInvalidDigest,
  kInvalidPart,
  kInvalidPartOrder,
  kInvalidRange,
  kInvalidRequest,
  kInvalidTag,
  kKeyTooLongError,
  kMalformedTrailerError,
  kMalformedXML,
  kMaxMessageLengthExceeded,
  kMethodNotAllowed,
  kMissingContentLength,
  kMissingSecurityHeader,
  kNoSuchBucket,
  kNoSuchKey,
  kNoSuchUpload,
  kNotImplemented,
  kNotModified,
  kOperationAborted,
  kPreconditionFailed,
  kRequestTimeout,
  kRequestTimeTooSkewed,
  kServiceUnavailable,
  kSignatureDoesNotMatch,
  kSlowDown,
  kXAmzContentSHA256Mismatch,
};

// A Status carrying `code` (as a payload) and `message`, with the absl code
// that says what a Gale caller should do (NOT_FOUND for NoSuch*,
// UNAUTHENTICATED for signature and key errors, PERMISSION_DENIED for
// AccessDenied, ALREADY_EXISTS, FAILED_PRECONDITION, OUT_OF_RANGE,
// RESOURCE_EXHAUSTED for SlowDown, UNAVAILABLE, UNIMPLEMENTED, INTERNAL, and
// INVALID_ARGUMENT for the rest).
Status S3Error(S3ErrorCode code, std::string message);

// The S3 code of `status`: its payload when it was made by S3Error, else
// mapped from the absl code: NOT_FOUND -> NoSuchKey (handlers of buckets and
// uploads wrap their own NOT_FOUND in S3Error), INVALID_ARGUMENT ->
// InvalidArgument, OUT_OF_RANGE -> InvalidRange, ALREADY_EXISTS and ABORTED ->
// OperationAborted (409, a conflict the client may retry), FAILED_PRECONDITION
// -> InvalidRequest, PERMISSION_DENIED and UNAUTHENTICATED -> AccessDenied,
// RESOURCE_EXHAUSTED -> SlowDown, UNAVAILABLE and DEADLINE_EXCEEDED ->
// ServiceUnavailable (503: SDKs retry), UNIMPLEMENTED -> NotImplemented, and
// everything else (INTERNAL, UNKNOWN, DATA_LOSS, CANCELLED, and OK, which has
// no error) -> InternalError.
S3ErrorCode S3ErrorCodeOf(const Status& status);

// The HTTP status S3 answers with `code` (403, 404, 409, 503, ...).
int HttpStatusOf(S3ErrorCode code);

// The name of `code` as it appears in <Code> ("NoSuchKey").
std::string_view CodeName(S3ErrorCode code);

// The code named `name` (exactly as CodeName spells it), if any.
std::optional<S3ErrorCode> CodeFromName(std::string_view name);

// `text` with & < > " ' replaced by entities, carriage returns by "&#13;"
// (which survives XML's end-of-line normalization), and bytes XML 1.0 forbids
// (control characters other than tab, newline and carriage return) replaced by
// '?', so that any message or key yields a well-formed document.
std::string XmlEscape(std::string_view text);
// XmlEscape(text), appended to `out`.
void AppendXmlEscaped(std::string& out, std::string_view text);

// Elements an error document holds besides Code, Message, Resource and
// RequestId, by name: {"Region", "us-east-1"} tells a client that signed for
// another region where to sign (s3cmd, boto3 and minio-go retry with it).
using ErrorFields = std::vector<std::pair<std::string, std::string>>;

// `status` with the element `name` = `value` added (a payload): the gateway
// puts it in the error document.
Status WithErrorField(Status status, std::string_view name, std::string_view value);

// The elements WithErrorField added to `status`, sorted by name.
ErrorFields ErrorFieldsOf(const Status& status);

// The S3 error document:
// <?xml ...?><Error><Code/><Message/>[<Name>value</Name>...]<Resource/>
// <RequestId/></Error>, every field escaped. An empty `resource` is left out.
std::string ErrorXml(S3ErrorCode code, std::string_view message, std::string_view resource,
                     std::string_view request_id, const ErrorFields& fields = {});

}  // namespace gale::s3
