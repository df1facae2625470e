#pragma once

// An object's attributes as HTTP headers carry them: what PutObject,
// CreateMultipartUpload and CopyObject (REPLACE) take from the request
// (x-amz-meta-*, Content-Type, the standard headers an object keeps,
// x-amz-tagging), and ETag lists of conditional requests. Free functions,
// thread-safe.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "client/object_api.h"
#include "common/status.h"
#include "s3/gateway/request.h"

namespace gale::s3 {

inline constexpr std::string_view kMetaPrefix = "x-amz-meta-";
// The standard headers an object keeps and answers with.
inline constexpr std::array<std::string_view, 5> kStoredHeaders = {
    "cache-control", "content-disposition", "content-encoding", "content-language", "expires"};

// The attributes `request`'s headers give an object (no ETag).
// InvalidArgument when the x-amz-meta-* headers exceed `max_metadata_bytes`,
// InvalidTag for a bad x-amz-tagging.
Result<client::ObjectAttributes> ObjectAttributesFromHeaders(const S3Request& request,
                                                             size_t max_metadata_bytes);

// An ETag without its quotes (and W/ prefix).
std::string UnquotedETag(std::string_view etag);
// Whether a list of ETags (If-Match, If-None-Match) names `etag`; "*" names any.
bool ETagListMatches(std::string_view list, const std::string& etag);

}  // namespace gale::s3
