#include "s3/gateway/gateway.h"

#include <random>
#include <utility>

#include "common/http_server.h"
#include "common/strings.h"
#include "s3/gateway/http_util.h"
#include "s3/gateway/payload_reader.h"
#include "s3/protocol/checksums.h"
#include "s3/protocol/s3_error.h"
#include "spdlog/spdlog.h"

namespace gale::s3 {
namespace {

std::string RandomHostId() {
  std::random_device random;
  std::string bytes;
  for (int i = 0; i < 24; ++i) bytes.push_back(static_cast<char>(random() & 0xff));
  return Base64Encode(bytes);
}

// The answers cpp-httplib makes itself (before or without a route), as S3
// codes.
S3ErrorCode CodeOfLibraryAnswer(int http_status) {
  switch (http_status) {
    case 413:
      return S3ErrorCode::kEntityTooLarge;
    case 416:
      return S3ErrorCode::kInvalidRange;
    case 405:
      return S3ErrorCode::kMethodNotAllowed;
    case 400:
      return S3ErrorCode::kInvalidRequest;
    case 501:
      return S3ErrorCode::kNotImplemented;
    default:
      return S3ErrorCode::kInternalError;
  }
}

// cpp-httplib 0.11 percent-decodes header values, but clients sign
// x-amz-copy-source as they sent it: URL-encoded, '/' kept. Encodes it again
// that way; whether that changed it.
bool ReencodeCopySource(std::vector<std::pair<std::string, std::string>>& headers) {
  for (auto& [name, value] : headers) {
    if (AsciiLower(name) != "x-amz-copy-source") continue;
    std::string_view path = value;
    std::string version;
    if (const size_t at = path.rfind("?versionId="); at != std::string_view::npos) {
      version = std::string(path.substr(at));
      path = path.substr(0, at);
    }
    std::string encoded = UriEncode(path, /*encode_slash=*/false) + version;
    if (encoded == value) return false;
    value = std::move(encoded);
    return true;
  }
  return false;
}

}  // namespace

Status BackendError(const Status& status) {
  if (status.ok()) return status;
  const std::string_view message = ToStd(status.message());
  if (absl::IsNotFound(status)) {
    if (message.starts_with("no bucket")) {
      return S3Error(S3ErrorCode::kNoSuchBucket, "The specified bucket does not exist");
    }
    if (message.starts_with("no object")) {
      return S3Error(S3ErrorCode::kNoSuchKey, "The specified key does not exist.");
    }
    if (message.starts_with("no upload")) {
      return S3Error(S3ErrorCode::kNoSuchUpload,
                     "The specified multipart upload does not exist. The upload ID may be "
                     "invalid, or the upload may have been aborted or completed.");
    }
  }
  if (absl::IsInvalidArgument(status)) {
    if (message.starts_with("bucket name")) {
      return S3Error(S3ErrorCode::kInvalidBucketName, std::string(message));
    }
    if (message.starts_with("object key of")) {
      return S3Error(S3ErrorCode::kKeyTooLongError, "Your key is too long");
    }
  }
  return status;
}

S3Gateway::S3Gateway(ObjectBackend* backend, Credentials* credentials, common::Clock* clock,
                     S3GatewayOptions options)
    : backend_(backend),
      credentials_(credentials),
      clock_(clock),
      options_(std::move(options)),
      host_id_(RandomHostId()) {}

void S3Gateway::Register(httplib::Server& server) {
  const std::string pattern = ".*";
  auto plain = [this](const httplib::Request& req, httplib::Response& res) {
    Handle(req, res, nullptr);
  };
  auto streaming = [this](const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) { Handle(req, res, &reader); };
  server.Get(pattern, plain);  // HEAD too
  server.Delete(pattern, plain);
  server.Options(pattern, plain);
  server.Put(pattern, streaming);
  server.Post(pattern, streaming);
  server.Patch(pattern, streaming);
  // Room for the largest object with its aws-chunked framing (~0.1%).
  const auto max_object = static_cast<size_t>(options_.max_object_bytes);
  server.set_payload_max_length(max_object + max_object / 256 + (1 << 20));
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.has_header("x-amz-request-id")) {
          const std::string request_id = NewRequestId();
          res.set_header("x-amz-request-id", request_id);
          res.set_header("x-amz-id-2", StrCat(host_id_, request_id));
        }
        if (!res.body.empty() || res.content_length_ > 0 || req.method == "HEAD") {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        const S3ErrorCode code = CodeOfLibraryAnswer(res.status);
        SendXml(res, res.status,
                ErrorXml(code, StrCat("The server answered HTTP ", res.status), req.path,
                         res.get_header_value("x-amz-request-id")));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        const std::string what = common::DescribeException(ep);
        spdlog::error("gale-s3: {} {} failed: {}", req.method, req.path, what);
        const std::string request_id = NewRequestId();
        res.headers.clear();
        res.set_header("x-amz-request-id", request_id);
        res.set_header("x-amz-id-2", StrCat(host_id_, request_id));
        res.status = 500;
        res.body.clear();
        if (req.method != "HEAD") {
          SendXml(res, 500,
                  ErrorXml(S3ErrorCode::kInternalError, "We encountered an internal error.",
                           req.path, request_id));
        }
      });
}

std::string S3Gateway::NewRequestId() {
  const uint64_t n = next_request_.fetch_add(1, std::memory_order_relaxed);
  return AsciiUpper(fmt::format("{:016x}", n ^ (static_cast<uint64_t>(host_id_[0]) << 56)));
}

void S3Gateway::SendError(const Call& call, const Status& status, const std::string& request_id) {
  const S3ErrorCode code = S3ErrorCodeOf(status);
  const int http_status = HttpStatusOf(code);
  httplib::Response& res = call.res;
  res.body.clear();
  res.status = http_status;
  if (code == S3ErrorCode::kInternalError || code == S3ErrorCode::kServiceUnavailable) {
    spdlog::warn("gale-s3: {} {}: {}", call.http.method, call.http.path, status.ToString());
  }
  if (call.http.method == "HEAD") return;
  SendXml(res, http_status,
          ErrorXml(code, ToStd(status.message()), call.s3.Resource(), request_id,
                   ErrorFieldsOf(status)));
}

void S3Gateway::Handle(const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader* reader) {
  // The gateway answers Range itself (S3's rules, one range, InvalidRange):
  // keep cpp-httplib from applying it again to the body, or to an error
  // document. `req` is the server's own non-const Request.
  const_cast<httplib::Request&>(req).ranges.clear();
  const absl::Time start = clock_->Now();
  const std::string request_id = NewRequestId();
  res.set_header("x-amz-request-id", request_id);
  res.set_header("x-amz-id-2", StrCat(host_id_, request_id));
  res.set_header("Server", "gale-s3");

  // The body is read to its end whatever the answer: cpp-httplib would take
  // what is left of it for the next request on this keep-alive connection (a
  // PUT refused before its body was read left s3cmd's retry a 400; behind a
  // proxy that reuses connections, another client would get the answer). So
  // the reader handed on keeps reading, and dropping, after its receiver
  // gives up; a body nobody read is read here once the answer is made; and
  // one that could not be read to its end closes the connection.
  std::optional<bool> body_read;  // nullopt: not read at all
  std::optional<httplib::ContentReader> whole_body_reader;
  if (reader != nullptr) {
    whole_body_reader.emplace(
        [reader, &body_read](httplib::ContentReceiver receiver) {
          bool accepted = true;
          body_read = (*reader)([&](const char* data, size_t length) {
            if (accepted) accepted = receiver(data, length);
            return true;
          });
          return *body_read && accepted;
        },
        [reader](httplib::MultipartContentHeader header, httplib::ContentReceiver receiver) {
          return (*reader)(std::move(header), std::move(receiver));
        });
  }
  const bool has_body = ParseInt64(req.get_header_value("Content-Length")).value_or(0) > 0 ||
                        req.has_header("Transfer-Encoding");
  auto finish_body = [&] {
    if (!whole_body_reader || !has_body) return;
    if (!body_read) (*whole_body_reader)([](const char*, size_t) { return true; });
    if (!*body_read) res.set_header("Connection", "close");
  };
  if (whole_body_reader) reader = &*whole_body_reader;

  auto parsed = ParseS3Request(req, options_.domain);
  if (!parsed.ok()) {
    Call call{req, res, reader, S3Request{}, std::nullopt, std::nullopt, ""};
    call.s3.method = req.method;
    SendError(call, parsed.status(), request_id);
    return finish_body();
  }
  Call call{req, res, reader, std::move(*parsed), std::nullopt, std::nullopt, ""};
  Status status = Authenticate(call);
  if (status.ok()) status = Authorize(call);
  if (status.ok()) status = Dispatch(call);
  if (!status.ok()) SendError(call, status, request_id);
  finish_body();
  if (options_.metrics != nullptr) {
    options_.metrics->Record(OperationName(call.s3.operation), std::to_string(res.status),
                             clock_->Now() - start);
  }
}

Status S3Gateway::Authenticate(Call& call) {
  // A SigV2 query string is a failed authentication (InvalidRequest), not an
  // anonymous request, which would answer a puzzling AccessDenied.
  const bool presigned = call.s3.HasParam("X-Amz-Credential") ||
                         call.s3.HasParam("X-Amz-Signature") || IsSigV2Presigned(call.s3.raw_query);
  if (!call.s3.Header("Authorization") && !presigned) return absl::OkStatus();  // anonymous
  SigV4Request request{call.s3.method, call.s3.raw_path, call.s3.raw_query, call.s3.headers};
  ASSIGN_OR_RETURN(SigV4Credentials credentials, ParseSigV4(request));
  ASSIGN_OR_RETURN(std::optional<AccessKey> key, credentials_->Resolve(credentials.access_key_id));
  if (!key) {
    return S3Error(S3ErrorCode::kInvalidAccessKeyId,
                   "The AWS Access Key Id you provided does not exist in our records.");
  }
  SigV4Options sigv4_options;
  sigv4_options.region = options_.region;
  sigv4_options.max_skew = options_.max_clock_skew;
  sigv4_options.signing_keys = &signing_keys_;
  Result<SigV4Auth> auth =
      VerifySigV4(request, credentials, key->secret, clock_->Now(), sigv4_options);
  if (S3ErrorCodeOf(auth.status()) == S3ErrorCode::kSignatureDoesNotMatch &&
      ReencodeCopySource(request.headers)) {
    auth = VerifySigV4(request, credentials, key->secret, clock_->Now(), sigv4_options);
  }
  RETURN_IF_ERROR(auth.status());
  call.access_key_id = credentials.access_key_id;
  call.auth = *std::move(auth);
  call.key = std::move(key);
  return absl::OkStatus();
}

Status S3Gateway::Authorize(const Call& call) const {
  const S3Operation operation = call.s3.operation;
  if (operation == S3Operation::kNotImplemented) return absl::OkStatus();  // answered as such
  const std::string& bucket = call.s3.bucket;
  if (!call.key) {
    if (!IsWrite(operation) && !bucket.empty() && credentials_->AnonymousMayRead(bucket)) {
      return absl::OkStatus();
    }
    return S3Error(S3ErrorCode::kAccessDenied, "Access Denied");
  }
  if (call.key->read_only && IsWrite(operation)) {
    return S3Error(S3ErrorCode::kAccessDenied, "Access Denied: this access key is read-only");
  }
  if (!bucket.empty() && !call.key->MayUseBucket(bucket)) {
    return S3Error(S3ErrorCode::kAccessDenied,
                   StrCat("Access Denied: this access key may not use bucket '", bucket, "'"));
  }
  return absl::OkStatus();
}

std::string S3Gateway::OwnerOf(const Call& call) const {
  return call.key ? call.key->owner : std::string("anonymous");
}

Result<std::string> S3Gateway::ReadSmallBody(Call& call) {
  ASSIGN_OR_RETURN(PayloadReader payload,
                   PayloadReader::ForRequest(call.s3, call.auth ? &*call.auth : nullptr, ""));
  std::string body;
  const size_t limit = options_.max_xml_body_bytes;
  RETURN_IF_ERROR(payload.Read(call.reader, call.http.body, [&](std::string_view piece) {
    if (body.size() + piece.size() > limit) {
      return S3Error(S3ErrorCode::kMalformedXML,
                     StrCat("The XML body is larger than the ", limit, " bytes accepted"));
    }
    body.append(piece);
    return absl::OkStatus();
  }));
  return body;
}

Status S3Gateway::Dispatch(Call& call) {
  switch (call.s3.operation) {
    case S3Operation::kListBuckets:
      return ListBuckets(call);
    case S3Operation::kCreateBucket:
      return CreateBucket(call);
    case S3Operation::kHeadBucket:
      return HeadBucket(call);
    case S3Operation::kDeleteBucket:
      return DeleteBucket(call);
    case S3Operation::kGetBucketLocation:
      return GetBucketLocation(call);
    case S3Operation::kGetBucketVersioning:
      return GetBucketVersioning(call);
    case S3Operation::kListObjects:
      return ListObjects(call);
    case S3Operation::kListObjectsV2:
      return ListObjectsV2(call);
    case S3Operation::kListObjectVersions:
      return ListObjectVersions(call);
    case S3Operation::kDeleteObjects:
      return DeleteObjects(call);
    case S3Operation::kPutObject:
      return PutObject(call);
    case S3Operation::kGetObject:
      return GetObject(call, /*head=*/false);
    case S3Operation::kHeadObject:
      return GetObject(call, /*head=*/true);
    case S3Operation::kDeleteObject:
      return DeleteObject(call);
    case S3Operation::kGetObjectTagging:
      return GetObjectTagging(call);
    case S3Operation::kPutObjectTagging:
      return PutObjectTagging(call);
    case S3Operation::kDeleteObjectTagging:
      return DeleteObjectTagging(call);
    case S3Operation::kCopyObject:
      return CopyObject(call);
    case S3Operation::kCreateMultipartUpload:
      return CreateMultipartUpload(call);
    case S3Operation::kUploadPart:
      return UploadPart(call);
    case S3Operation::kUploadPartCopy:
      return UploadPartCopy(call);
    case S3Operation::kCompleteMultipartUpload:
      return CompleteMultipartUpload(call);
    case S3Operation::kAbortMultipartUpload:
      return AbortMultipartUpload(call);
    case S3Operation::kListParts:
      return ListParts(call);
    case S3Operation::kListMultipartUploads:
      return ListMultipartUploads(call);
    case S3Operation::kNotImplemented:
      break;
  }
  return S3Error(S3ErrorCode::kNotImplemented,
                 StrCat("A header or query you provided implies functionality that is not "
                        "implemented: ",
                        call.s3.unsupported));
}

}  // namespace gale::s3
