#include "s3/protocol/s3_error.h"

#include <algorithm>
#include <array>

#include "absl/strings/cord.h"
#include "common/strings.h"

namespace gale::s3 {
namespace {

// The payload's type URL; its value is the code's name.
constexpr char kPayloadUrl[] = "type.gale.dev/gale.s3.S3ErrorCode";
// The type URL of an ErrorFields element's payload is this and its name.
constexpr std::string_view kFieldPayloadUrlPrefix = "type.gale.dev/gale.s3.ErrorField/";

struct CodeInfo {
  S3ErrorCode code;
  std::string_view name;
  int http_status;
  absl::StatusCode absl_code;
};

using C = S3ErrorCode;
using A = absl::StatusCode;

// One row per code, in enum order (checked by Info()).
constexpr std::array kCodes = {
    CodeInfo{C::kAccessDenied, "AccessDenied", 403, A::kPermissionDenied},
    CodeInfo{C::kAuthorizationHeaderMalformed, "AuthorizationHeaderMalformed", 400,
             A::kInvalidArgument},
    CodeInfo{C::kAuthorizationQueryParametersError, "AuthorizationQueryParametersError", 400,
             A::kInvalidArgument},
    CodeInfo{C::kBadDigest, "BadDigest", 400, A::kInvalidArgument},
    CodeInfo{C::kBucketAlreadyExists, "BucketAlreadyExists", 409, A::kAlreadyExists},
    CodeInfo{C::kBucketAlreadyOwnedByYou, "BucketAlreadyOwnedByYou", 409, A::kAlreadyExists},
    CodeInfo{C::kBucketNotEmpty, "BucketNotEmpty", 409, A::kFailedPrecondition},
    CodeInfo{C::kEntityTooLarge, "EntityTooLarge", 400, A::kInvalidArgument},
    CodeInfo{C::kEntityTooSmall, "EntityTooSmall", 400, A::kInvalidArgument},
    CodeInfo{C::kIncompleteBody, "IncompleteBody", 400, A::kInvalidArgument},
    CodeInfo{C::kInternalError, "InternalError", 500, A::kInternal},
    CodeInfo{C::kInvalidAccessKeyId, "InvalidAccessKeyId", 403, A::kUnauthenticated},
    CodeInfo{C::kInvalidArgument, "InvalidArgument", 400, A::kInvalidArgument},
    CodeInfo{C::kInvalidBucketName, "InvalidBucketName", 400, A::kInvalidArgument},
    CodeInfo{C::kInvalidDigest, "InvalidDigest", 400, A::kInvalidArgument},
    CodeInfo{C::kInvalidPart, "InvalidPart", 400, A::kInvalidArgument},
    CodeInfo{C::kInvalidPartOrder, "InvalidPartOrder", 400, A::kInvalidArgument},
    CodeInfo{C::kInvalidRange, "InvalidRange", 416, A::kOutOfRange},
    CodeInfo{C::kInvalidRequest, "InvalidRequest", 400, A::kInvalidArgument},
    CodeInfo{C::kInvalidTag, "InvalidTag", 400, A::kInvalidArgument},
    CodeInfo{C::kKeyTooLongError, "KeyTooLongError", 400, A::kInvalidArgument},
    CodeInfo{C::kMalformedTrailerError, "MalformedTrailerError", 400, A::kInvalidArgument},
    CodeInfo{C::kMalformedXML, "MalformedXML", 400, A::kInvalidArgument},
    CodeInfo{C::kMaxMessageLengthExceeded, "MaxMessageLengthExceeded", 400, A::kInvalidArgument},
    CodeInfo{C::kMethodNotAllowed, "MethodNotAllowed", 405, A::kUnimplemented},
    CodeInfo{C::kMissingContentLength, "MissingContentLength", 411, A::kInvalidArgument},
    CodeInfo{C::kMissingSecurityHeader, "MissingSecurityHeader", 400, A::kInvalidArgument},
    CodeInfo{C::kNoSuchBucket, "NoSuchBucket", 404, A::kNotFound},
    CodeInfo{C::kNoSuchKey, "NoSuchKey", 404, A::kNotFound},
    CodeInfo{C::kNoSuchUpload, "NoSuchUpload", 404, A::kNotFound},
    CodeInfo{C::kNotImplemented, "NotImplemented", 501, A::kUnimplemented},
    CodeInfo{C::kNotModified, "NotModified", 304, A::kFailedPrecondition},
    CodeInfo{C::kOperationAborted, "OperationAborted", 409, A::kAborted},
    CodeInfo{C::kPreconditionFailed, "PreconditionFailed", 412, A::kFailedPrecondition},
    CodeInfo{C::kRequestTimeout, "RequestTimeout", 400, A::kDeadlineExceeded},
    CodeInfo{C::kRequestTimeTooSkewed, "RequestTimeTooSkewed", 403, A::kUnauthenticated},
    CodeInfo{C::kServiceUnavailable, "ServiceUnavailable", 503, A::kUnavailable},
    CodeInfo{C::kSignatureDoesNotMatch, "SignatureDoesNotMatch", 403, A::kUnauthenticated},
    CodeInfo{C::kSlowDown, "SlowDown", 503, A::kResourceExhausted},
    CodeInfo{C::kXAmzContentSHA256Mismatch, "XAmzContentSHA256Mismatch", 400, A::kInvalidArgument},
};

constexpr bool TableInEnumOrder() {
  for (size_t i = 0; i < kCodes.size(); ++i) {
    if (static_cast<size_t>(kCodes[i].code) != i) return false;
  }
  return kCodes.back().code == C::kXAmzContentSHA256Mismatch;
}
static_assert(TableInEnumOrder(), "kCodes must list every S3ErrorCode in enum order");

const CodeInfo& Info(S3ErrorCode code) {
  const auto index = static_cast<size_t>(code);
  return index < kCodes.size() ? kCodes[index] : kCodes[static_cast<size_t>(C::kInternalError)];
}

}  // namespace

Status S3Error(S3ErrorCode code, std::string message) {
  const CodeInfo& info = Info(code);
  Status status(info.absl_code, absl::string_view(message.data(), message.size()));
  status.SetPayload(kPayloadUrl, absl::Cord(absl::string_view(info.name.data(), info.name.size())));
  return status;
}

S3ErrorCode S3ErrorCodeOf(const Status& status) {
  if (auto payload = status.GetPayload(kPayloadUrl); payload.has_value()) {
    if (auto code = CodeFromName(std::string(*payload)); code.has_value()) return *code;
  }
  switch (status.code()) {
    case A::kNotFound:
      return C::kNoSuchKey;
    case A::kInvalidArgument:
      return C::kInvalidArgument;
    case A::kOutOfRange:
      return C::kInvalidRange;
    case A::kAlreadyExists:
    case A::kAborted:
      return C::kOperationAborted;
    case A::kFailedPrecondition:
      return C::kInvalidRequest;
    case A::kPermissionDenied:
    case A::kUnauthenticated:
      return C::kAccessDenied;
    case A::kResourceExhausted:
      return C::kSlowDown;
    case A::kUnavailable:
    case A::kDeadlineExceeded:
      return C::kServiceUnavailable;
    case A::kUnimplemented:
      return C::kNotImplemented;
    default:
      return C::kInternalError;
  }
}

int HttpStatusOf(S3ErrorCode code) { return Info(code).http_status; }

std::string_view CodeName(S3ErrorCode code) { return Info(code).name; }

std::optional<S3ErrorCode> CodeFromName(std::string_view name) {
  for (const CodeInfo& info : kCodes) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

void AppendXmlEscaped(std::string& out, std::string_view text) {
  // Runs of characters that stand for themselves are appended whole.
  size_t pending = 0;  // the first character not appended yet
  for (size_t i = 0; i < text.size(); ++i) {
    std::string_view replacement;
    switch (text[i]) {
      case '&':
        replacement = "&amp;";
        break;
      case '<':
        replacement = "&lt;";
        break;
      case '>':
        replacement = "&gt;";
        break;
      case '"':
        replacement = "&quot;";
        break;
      case '\'':
        replacement = "&apos;";
        break;
      case '\r':
        // As a reference: a raw CR would reach the reader as LF (XML's
        // end-of-line normalization), changing a key that holds one.
        replacement = "&#13;";
        break;
      default:
        if (static_cast<unsigned char>(text[i]) >= 0x20 || text[i] == '\t' || text[i] == '\n') {
          continue;
        }
        replacement = "?";
    }
    out.append(text.data() + pending, i - pending);
    out += replacement;
    pending = i + 1;
  }
  out.append(text.data() + pending, text.size() - pending);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendXmlEscaped(out, text);
  return out;
}

Status WithErrorField(Status status, std::string_view name, std::string_view value) {
  const std::string url = StrCat(kFieldPayloadUrlPrefix, name);
  status.SetPayload(url, absl::Cord(absl::string_view(value.data(), value.size())));
  return status;
}

ErrorFields ErrorFieldsOf(const Status& status) {
  ErrorFields fields;
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& value) {
    const std::string_view type_url(url.data(), url.size());
    if (type_url.starts_with(kFieldPayloadUrlPrefix)) {
      fields.emplace_back(std::string(type_url.substr(kFieldPayloadUrlPrefix.size())),
                          std::string(value));
    }
  });
  std::sort(fields.begin(), fields.end());
  return fields;
}

std::string ErrorXml(S3ErrorCode code, std::string_view message, std::string_view resource,
                     std::string_view request_id, const ErrorFields& fields) {
  std::string out = StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>",
                           CodeName(code), "</Code><Message>", XmlEscape(message), "</Message>");
  for (const auto& [name, value] : fields) {
    out += StrCat("<", name, ">", XmlEscape(value), "</", name, ">");
  }
  if (!resource.empty()) out += StrCat("<Resource>", XmlEscape(resource), "</Resource>");
  out += StrCat("<RequestId>", XmlEscape(request_id), "</RequestId></Error>");
  return out;
}

}  // namespace gale::s3
