#include "s3/gateway/object_headers.h"

#include <algorithm>
#include <map>
#include <utility>

#include "common/strings.h"
#include "s3/protocol/s3_error.h"
#include "s3/protocol/s3_xml_requests.h"
#include "s3/protocol/sigv4.h"

namespace gale::s3 {
namespace {

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

}  // namespace

Result<client::ObjectAttributes> ObjectAttributesFromHeaders(const S3Request& request,
                                                             size_t max_metadata_bytes) {
  client::ObjectAttributes attributes;
  size_t metadata_bytes = 0;
  for (const auto& [raw_name, value] : request.headers) {
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
  if (metadata_bytes > max_metadata_bytes) {
    return S3Error(S3ErrorCode::kInvalidArgument,
                   StrCat("Your metadata headers exceed the maximum allowed metadata size (",
                          max_metadata_bytes, " bytes)"));
  }
  if (auto tagging = request.Header("x-amz-tagging")) {
    ASSIGN_OR_RETURN(attributes.tags, ParseTaggingHeader(*tagging));
  }
  return attributes;
}

std::string UnquotedETag(std::string_view etag) {
  etag = TrimWhitespace(etag);
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

bool ETagListMatches(std::string_view list, const std::string& etag) {
  for (std::string_view candidate : SplitTrimmed(list, ',')) {
    if (candidate == "*" || UnquotedETag(candidate) == UnquotedETag(etag)) return true;
  }
  return false;
}

}  // namespace gale::s3
