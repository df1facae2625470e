#include "s3/gateway/request.h"

#include <algorithm>
#include <iterator>

#include "common/strings.h"
#include "s3/protocol/s3_error.h"
#include "s3/protocol/sigv4.h"

namespace gale::s3 {
namespace {

// Query parameters that select a sub-resource (an operation of their own)
// rather than qualify one.
constexpr std::string_view kSubresources[] = {
    "accelerate",
    "acl",
    "analytics",
    "attributes",
    "cors",
    "delete",
    "encryption",
    "intelligent-tiering",
    "inventory",
    "legal-hold",
    "lifecycle",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "ownershipControls",
    "partNumber",
    "policy",
    "policyStatus",
    "publicAccessBlock",
    "replication",
    "requestPayment",
    "restore",
    "retention",
    "select",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versioning",
    "versions",
    "website",
    "session",
    "renameObject",
    "metadataConfiguration",
};

bool IsSubresource(std::string_view name) {
  return std::find(std::begin(kSubresources), std::end(kSubresources), name) !=
         std::end(kSubresources);
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t at = 0;
  while (at <= raw_query.size() && !raw_query.empty()) {
    size_t end = raw_query.find('&', at);
    if (end == std::string_view::npos) end = raw_query.size();
    std::string_view piece = raw_query.substr(at, end - at);
    if (!piece.empty()) {
      size_t eq = piece.find('=');
      std::string_view name = piece.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? "" : piece.substr(eq + 1);
      params.emplace_back(UriDecode(name, true), UriDecode(value, true));
    }
    at = end + 1;
  }
  return params;
}

S3Operation Route(const S3Request& request, std::string* unsupported) {
  std::vector<std::string> subresources;
  for (const auto& [name, value] : request.params) {
    if (IsSubresource(name)) subresources.push_back(name);
  }
  const std::string& method = request.method;
  auto only = [&](std::string_view name) {
    return subresources.size() == 1 && subresources[0] == name;
  };
  // Exactly these two, in either order.
  auto both = [&](std::string_view a, std::string_view b) {
    return subresources.size() == 2 && ((subresources[0] == a && subresources[1] == b) ||
                                        (subresources[0] == b && subresources[1] == a));
  };
  auto unsupported_here = [&]() {
    *unsupported = subresources.empty()
                       ? StrCat(method, " on ", request.key.empty() ? "a bucket" : "an object")
                       : StrCat(method, " ?", subresources[0]);
    return S3Operation::kNotImplemented;
  };
  if (request.bucket.empty()) {
    if (method == "GET" && subresources.empty()) return S3Operation::kListBuckets;
    return unsupported_here();
  }
  if (request.key.empty()) {
    if (method == "GET") {
      if (subresources.empty()) {
        return request.Param("list-type") == "2" ? S3Operation::kListObjectsV2
                                                 : S3Operation::kListObjects;
      }
      if (only("location")) return S3Operation::kGetBucketLocation;
      if (only("versioning")) return S3Operation::kGetBucketVersioning;
      if (only("versions")) return S3Operation::kListObjectVersions;
      if (only("uploads")) return S3Operation::kListMultipartUploads;
    } else if (method == "HEAD" && subresources.empty()) {
      return S3Operation::kHeadBucket;
    } else if (method == "PUT" && subresources.empty()) {
      return S3Operation::kCreateBucket;
    } else if (method == "DELETE" && subresources.empty()) {
      return S3Operation::kDeleteBucket;
    } else if (method == "POST" && only("delete")) {
      return S3Operation::kDeleteObjects;
    }
    return unsupported_here();
  }
  const bool copy = request.Header("x-amz-copy-source").has_value();
  if (method == "PUT" && copy) {
    if (subresources.empty()) return S3Operation::kCopyObject;
    if (both("partNumber", "uploadId")) return S3Operation::kUploadPartCopy;
    return unsupported_here();
  }
  if (method == "GET") {
    if (subresources.empty()) return S3Operation::kGetObject;
    if (only("tagging")) return S3Operation::kGetObjectTagging;
    if (only("uploadId")) return S3Operation::kListParts;
  } else if (method == "HEAD" && subresources.empty()) {
    return S3Operation::kHeadObject;
  } else if (method == "PUT") {
    if (subresources.empty()) return S3Operation::kPutObject;
    if (only("tagging")) return S3Operation::kPutObjectTagging;
    if (both("partNumber", "uploadId")) return S3Operation::kUploadPart;
  } else if (method == "DELETE") {
    if (subresources.empty()) return S3Operation::kDeleteObject;
    if (only("tagging")) return S3Operation::kDeleteObjectTagging;
    if (only("uploadId")) return S3Operation::kAbortMultipartUpload;
  } else if (method == "POST") {
    if (only("uploads")) return S3Operation::kCreateMultipartUpload;
    if (only("uploadId")) return S3Operation::kCompleteMultipartUpload;
  }
  return unsupported_here();
}

}  // namespace

std::string_view OperationName(S3Operation operation) {
  switch (operation) {
    case S3Operation::kListBuckets:
      return "ListBuckets";
    case S3Operation::kCreateBucket:
      return "CreateBucket";
    case S3Operation::kHeadBucket:
      return "HeadBucket";
    case S3Operation::kDeleteBucket:
      return "DeleteBucket";
    case S3Operation::kGetBucketLocation:
      return "GetBucketLocation";
    case S3Operation::kGetBucketVersioning:
      return "GetBucketVersioning";
    case S3Operation::kListObjects:
      return "ListObjects";
    case S3Operation::kListObjectsV2:
      return "ListObjectsV2";
    case S3Operation::kListObjectVersions:
      return "ListObjectVersions";
    case S3Operation::kDeleteObjects:
      return "DeleteObjects";
    case S3Operation::kPutObject:
      return "PutObject";
    case S3Operation::kGetObject:
      return "GetObject";
    case S3Operation::kHeadObject:
      return "HeadObject";
    case S3Operation::kDeleteObject:
      return "DeleteObject";
    case S3Operation::kGetObjectTagging:
      return "GetObjectTagging";
    case S3Operation::kPutObjectTagging:
      return "PutObjectTagging";
    case S3Operation::kDeleteObjectTagging:
      return "DeleteObjectTagging";
    case S3Operation::kCopyObject:
      return "CopyObject";
    case S3Operation::kCreateMultipartUpload:
      return "CreateMultipartUpload";
    case S3Operation::kUploadPart:
      return "UploadPart";
    case S3Operation::kUploadPartCopy:
      return "UploadPartCopy";
    case S3Operation::kCompleteMultipartUpload:
      return "CompleteMultipartUpload";
    case S3Operation::kAbortMultipartUpload:
      return "AbortMultipartUpload";
    case S3Operation::kListParts:
      return "ListParts";
    case S3Operation::kListMultipartUploads:
      return "ListMultipartUploads";
    case S3Operation::kNotImplemented:
      return "NotImplemented";
  }
  return "Unknown";
}

bool IsWrite(S3Operation operation) {
  switch (operation) {
    case S3Operation::kCreateBucket:
    case S3Operation::kDeleteBucket:
    case S3Operation::kDeleteObjects:
    case S3Operation::kPutObject:
    case S3Operation::kDeleteObject:
    case S3Operation::kPutObjectTagging:
    case S3Operation::kDeleteObjectTagging:
    case S3Operation::kCopyObject:
    case S3Operation::kCreateMultipartUpload:
    case S3Operation::kUploadPart:
    case S3Operation::kUploadPartCopy:
    case S3Operation::kCompleteMultipartUpload:
    case S3Operation::kAbortMultipartUpload:
    case S3Operation::kNotImplemented:  // may be a write: never allowed to read-only keys
      return true;
    default:
      return false;
  }
}

std::string S3Request::Resource() const {
  if (bucket.empty()) return "/";
  if (key.empty()) return StrCat("/", bucket);
  return StrCat("/", bucket, "/", key);
}

bool S3Request::HasParam(std::string_view name) const { return Param(name).has_value(); }

std::optional<std::string> S3Request::Param(std::string_view name) const {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::optional<std::string> S3Request::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (AsciiLower(n) == AsciiLower(name)) return v;
  }
  return std::nullopt;
}

Result<S3Request> ParseS3Request(const httplib::Request& req, std::string_view domain) {
  S3Request request;
  request.method = req.method;
  std::string_view target = req.target;
  const size_t question = target.find('?');
  request.raw_path = std::string(target.substr(0, question));
  if (question != std::string_view::npos)
    request.raw_query = std::string(target.substr(question + 1));
  if (!request.raw_path.starts_with('/')) {
    return S3Error(S3ErrorCode::kInvalidRequest, "the request target must be an absolute path");
  }
  for (const auto& [name, value] : req.headers) request.headers.emplace_back(name, value);
  request.params = ParseQuery(request.raw_query);

  std::string_view path = std::string_view(request.raw_path).substr(1);
  std::string host = AsciiLower(req.get_header_value("Host"));
  if (size_t colon = host.rfind(':');
      colon != std::string::npos && host.find(']') == std::string::npos) {
    host.resize(colon);
  }
  const std::string suffix = StrCat(".", AsciiLower(domain));
  if (!domain.empty() && host.size() > suffix.size() && host.ends_with(suffix)) {
    request.virtual_host = true;
    request.bucket = host.substr(0, host.size() - suffix.size());
    request.key = UriDecode(path, false);
  } else {
    const size_t slash = path.find('/');
    request.bucket = UriDecode(path.substr(0, slash), false);
    if (slash != std::string_view::npos) request.key = UriDecode(path.substr(slash + 1), false);
  }
  if (auto version = request.Param("versionId"); version && *version != "null") {
    return S3Error(S3ErrorCode::kInvalidArgument, "Invalid version id specified");
  }
  request.operation = Route(request, &request.unsupported);
  return request;
}

}  // namespace gale::s3
