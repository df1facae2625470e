// S3Gateway: the listings of a bucket (ListObjects v1 and v2, and
// ListObjectVersions for an unversioned store).

#include <algorithm>

#include "common/strings.h"
#include "s3/gateway/gateway.h"
#include "s3/gateway/http_util.h"
#include "s3/protocol/checksums.h"
#include "s3/protocol/s3_error.h"
#include "s3/protocol/s3_xml_responses.h"

namespace gale::s3 {
namespace {

// What every listing takes: prefix, delimiter, max-keys, encoding-type.
struct ListingParams {
  std::string prefix;
  std::string delimiter;
  int max_keys = 1000;
  bool url_encoding = false;
};

Result<ListingParams> ParseListingParams(const S3Request& s3, int max_keys_limit) {
  ListingParams params;
  params.prefix = s3.Param("prefix").value_or("");
  params.delimiter = s3.Param("delimiter").value_or("");
  params.max_keys = max_keys_limit;
  if (auto max_keys = s3.Param("max-keys")) {
    std::optional<int64_t> value = ParseInt64(*max_keys);
    if (!value || *value < 0) {
      return S3Error(S3ErrorCode::kInvalidArgument,
                     "Provided max-keys not an integer or within integer range");
    }
    params.max_keys = static_cast<int>(std::min<int64_t>(*value, max_keys_limit));
  }
  if (auto encoding = s3.Param("encoding-type")) {
    if (AsciiLower(*encoding) != "url") {
      return S3Error(S3ErrorCode::kInvalidArgument, "Invalid Encoding Method specified in Request");
    }
    params.url_encoding = true;
  }
  return params;
}

// The listing entries of `objects`, whose strings they take.
std::vector<ObjectEntry> EntriesOf(std::vector<client::ObjectInfo>& objects) {
  std::vector<ObjectEntry> out;
  out.reserve(objects.size());
  for (client::ObjectInfo& object : objects) {
    out.push_back({std::move(object.key), absl::FromUnixMillis(object.modified_at_ms),
                   std::move(object.attributes.etag), object.size});
  }
  return out;
}

}  // namespace

Status S3Gateway::ListObjects(Call& call) {
  ASSIGN_OR_RETURN(client::BucketInfo bucket, [&]() -> Result<client::BucketInfo> {
    auto b = backend_->GetBucket(call.s3.bucket);
    if (!b.ok()) return BackendError(b.status());
    return b;
  }());
  ASSIGN_OR_RETURN(ListingParams params, ParseListingParams(call.s3, options_.max_keys));
  client::ObjectListRequest request{call.s3.bucket,    params.prefix,
                                    params.delimiter,  call.s3.Param("marker").value_or(""),
                                    params.max_keys,
                                    /*summaries=*/true};
  auto listing = backend_->ListObjects(request);
  if (!listing.ok()) return BackendError(listing.status());
  ListBucketResult result;
  result.bucket = bucket.name;
  result.prefix = params.prefix;
  result.marker = request.start_after;
  result.delimiter = params.delimiter;
  result.max_keys = params.max_keys;
  result.is_truncated = listing->truncated;
  if (listing->truncated) result.next_marker = listing->last;
  result.url_encoding = params.url_encoding;
  result.contents = EntriesOf(listing->objects);
  result.common_prefixes = std::move(listing->common_prefixes);
  result.owner = Owner{bucket.owner, bucket.owner};
  SendXml(call.res, 200, ToXml(result));
  return absl::OkStatus();
}

Status S3Gateway::ListObjectsV2(Call& call) {
  // The listing itself answers NoSuchBucket, so the bucket is looked up only
  // for its owner (fetch-owner) or when a parameter is refused: a missing
  // bucket is reported before a bad parameter, as S3 does. One call per page
  // instead of two.
  auto bucket_first = [&](const Status& refused) -> Status {
    auto b = backend_->GetBucket(call.s3.bucket);
    return b.ok() ? refused : BackendError(b.status());
  };
  Result<ListingParams> parsed = ParseListingParams(call.s3, options_.max_keys);
  if (!parsed.ok()) return bucket_first(parsed.status());
  const ListingParams& params = *parsed;
  ListBucketResultV2 result;
  result.start_after = call.s3.Param("start-after").value_or("");
  std::string start = result.start_after;
  // The continuation token is opaque to clients: the base64 of the key (or
  // common prefix) the next page starts after.
  if (auto token = call.s3.Param("continuation-token")) {
    std::optional<std::string> decoded = Base64Decode(*token);
    if (token->empty() || !decoded) {
      return bucket_first(
          S3Error(S3ErrorCode::kInvalidArgument, "The continuation token provided is incorrect"));
    }
    result.continuation_token = *token;
    start = *decoded;
  }
  client::ObjectListRequest request{call.s3.bucket, params.prefix,   params.delimiter,
                                    start,          params.max_keys, /*summaries=*/true};
  auto listing = backend_->ListObjects(request);
  if (!listing.ok()) return BackendError(listing.status());
  result.bucket = call.s3.bucket;
  result.prefix = params.prefix;
  result.delimiter = params.delimiter;
  result.max_keys = params.max_keys;
  result.is_truncated = listing->truncated;
  if (listing->truncated) result.next_continuation_token = Base64Encode(listing->last);
  result.url_encoding = params.url_encoding;
  result.contents = EntriesOf(listing->objects);
  result.common_prefixes = std::move(listing->common_prefixes);
  if (call.s3.Param("fetch-owner") == "true") {
    auto bucket = backend_->GetBucket(call.s3.bucket);
    if (!bucket.ok()) return BackendError(bucket.status());
    result.owner = Owner{bucket->owner, bucket->owner};
  }
  SendXml(call.res, 200, ToXml(result));
  return absl::OkStatus();
}

Status S3Gateway::ListObjectVersions(Call& call) {
  ASSIGN_OR_RETURN(client::BucketInfo bucket, [&]() -> Result<client::BucketInfo> {
    auto b = backend_->GetBucket(call.s3.bucket);
    if (!b.ok()) return BackendError(b.status());
    return b;
  }());
  ASSIGN_OR_RETURN(ListingParams params, ParseListingParams(call.s3, options_.max_keys));
  ListVersionsResult result;
  result.key_marker = call.s3.Param("key-marker").value_or("");
  result.version_id_marker = call.s3.Param("version-id-marker").value_or("");
  // Every object has one version, "null": after (key-marker, "null") comes
  // the next key.
  client::ObjectListRequest request{call.s3.bucket,    params.prefix,   params.delimiter,
                                    result.key_marker, params.max_keys, /*summaries=*/true};
  auto listing = backend_->ListObjects(request);
  if (!listing.ok()) return BackendError(listing.status());
  result.bucket = bucket.name;
  result.prefix = params.prefix;
  result.delimiter = params.delimiter;
  result.max_keys = params.max_keys;
  result.is_truncated = listing->truncated;
  if (listing->truncated) result.next_key_marker = listing->last;
  result.url_encoding = params.url_encoding;
  result.versions = EntriesOf(listing->objects);
  result.common_prefixes = std::move(listing->common_prefixes);
  result.owner = Owner{bucket.owner, bucket.owner};
  SendXml(call.res, 200, ToXml(result));
  return absl::OkStatus();
}

}  // namespace gale::s3
