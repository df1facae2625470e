// S3Gateway: the object operations.

#include <array>
#include <utility>

#include "common/strings.h"
#include "s3/gateway/gateway.h"
#include "s3/gateway/http_util.h"
#include "s3/gateway/names.h"
#include "s3/gateway/payload_reader.h"
#include "s3/protocol/checksums.h"
#include "s3/protocol/s3_error.h"
#include "s3/protocol/s3_xml_requests.h"
#include "s3/protocol/s3_xml_responses.h"
#include "spdlog/spdlog.h"

namespace gale::s3 {
namespace {

constexpr std::string_view kMetaPrefix = "x-amz-meta-";
// The standard headers an object keeps and answers with.
constexpr std::array<std::string_view, 5> kStoredHeaders = {
    "cache-control", "content-disposition", "content-encoding", "content-language", "expires"};
constexpr std::string_view kDefaultContentType = "binary/octet-stream";

Status CheckKey(const std::string& key) {
  if (key.size() > kMaxObjectKeyBytes) {
    return S3Error(S3ErrorCode::kKeyTooLongError, "Your key is too long");
  }
  return BackendError(ValidateObjectKey(key));
}

// Content-Encoding without the aws-chunked framing, which is the transfer's.
std::string StoredContentEncoding(std::string_view value) {
  std::string out;
  for (std::string_view piece : SplitTrimmed(value, ',')) {
    if (AsciiLower(piece) == "aws-chunked") continue;
    if (!out.empty()) out += ",";
    out += piece;
  }
  return out;
}

// x-amz-tagging: "k1=v1&k2=v2", URL-encoded.
Result<std::map<std::string, std::string>> ParseTaggingHeader(std::string_view value) {
  std::map<std::string, std::string> tags;
  size_t at = 0;
  while (at < value.size()) {
    size_t end = value.find('&', at);
    if (end == std::string_view::npos) end = value.size();
    std::string_view piece = value.substr(at, end - at);
    at = end + 1;
    if (piece.empty()) continue;
    const size_t eq = piece.find('=');
    std::string key = UriDecode(piece.substr(0, eq), true);
    std::string tag_value =
        eq == std::string_view::npos ? "" : UriDecode(piece.substr(eq + 1), true);
    if (key.empty() || key.size() > kMaxTagKeyChars * 4 ||
        tag_value.size() > kMaxTagValueChars * 4 || !IsValidUtf8(key) || !IsValidUtf8(tag_value) ||
        key.starts_with("aws:")) {
      return S3Error(S3ErrorCode::kInvalidTag,
                     "The TagKey or TagValue you have provided is invalid");
    }
    if (!tags.emplace(std::move(key), std::move(tag_value)).second) {
      return S3Error(S3ErrorCode::kInvalidTag, "Cannot provide multiple Tags with the same key");
    }
  }
  if (tags.size() > kMaxObjectTags) {
    return S3Error(S3ErrorCode::kInvalidTag, "Object tags cannot be greater than 10");
  }
  return tags;
}

std::string UnquotedETag(std::string_view etag) {
  etag = TrimWhitespace(etag);
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

// Whether a list of ETags (If-Match, If-None-Match) names `etag`.
bool ETagListMatches(std::string_view list, const std::string& etag) {
  for (std::string_view candidate : SplitTrimmed(list, ',')) {
    if (candidate == "*" || UnquotedETag(candidate) == UnquotedETag(etag)) return true;
  }
  return false;
}

}  // namespace

Status S3Gateway::PutObject(Call& call) {
  const S3Request& s3 = call.s3;
  RETURN_IF_ERROR(CheckKey(s3.key));
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
    if (*length > options_.max_object_bytes) {
      return S3Error(S3ErrorCode::kEntityTooLarge,
                     "Your proposed upload exceeds the maximum allowed object size.");
    }
  }

  // Attributes first: a bad header fails before any byte is read.
  client::ObjectAttributes attributes;
  size_t metadata_bytes = 0;
  for (const auto& [raw_name, value] : s3.headers) {
    const std::string name = AsciiLower(raw_name);
    if (name.starts_with(kMetaPrefix)) {
      metadata_bytes += name.size() - kMetaPrefix.size() + value.size();
      attributes.metadata[name] = value;
    } else if (name == "content-type") {
      attributes.content_type = value;
    } else if (name == "content-encoding") {
      std::string encoding = StoredContentEncoding(value);
      if (!encoding.empty()) attributes.metadata[name] = encoding;
    } else if (std::find(kStoredHeaders.begin(), kStoredHeaders.end(), name) !=
               kStoredHeaders.end()) {
      attributes.metadata[name] = value;
    }
  }
  if (metadata_bytes > options_.max_metadata_bytes) {
    return S3Error(S3ErrorCode::kInvalidArgument,
                   StrCat("Your metadata headers exceed the maximum allowed metadata size (",
                          options_.max_metadata_bytes, " bytes)"));
  }
  if (auto tagging = s3.Header("x-amz-tagging")) {
    ASSIGN_OR_RETURN(attributes.tags, ParseTaggingHeader(*tagging));
  }
  std::optional<std::string> content_md5 = s3.Header("Content-MD5");
  if (content_md5) RETURN_IF_ERROR(DecodeContentMd5(*content_md5).status());

  // The checksum: named by x-amz-checksum-algorithm / x-amz-trailer, or sent
  // as an x-amz-checksum-<alg> header.
  ASSIGN_OR_RETURN(std::optional<ChecksumAlgorithm> algorithm,
                   RequestedChecksumAlgorithm(s3.headers));
  std::optional<std::string> checksum_header;
  for (const auto& [name, value] : s3.headers) {
    std::optional<ChecksumAlgorithm> of_header = ChecksumAlgorithmOfHeader(name);
    if (!of_header) continue;
    if (algorithm && *algorithm != *of_header) {
      return S3Error(
          S3ErrorCode::kInvalidRequest,
          "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
    }
    algorithm = of_header;
    checksum_header = value;
  }
  std::string expected_trailer;
  if (auto trailer = s3.Header("x-amz-trailer"))
    expected_trailer = AsciiLower(TrimWhitespace(*trailer));

  ASSIGN_OR_RETURN(
      PayloadReader payload,
      PayloadReader::ForRequest(s3, call.auth ? &*call.auth : nullptr, expected_trailer));
  ASSIGN_OR_RETURN(std::unique_ptr<ObjectWriter> writer,
                   [&]() -> Result<std::unique_ptr<ObjectWriter>> {
                     auto w = backend_->PutObject(s3.bucket, s3.key);
                     if (!w.ok()) return BackendError(w.status());
                     return w;
                   }());
  Hasher md5(Hasher::Kind::kMd5);
  std::optional<Hasher> checksum;
  if (algorithm) checksum.emplace(*algorithm);
  const int64_t max_bytes = options_.max_object_bytes;
  int64_t received = 0;
  Status status = payload.Read(call.reader, call.http.body, [&](std::string_view piece) -> Status {
    received += static_cast<int64_t>(piece.size());
    if (received > max_bytes) {
      return S3Error(S3ErrorCode::kEntityTooLarge,
                     "Your proposed upload exceeds the maximum allowed object size.");
    }
    md5.Update(piece);
    if (checksum) checksum->Update(piece);
    return writer->Write(piece);
  });
  const std::string md5_raw = md5.Digest();
  if (status.ok() && content_md5) status = VerifyContentMd5(*content_md5, md5_raw);
  std::string checksum_value;
  if (status.ok() && checksum) {
    checksum_value = checksum->Base64Digest();
    const std::string header_name(ChecksumHeaderName(*algorithm));
    std::optional<std::string> expected =
        checksum_header ? checksum_header : payload.Trailer(header_name);
    if (expected) status = VerifyChecksum(*algorithm, *expected, checksum_value);
    if (status.ok()) attributes.metadata[header_name] = checksum_value;
  }
  if (!status.ok()) {
    writer->Abort();
    return status;
  }
  attributes.etag = HexEncode(md5_raw);
  auto committed = writer->Commit(attributes);
  if (!committed.ok()) return BackendError(committed.status());
  call.res.status = 200;
  call.res.set_header("ETag", QuotedETag(attributes.etag));
  if (checksum) call.res.set_header(std::string(ChecksumHeaderName(*algorithm)), checksum_value);
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
  RETURN_IF_ERROR(CheckKey(call.s3.key));
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
    Status deleted = CheckKey(object.key);
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
