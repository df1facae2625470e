// S3Gateway: the object operations.

#include <array>
#include <utility>

#include "common/strings.h"
#include "s3/gateway/gateway.h"
#include "s3/gateway/http_util.h"
#include "s3/gateway/names.h"
#include "s3/gateway/object_headers.h"
#include "s3/gateway/payload_reader.h"
#include "s3/protocol/checksums.h"
#include "s3/protocol/s3_error.h"
#include "s3/protocol/s3_xml_requests.h"
#include "s3/protocol/s3_xml_responses.h"
#include "spdlog/spdlog.h"

namespace gale::s3 {
namespace {

constexpr std::string_view kDefaultContentType = "binary/octet-stream";

// "COPY" (the default) or "REPLACE" in x-amz-{metadata,tagging}-directive.
Result<bool> Replaces(const S3Request& request, std::string_view header) {
  const std::string directive = request.Header(header).value_or("COPY");
  if (directive == "COPY" || directive == "REPLACE") return directive == "REPLACE";
  return S3Error(S3ErrorCode::kInvalidArgument,
                 StrCat("Unknown ", header, " '", directive, "': COPY or REPLACE"));
}

}  // namespace

Status CheckObjectKey(const std::string& key) {
  if (key.size() > kMaxObjectKeyBytes) {
    return S3Error(S3ErrorCode::kKeyTooLongError, "Your key is too long");
  }
  return BackendError(ValidateObjectKey(key));
}

Result<S3Gateway::BodyChecks> S3Gateway::CheckBody(const Call& call, int64_t max_bytes) {
  const S3Request& s3 = call.s3;
  const bool streaming = call.auth && call.auth->payload_mode != PayloadMode::kSha256Hex &&
                         call.auth->payload_mode != PayloadMode::kUnsignedPayload;
  std::optional<std::string> length_header =
      streaming ? s3.Header("x-amz-decoded-content-length") : s3.Header("Content-Length");
  if (!length_header && !s3.Header("Transfer-Encoding")) {
    return S3Error(S3ErrorCode::kMissingContentLength,
                   "You must provide the Content-Length HTTP header.");
  }
  if (length_header) {
    std::optional<int64_t> length = ParseInt64(*length_header);
    if (!length || *length < 0) {
      return S3Error(S3ErrorCode::kInvalidArgument, "The Content-Length is not a size");
    }
    if (*length > max_bytes) {
      return S3Error(S3ErrorCode::kEntityTooLarge,
                     "Your proposed upload exceeds the maximum allowed object size.");
    }
  }
  BodyChecks checks;
  checks.content_md5 = s3.Header("Content-MD5");
  if (checks.content_md5) RETURN_IF_ERROR(DecodeContentMd5(*checks.content_md5).status());

  // The checksum: named by x-amz-checksum-algorithm / x-amz-trailer, or sent
  // as an x-amz-checksum-<alg> header.
  ASSIGN_OR_RETURN(checks.algorithm, RequestedChecksumAlgorithm(s3.headers));
  for (const auto& [name, value] : s3.headers) {
    std::optional<ChecksumAlgorithm> of_header = ChecksumAlgorithmOfHeader(name);
    if (!of_header) continue;
    if (checks.algorithm && *checks.algorithm != *of_header) {
      return S3Error(
          S3ErrorCode::kInvalidRequest,
          "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
    }
    checks.algorithm = of_header;
    checks.checksum_header = value;
  }
  std::string expected_trailer;
  if (auto trailer = s3.Header("x-amz-trailer")) {
    expected_trailer = AsciiLower(TrimWhitespace(*trailer));
  }
  ASSIGN_OR_RETURN(checks.payload, PayloadReader::ForRequest(s3, call.auth ? &*call.auth : nullptr,
                                                             expected_trailer));
  return checks;
}

Result<S3Gateway::ReceivedBody> S3Gateway::ReceiveBody(Call& call, BodyChecks& checks,
                                                       int64_t max_bytes, ObjectWriter& writer) {
  Hasher md5(Hasher::Kind::kMd5);
  std::optional<Hasher> checksum;
  if (checks.algorithm) checksum.emplace(*checks.algorithm);
  int64_t received = 0;
  RETURN_IF_ERROR(
      checks.payload->Read(call.reader, call.http.body, [&](std::string_view piece) -> Status {
        received += static_cast<int64_t>(piece.size());
        if (received > max_bytes) {
          return S3Error(S3ErrorCode::kEntityTooLarge,
                         "Your proposed upload exceeds the maximum allowed object size.");
        }
        md5.Update(piece);
        if (checksum) checksum->Update(piece);
        return writer.Write(piece);
      }));
  const std::string md5_raw = md5.Digest();
  if (checks.content_md5) RETURN_IF_ERROR(VerifyContentMd5(*checks.content_md5, md5_raw));
  ReceivedBody body;
  body.etag = HexEncode(md5_raw);
  if (checksum) {
    std::string value = checksum->Base64Digest();
    std::string header_name(ChecksumHeaderName(*checks.algorithm));
    std::optional<std::string> expected =
        checks.checksum_header ? checks.checksum_header : checks.payload->Trailer(header_name);
    if (expected) RETURN_IF_ERROR(VerifyChecksum(*checks.algorithm, *expected, value));
    body.checksum.emplace(std::move(header_name), std::move(value));
  }
  return body;
}

Status S3Gateway::PutObject(Call& call) {
  const S3Request& s3 = call.s3;
  RETURN_IF_ERROR(CheckObjectKey(s3.key));
  // Everything about the request first: a bad header fails before any byte is read.
  ASSIGN_OR_RETURN(BodyChecks checks, CheckBody(call, options_.max_object_bytes));
  ASSIGN_OR_RETURN(client::ObjectAttributes attributes,
                   ObjectAttributesFromHeaders(s3, options_.max_metadata_bytes));
  auto writer = backend_->PutObject(s3.bucket, s3.key);
  if (!writer.ok()) return BackendError(writer.status());
  Result<ReceivedBody> body = ReceiveBody(call, checks, options_.max_object_bytes, **writer);
  if (!body.ok()) {
    (*writer)->Abort();
    return body.status();
  }
  attributes.etag = body->etag;
  if (body->checksum) attributes.metadata[body->checksum->first] = body->checksum->second;
  auto committed = (*writer)->Commit(attributes);
  if (!committed.ok()) return BackendError(committed.status());
  call.res.status = 200;
  call.res.set_header("ETag", QuotedETag(attributes.etag));
  if (body->checksum) call.res.set_header(body->checksum->first, body->checksum->second);
  return absl::OkStatus();
}

Result<client::ObjectInfo> S3Gateway::CopySource(const Call& call) {
  const S3Request& s3 = call.s3;
  // "bucket/key" or "/bucket/key", with an optional "?versionId=null";
  // cpp-httplib has already percent-decoded it.
  const std::string header = s3.Header("x-amz-copy-source").value_or("");
  std::string_view source = header;
  if (const size_t at = source.rfind("?versionId="); at != std::string_view::npos) {
    if (source.substr(at + 11) != "null") {
      return S3Error(S3ErrorCode::kInvalidArgument, "Invalid version id specified");
    }
    source = source.substr(0, at);
  }
  if (source.starts_with('/')) source.remove_prefix(1);
  const size_t slash = source.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == source.size()) {
    return S3Error(S3ErrorCode::kInvalidArgument,
                   "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
  }
  const std::string bucket(source.substr(0, slash));
  const std::string key(source.substr(slash + 1));
  RETURN_IF_ERROR(CheckObjectKey(key));
  if (call.key && !call.key->MayUseBucket(bucket)) {
    return S3Error(S3ErrorCode::kAccessDenied,
                   StrCat("Access Denied: this access key may not use bucket '", bucket, "'"));
  }
  auto found = backend_->HeadObject(bucket, key);
  if (!found.ok()) return BackendError(found.status());
  const std::string& etag = found->attributes.etag;
  const absl::Time modified = absl::FromUnixSeconds(found->modified_at_ms / 1000);
  // As for GET, but every failure is a 412.
  bool holds = true;
  if (auto if_match = s3.Header("x-amz-copy-source-if-match")) {
    holds = ETagListMatches(*if_match, etag);
  } else if (auto since = s3.Header("x-amz-copy-source-if-unmodified-since")) {
    if (auto time = ParseHttpDate(*since); time && modified > *time) holds = false;
  }
  if (auto if_none_match = s3.Header("x-amz-copy-source-if-none-match")) {
    if (ETagListMatches(*if_none_match, etag)) holds = false;
  } else if (auto since = s3.Header("x-amz-copy-source-if-modified-since")) {
    if (auto time = ParseHttpDate(*since); time && modified <= *time) holds = false;
  }
  if (!holds) {
    return S3Error(S3ErrorCode::kPreconditionFailed,
                   "At least one of the pre-conditions you specified did not hold");
  }
  return found;
}

Status S3Gateway::CopyObject(Call& call) {
  const S3Request& s3 = call.s3;
  RETURN_IF_ERROR(CheckObjectKey(s3.key));
  ASSIGN_OR_RETURN(const bool replace_metadata, Replaces(s3, "x-amz-metadata-directive"));
  ASSIGN_OR_RETURN(const bool replace_tags, Replaces(s3, "x-amz-tagging-directive"));
  ASSIGN_OR_RETURN(client::ObjectAttributes given,
                   ObjectAttributesFromHeaders(s3, options_.max_metadata_bytes));
  ASSIGN_OR_RETURN(client::ObjectInfo source, CopySource(call));
  if (source.bucket == s3.bucket && source.key == s3.key && !replace_metadata && !replace_tags) {
    return S3Error(S3ErrorCode::kInvalidRequest,
                   "This copy request is illegal because it is trying to copy an object to itself "
                   "without changing the object's metadata, storage class, website redirect "
                   "location or encryption attributes.");
  }
  client::ObjectAttributes attributes = source.attributes;
  if (replace_metadata) {
    // The bytes are the same: their checksum stays.
    std::map<std::string, std::string> metadata = std::move(given.metadata);
    for (const auto& [name, value] : source.attributes.metadata) {
      if (ChecksumAlgorithmOfHeader(name)) metadata[name] = value;
    }
    attributes.metadata = std::move(metadata);
    attributes.content_type = given.content_type;
  }
  if (replace_tags) attributes.tags = given.tags;
  auto copied = backend_->CopyObject(source, s3.bucket, s3.key, attributes);
  if (absl::IsFailedPrecondition(copied.status())) {
    return S3Error(S3ErrorCode::kOperationAborted,
                   "The source object changed while it was being copied; please try again.");
  }
  if (!copied.ok()) return BackendError(copied.status());
  SendXml(call.res, 200,
          ToXml(CopyObjectResult{absl::FromUnixMillis(copied->modified_at_ms),
                                 copied->attributes.etag}));
  return absl::OkStatus();
}

Status S3Gateway::GetObject(Call& call, bool head) {
  const S3Request& s3 = call.s3;
  auto found = backend_->HeadObject(s3.bucket, s3.key);
  if (!found.ok()) return BackendError(found.status());
  client::ObjectInfo object = std::move(*found);
  const client::ObjectAttributes& attributes = object.attributes;
  httplib::Response& res = call.res;

  // Response overrides: signed requests only, as S3 has it.
  struct Override {
    std::string_view param;
    std::string_view header;
  };
  constexpr std::array<Override, 6> kOverrides = {{
      {"response-content-type", "Content-Type"},
      {"response-content-disposition", "Content-Disposition"},
      {"response-cache-control", "Cache-Control"},
      {"response-content-encoding", "Content-Encoding"},
      {"response-content-language", "Content-Language"},
      {"response-expires", "Expires"},
  }};
  std::map<std::string, std::string> overrides;
  for (const Override& o : kOverrides) {
    if (auto value = s3.Param(o.param)) overrides[AsciiLower(o.header)] = *value;
  }
  if (!overrides.empty() && !call.auth) {
    return S3Error(S3ErrorCode::kInvalidRequest,
                   "Request specific response headers cannot be used for anonymous GET requests.");
  }

  const std::string etag = QuotedETag(attributes.etag);
  const absl::Time modified = absl::FromUnixSeconds(object.modified_at_ms / 1000);
  res.set_header("ETag", etag);
  res.set_header("Last-Modified", HttpDate(modified));

  // Preconditions (RFC 7232 section 6, as S3 applies them): If-Match, else
  // If-Unmodified-Since, may fail with 412; then If-None-Match, else
  // If-Modified-Since, with 304.
  if (auto if_match = s3.Header("If-Match")) {
    if (!ETagListMatches(*if_match, attributes.etag)) {
      return S3Error(S3ErrorCode::kPreconditionFailed,
                     "At least one of the pre-conditions you specified did not hold");
    }
  } else if (auto since = s3.Header("If-Unmodified-Since")) {
    if (auto time = ParseHttpDate(*since); time && modified > *time) {
      return S3Error(S3ErrorCode::kPreconditionFailed,
                     "At least one of the pre-conditions you specified did not hold");
    }
  }
  bool not_modified = false;
  if (auto if_none_match = s3.Header("If-None-Match")) {
    not_modified = ETagListMatches(*if_none_match, attributes.etag);
  } else if (auto since = s3.Header("If-Modified-Since")) {
    if (auto time = ParseHttpDate(*since); time && modified <= *time) not_modified = true;
  }
  if (not_modified) {
    res.status = 304;
    return absl::OkStatus();
  }

  bool unsatisfiable = false;
  std::optional<ByteRange> range;
  if (auto range_header = s3.Header("Range")) {
    range = ResolveRange(*range_header, object.size, &unsatisfiable);
  }
  if (unsatisfiable) {
    res.set_header("Content-Range", StrCat("bytes */", object.size));
    return S3Error(S3ErrorCode::kInvalidRange, "The requested range is not satisfiable");
  }

  res.set_header("Accept-Ranges", "bytes");
  for (const auto& [name, value] : attributes.metadata) {
    if (name.starts_with(kMetaPrefix)) {
      res.set_header(name, value);
    } else if (std::find(kStoredHeaders.begin(), kStoredHeaders.end(), name) !=
                   kStoredHeaders.end() &&
               !overrides.contains(name)) {
      res.set_header(name, value);
    }
  }
  for (const auto& [name, value] : overrides) {
    if (name != "content-type") res.set_header(name, value);
  }
  if (!attributes.tags.empty())
    res.set_header("x-amz-tagging-count", StrCat(attributes.tags.size()));
  if (!range && AsciiLower(s3.Header("x-amz-checksum-mode").value_or("")) == "enabled") {
    for (const auto& [name, value] : attributes.metadata) {
      if (ChecksumAlgorithmOfHeader(name)) res.set_header(name, value);
    }
  }
  std::string content_type =
      attributes.content_type.empty() ? std::string(kDefaultContentType) : attributes.content_type;
  if (auto it = overrides.find("content-type"); it != overrides.end()) content_type = it->second;

  int64_t first = 0;
  int64_t length = object.size;
  res.status = 200;
  if (range) {
    first = range->first;
    length = range->length;
    res.status = 206;
    res.set_header("Content-Range",
                   StrCat("bytes ", first, "-", first + length - 1, "/", object.size));
  }
  if (length == 0) {
    res.set_content("", content_type);
    return absl::OkStatus();
  }
  if (head) {
    // Never called for HEAD: gives the Content-Length.
    res.set_content_provider(static_cast<size_t>(length), content_type,
                             [](size_t, size_t, httplib::DataSink&) { return false; });
    return absl::OkStatus();
  }
  // Streamed: cpp-httplib calls the provider with what is left to send; a
  // backend failure ends the response early (the client sees a short body).
  ObjectBackend* backend = backend_;
  res.set_content_provider(static_cast<size_t>(length), content_type,
                           [backend, object = std::move(object), first](
                               size_t offset, size_t remaining, httplib::DataSink& sink) {
                             Status read = backend->ReadObject(
                                 object, first + static_cast<int64_t>(offset),
                                 static_cast<int64_t>(remaining),
                                 [&](std::string_view piece) -> Status {
                                   if (!sink.write(piece.data(), piece.size())) {
                                     return absl::CancelledError("the client went away");
                                   }
                                   return absl::OkStatus();
                                 });
                             if (!read.ok() && !absl::IsCancelled(read)) {
                               spdlog::warn("gale-s3: GET {}/{} aborted: {}", object.bucket,
                                            object.key, read.ToString());
                             }
                             return read.ok();
                           });
  return absl::OkStatus();
}

Status S3Gateway::DeleteObject(Call& call) {
  RETURN_IF_ERROR(CheckObjectKey(call.s3.key));
  Status deleted = BackendError(backend_->DeleteObject(call.s3.bucket, call.s3.key));
  // S3 answers 204 for a key that is not there; not for a missing bucket.
  if (!deleted.ok() && S3ErrorCodeOf(deleted) != S3ErrorCode::kNoSuchKey) return deleted;
  call.res.status = 204;
  return absl::OkStatus();
}

Status S3Gateway::DeleteObjects(Call& call) {
  RETURN_IF_ERROR(BackendError(backend_->GetBucket(call.s3.bucket).status()));
  ASSIGN_OR_RETURN(std::string body, ReadSmallBody(call));
  if (auto md5 = call.s3.Header("Content-MD5"))
    RETURN_IF_ERROR(VerifyContentMd5(*md5, [&] {
      Hasher hasher(Hasher::Kind::kMd5);
      hasher.Update(body);
      return hasher.Digest();
    }()));
  ASSIGN_OR_RETURN(DeleteObjectsRequest request,
                   ParseDeleteObjects(body, options_.max_xml_body_bytes));
  DeleteResult result;
  result.quiet = request.quiet;
  for (const ObjectIdentifier& object : request.objects) {
    Status deleted = CheckObjectKey(object.key);
    if (deleted.ok()) deleted = BackendError(backend_->DeleteObject(call.s3.bucket, object.key));
    if (deleted.ok() || S3ErrorCodeOf(deleted) == S3ErrorCode::kNoSuchKey) {
      result.deleted.push_back({object.key, object.version_id});
    } else {
      result.errors.push_back({object.key, object.version_id, S3ErrorCodeOf(deleted),
                               std::string(ToStd(deleted.message()))});
    }
  }
  SendXml(call.res, 200, ToXml(result));
  return absl::OkStatus();
}

Status S3Gateway::GetObjectTagging(Call& call) {
  auto found = backend_->HeadObject(call.s3.bucket, call.s3.key);
  if (!found.ok()) return BackendError(found.status());
  Tagging tagging;
  for (const auto& [key, value] : found->attributes.tags) tagging.tags.push_back({key, value});
  SendXml(call.res, 200, ToXml(tagging));
  return absl::OkStatus();
}

Status S3Gateway::PutObjectTagging(Call& call) {
  RETURN_IF_ERROR(BackendError(backend_->HeadObject(call.s3.bucket, call.s3.key).status()));
  ASSIGN_OR_RETURN(std::string body, ReadSmallBody(call));
  ASSIGN_OR_RETURN(Tagging tagging,
                   ParseTagging(body, kMaxObjectTags, options_.max_xml_body_bytes));
  std::map<std::string, std::string> tags;
  for (const Tag& tag : tagging.tags) tags[tag.key] = tag.value;
  RETURN_IF_ERROR(BackendError(backend_->SetObjectTags(call.s3.bucket, call.s3.key, tags)));
  call.res.status = 200;
  return absl::OkStatus();
}

Status S3Gateway::DeleteObjectTagging(Call& call) {
  RETURN_IF_ERROR(BackendError(backend_->SetObjectTags(call.s3.bucket, call.s3.key, {})));
  call.res.status = 204;
  return absl::OkStatus();
}

}  // namespace gale::s3
