#pragma once

// What an HTTP request asks of the S3 API: the bucket and key (path style or
// virtual-host style), the query parameters, and the operation they name.
// Free functions, thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "httplib.h"

namespace gale::s3 {

// The operations gale-s3 routes to; everything else is kNotImplemented.
enum class S3Operation {
  kListBuckets,
  kCreateBucket,
  kHeadBucket,
  kDeleteBucket,
  kGetBucketLocation,
  kGetBucketVersioning,
  kListObjects,
  kListObjectsV2,
  kListObjectVersions,
  kDeleteObjects,
  kPutObject,
  kGetObject,
  kHeadObject,
  kDeleteObject,
  kGetObjectTagging,
  kPutObjectTagging,
  kDeleteObjectTagging,
  kCopyObject,
  kCreateMultipartUpload,
  kUploadPart,
  kUploadPartCopy,
  kCompleteMultipartUpload,
  kAbortMultipartUpload,
  kListParts,
  kListMultipartUploads,
  kNotImplemented,
};

// "GetObject", ...
std::string_view OperationName(S3Operation operation);
// Whether `operation` changes anything (refused to read-only keys).
bool IsWrite(S3Operation operation);

// A request as the S3 API sees it.
struct S3Request {
  std::string method;
  std::string raw_path;   // as on the request line, before '?'
  std::string raw_query;  // after '?', without it
  std::string bucket;     // "" for the service (ListBuckets)
  std::string key;        // decoded; "" for the service and bucket operations
  bool virtual_host = false;
  // Every header, names as sent (for SigV4 and the checksum helpers).
  std::vector<std::pair<std::string, std::string>> headers;
  // Query parameters, decoded ('+' is a space), in order.
  std::vector<std::pair<std::string, std::string>> params;
  S3Operation operation = S3Operation::kNotImplemented;
  // What kNotImplemented stands for ("the S3 API's ?acl"), for its message.
  std::string unsupported;

  // "/bucket/key", decoded: the <Resource> of error documents.
  std::string Resource() const;
  bool HasParam(std::string_view name) const;
  std::optional<std::string> Param(std::string_view name) const;
  // The first header `name` (case-insensitive), if present.
  std::optional<std::string> Header(std::string_view name) const;
};

// Parses `req`. With a non-empty `domain`, a Host of "<bucket>.<domain>"
// (any port) selects virtual-host style, where the whole path is the key.
// InvalidRequest for a target that is not an absolute path; InvalidArgument
// for a versionId other than "null" (gale-s3 never versions).
Result<S3Request> ParseS3Request(const httplib::Request& req, std::string_view domain);

}  // namespace gale::s3
