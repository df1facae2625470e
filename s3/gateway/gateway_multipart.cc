// S3Gateway: multipart uploads. Each part is stored as it arrives, with its
// MD5 as its ETag; completing the upload checks the parts the client names
// against the stored ones and has the backend join them without copying
// bytes. The object's ETag is the MD5 of the parts' binary MD5s, then "-N".

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "common/strings.h"
#include "s3/gateway/gateway.h"
#include "s3/gateway/http_util.h"
#include "s3/gateway/object_headers.h"
#include "s3/protocol/checksums.h"
#include "s3/protocol/s3_error.h"
#include "s3/protocol/s3_xml_requests.h"
#include "s3/protocol/s3_xml_responses.h"

namespace gale::s3 {
namespace {

Status NoSuchUpload() {
  return S3Error(S3ErrorCode::kNoSuchUpload,
                 "The specified multipart upload does not exist. The upload ID may be invalid, "
                 "or the upload may have been aborted or completed.");
}

// ?partNumber: 1..10000.
Result<int> PartNumberOf(const S3Request& request) {
  std::optional<int64_t> number = ParseInt64(request.Param("partNumber").value_or(""));
  if (!number || *number < kMinPartNumber || *number > kMaxPartNumber) {
    return S3Error(S3ErrorCode::kInvalidArgument,
                   "Part number must be an integer between 1 and 10000, inclusive");
  }
  return static_cast<int>(*number);
}

// A non-negative integer query parameter, `fallback` when absent.
Result<int64_t> IntParam(const S3Request& request, std::string_view name, int64_t fallback) {
  std::optional<std::string> value = request.Param(name);
  if (!value) return fallback;
  std::optional<int64_t> number = ParseInt64(*value);
  if (!number || *number < 0) {
    return S3Error(S3ErrorCode::kInvalidArgument,
                   StrCat("Argument ", name, " must be a non-negative integer"));
  }
  return *number;
}

// x-amz-copy-source-range: "bytes=first-last", both given, first <= last <
// size; nullopt otherwise.
std::optional<ByteRange> CopySourceRange(std::string_view header, int64_t size) {
  if (!header.starts_with("bytes=")) return std::nullopt;
  header.remove_prefix(6);
  const size_t dash = header.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::optional<int64_t> first = ParseInt64(header.substr(0, dash));
  std::optional<int64_t> last = ParseInt64(header.substr(dash + 1));
  if (!first || !last || *first < 0 || *first > *last || *last >= size) return std::nullopt;
  return ByteRange{*first, *last - *first + 1};
}

}  // namespace

Result<client::MultipartUploadInfo> S3Gateway::FindUpload(const Call& call) {
  const std::string upload_id = call.s3.Param("uploadId").value_or("");
  if (upload_id.empty()) return NoSuchUpload();
  auto upload = backend_->GetMultipartUpload(upload_id);
  if (absl::IsNotFound(upload.status())) return NoSuchUpload();
  if (!upload.ok()) return BackendError(upload.status());
  if (upload->bucket != call.s3.bucket || upload->key != call.s3.key) return NoSuchUpload();
  return upload;
}

Status S3Gateway::CreateMultipartUpload(Call& call) {
  const S3Request& s3 = call.s3;
  RETURN_IF_ERROR(CheckObjectKey(s3.key));
  client::MultipartUploadInfo upload;
  upload.bucket = s3.bucket;
  upload.key = s3.key;
  upload.owner = OwnerOf(call);
  ASSIGN_OR_RETURN(upload.attributes, ObjectAttributesFromHeaders(s3, options_.max_metadata_bytes));
  auto created = backend_->CreateMultipartUpload(upload);
  if (!created.ok()) return BackendError(created.status());
  SendXml(call.res, 200,
          ToXml(InitiateMultipartUploadResult{s3.bucket, s3.key, created->upload_id}));
  return absl::OkStatus();
}

Status S3Gateway::UploadPart(Call& call) {
  ASSIGN_OR_RETURN(const int part_number, PartNumberOf(call.s3));
  ASSIGN_OR_RETURN(BodyChecks checks, CheckBody(call, options_.max_part_bytes));
  ASSIGN_OR_RETURN(client::MultipartUploadInfo upload, FindUpload(call));
  auto writer = backend_->PutPart(upload.upload_id, part_number);
  if (!writer.ok()) return BackendError(writer.status());
  Result<ReceivedBody> body = ReceiveBody(call, checks, options_.max_part_bytes, **writer);
  if (!body.ok()) {
    (*writer)->Abort();
    return body.status();
  }
  client::ObjectAttributes attributes;
  attributes.etag = body->etag;
  auto committed = (*writer)->Commit(attributes);
  if (!committed.ok()) return BackendError(committed.status());
  call.res.status = 200;
  call.res.set_header("ETag", QuotedETag(body->etag));
  if (body->checksum) call.res.set_header(body->checksum->first, body->checksum->second);
  return absl::OkStatus();
}

Status S3Gateway::UploadPartCopy(Call& call) {
  ASSIGN_OR_RETURN(const int part_number, PartNumberOf(call.s3));
  ASSIGN_OR_RETURN(client::MultipartUploadInfo upload, FindUpload(call));
  ASSIGN_OR_RETURN(client::ObjectInfo source, CopySource(call));
  int64_t first = 0;
  int64_t length = source.size;
  if (auto range = call.s3.Header("x-amz-copy-source-range")) {
    std::optional<ByteRange> resolved = CopySourceRange(*range, source.size);
    if (!resolved) {
      return S3Error(S3ErrorCode::kInvalidArgument,
                     StrCat("The x-amz-copy-source-range value must be of the form "
                            "bytes=first-last, within the source object of ",
                            source.size, " bytes"));
    }
    first = resolved->first;
    length = resolved->length;
  }
  if (length > options_.max_part_bytes) {
    return S3Error(S3ErrorCode::kEntityTooLarge,
                   "Your proposed upload exceeds the maximum allowed object size.");
  }
  // The part's bytes are read and written again: its ETag is their MD5.
  auto writer = backend_->PutPart(upload.upload_id, part_number);
  if (!writer.ok()) return BackendError(writer.status());
  Hasher md5(Hasher::Kind::kMd5);
  Status copied = backend_->ReadObject(source, first, length, [&](std::string_view piece) {
    md5.Update(piece);
    return (*writer)->Write(piece);
  });
  if (!copied.ok()) {
    (*writer)->Abort();
    return BackendError(copied);
  }
  client::ObjectAttributes attributes;
  attributes.etag = md5.HexDigest();
  auto committed = (*writer)->Commit(attributes);
  if (!committed.ok()) return BackendError(committed.status());
  SendXml(call.res, 200, ToXml(CopyPartResult{clock_->Now(), attributes.etag}));
  return absl::OkStatus();
}

Status S3Gateway::CompleteMultipartUpload(Call& call) {
  ASSIGN_OR_RETURN(client::MultipartUploadInfo upload, FindUpload(call));
  ASSIGN_OR_RETURN(std::string body, ReadSmallBody(call));
  ASSIGN_OR_RETURN(::gale::s3::CompleteMultipartUpload request,
                   ParseCompleteMultipartUpload(body, options_.max_xml_body_bytes));
  auto listed = backend_->ListParts(upload.upload_id);
  if (!listed.ok()) return BackendError(listed.status());
  std::map<int, client::PartInfo> stored;
  for (client::PartInfo& part : *listed) stored[part.part_number] = std::move(part);

  std::vector<client::PartInfo> parts;
  std::string md5s;  // the parts' binary MD5s, in order
  for (size_t i = 0; i < request.parts.size(); ++i) {
    const CompletedPart& given = request.parts[i];
    if (i > 0 && given.part_number <= request.parts[i - 1].part_number) {
      return S3Error(S3ErrorCode::kInvalidPartOrder,
                     "The list of parts was not in ascending order. The parts list must be "
                     "specified in order by part number.");
    }
    auto it = stored.find(given.part_number);
    if (it == stored.end() || it->second.etag != UnquotedETag(given.etag)) {
      return S3Error(S3ErrorCode::kInvalidPart,
                     StrCat("One or more of the specified parts could not be found. The part may "
                            "not have been uploaded, or the specified entity tag may not match "
                            "the part's entity tag (part ",
                            given.part_number, ")."));
    }
    const client::PartInfo& part = it->second;
    if (i + 1 < request.parts.size() && part.size < options_.min_part_bytes) {
      return S3Error(S3ErrorCode::kEntityTooSmall,
                     StrCat("Your proposed upload is smaller than the minimum allowed object "
                            "size: part ",
                            part.part_number, " has ", part.size,
                            " bytes, and every part but "
                            "the last needs at least ",
                            options_.min_part_bytes));
    }
    std::optional<std::string> md5 = HexDecode(part.etag);
    if (!md5) return absl::InternalError(StrCat("part ", part.part_number, " has a bad ETag"));
    md5s += *md5;
    parts.push_back(part);
  }
  const std::string etag = StrCat(Md5Hex(md5s), "-", parts.size());
  auto completed = backend_->CompleteMultipartUpload(upload.upload_id, parts, etag);
  if (absl::IsFailedPrecondition(completed.status())) {
    return S3Error(S3ErrorCode::kInvalidPart,
                   StrCat("One or more of the specified parts changed while the upload was "
                          "being completed: ",
                          completed.status().message()));
  }
  if (!completed.ok()) return BackendError(completed.status());
  CompleteMultipartUploadResult result;
  result.location = StrCat("/", upload.bucket, "/", UriEncode(upload.key, false));
  result.bucket = upload.bucket;
  result.key = upload.key;
  result.etag = etag;
  SendXml(call.res, 200, ToXml(result));
  return absl::OkStatus();
}

Status S3Gateway::AbortMultipartUpload(Call& call) {
  ASSIGN_OR_RETURN(client::MultipartUploadInfo upload, FindUpload(call));
  Status aborted = backend_->AbortMultipartUpload(upload.upload_id);
  if (absl::IsNotFound(aborted)) return NoSuchUpload();
  RETURN_IF_ERROR(BackendError(aborted));
  call.res.status = 204;
  return absl::OkStatus();
}

Status S3Gateway::ListParts(Call& call) {
  ASSIGN_OR_RETURN(client::MultipartUploadInfo upload, FindUpload(call));
  ASSIGN_OR_RETURN(const int64_t max_parts, IntParam(call.s3, "max-parts", 1000));
  ASSIGN_OR_RETURN(const int64_t marker, IntParam(call.s3, "part-number-marker", 0));
  auto parts = backend_->ListParts(upload.upload_id);
  if (!parts.ok()) return BackendError(parts.status());
  ListPartsResult result;
  result.bucket = upload.bucket;
  result.key = upload.key;
  result.upload_id = upload.upload_id;
  result.part_number_marker = static_cast<int>(marker);
  result.max_parts = static_cast<int>(std::min<int64_t>(max_parts, 1000));
  result.owner = {upload.owner, upload.owner};
  for (const client::PartInfo& part : *parts) {
    if (part.part_number <= marker) continue;
    if (static_cast<int>(result.parts.size()) == result.max_parts) {
      result.is_truncated = true;
      break;
    }
    result.parts.push_back(
        {part.part_number, absl::FromUnixMillis(part.modified_at_ms), part.etag, part.size});
    result.next_part_number_marker = part.part_number;
  }
  SendXml(call.res, 200, ToXml(result));
  return absl::OkStatus();
}

Status S3Gateway::ListMultipartUploads(Call& call) {
  const S3Request& s3 = call.s3;
  ListMultipartUploadsResult result;
  result.bucket = s3.bucket;
  result.prefix = s3.Param("prefix").value_or("");
  result.delimiter = s3.Param("delimiter").value_or("");
  result.key_marker = s3.Param("key-marker").value_or("");
  // The upload id marker counts only with a key marker.
  if (!result.key_marker.empty()) {
    result.upload_id_marker = s3.Param("upload-id-marker").value_or("");
  }
  if (auto encoding = s3.Param("encoding-type")) {
    if (*encoding != "url") {
      return S3Error(S3ErrorCode::kInvalidArgument, "Invalid Encoding Method specified in Request");
    }
    result.url_encoding = true;
  }
  ASSIGN_OR_RETURN(const int64_t max_uploads, IntParam(s3, "max-uploads", 1000));
  result.max_uploads = static_cast<int>(std::min<int64_t>(max_uploads, 1000));
  result.owner = {OwnerOf(call), OwnerOf(call)};

  // Without an upload id marker, every upload of the marker key is skipped.
  client::UploadListRequest request;
  request.bucket = s3.bucket;
  request.prefix = result.prefix;
  request.after_key = result.key_marker;
  request.after_upload_id = result.upload_id_marker;
  if (!result.key_marker.empty() && result.upload_id_marker.empty()) {
    request.after_key = result.key_marker + '\x01';  // keys hold no NUL: the next key on
  }
  // Pages of the backend's uploads, rolled up at the delimiter; after a
  // common prefix, the next page starts past every key under it.
  int entries = 0;
  bool exhausted = false;
  while (!exhausted) {
    request.max_uploads = std::clamp(result.max_uploads - entries, 1, 1000);
    auto page = backend_->ListMultipartUploads(request);
    if (!page.ok()) return BackendError(page.status());
    if (entries == result.max_uploads) {  // a probe for one more
      result.is_truncated = !page->empty();
      break;
    }
    bool restarted = false;
    for (const client::MultipartUploadInfo& upload : *page) {
      if (entries == result.max_uploads) {
        result.is_truncated = true;
        break;
      }
      ++entries;
      const size_t at = result.delimiter.empty()
                            ? std::string::npos
                            : upload.key.find(result.delimiter, result.prefix.size());
      if (at == std::string::npos) {
        result.uploads.push_back(
            {upload.key, upload.upload_id, absl::FromUnixMillis(upload.initiated_at_ms)});
        result.next_key_marker = upload.key;
        result.next_upload_id_marker = upload.upload_id;
        request.after_key = upload.key;
        request.after_upload_id = upload.upload_id;
        continue;
      }
      std::string common = upload.key.substr(0, at + result.delimiter.size());
      result.next_key_marker = common;
      result.next_upload_id_marker.clear();
      std::optional<std::string> end = Utf8PrefixEnd(common);
      result.common_prefixes.push_back(std::move(common));
      if (!end) {  // nothing sorts after it
        exhausted = true;
        break;
      }
      request.after_key = *end;
      request.after_upload_id.clear();
      restarted = true;
      break;
    }
    const bool full_page = static_cast<int>(page->size()) == request.max_uploads;
    if (result.is_truncated || (!restarted && !full_page)) break;
  }
  if (!result.is_truncated) {
    result.next_key_marker.clear();
    result.next_upload_id_marker.clear();
  }
  SendXml(call.res, 200, ToXml(result));
  return absl::OkStatus();
}

}  // namespace gale::s3
