#pragma once

// The XML documents gale-s3 answers with: plain structs, each named after its
// document's root element, rendered by ToXml() into a complete document
// (`<?xml version="1.0" encoding="UTF-8"?>` and the root element in the S3
// namespace). Every value is escaped with XmlEscape. Free functions,
// thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "s3/protocol/s3_error.h"
#include "s3/protocol/s3_xml_requests.h"

namespace gale::s3 {

inline constexpr std::string_view kS3XmlNamespace = "http://s3.amazonaws.com/doc/2006-03-01/";

// `time` as S3 writes timestamps in XML: ISO 8601 in UTC with milliseconds,
// "2006-02-03T16:45:09.000Z" (truncated, not rounded, to the millisecond).
std::string S3Timestamp(absl::Time time);

// `value` encoded as S3 encodes key names in listings asked for with
// encoding-type=url: A-Z a-z 0-9 - _ . / * kept, ' ' as '+', every other byte
// (UTF-8 included, and '~' and '+') as %XX with uppercase hex. '/' is kept (a
// key "a/b c" gives "a/b+c"): this is what clients undo (botocore unquote_plus,
// the Java SDK's URL decoder), and what MinIO, modelled on S3, sends.
std::string S3ListingUrlEncode(std::string_view value);

// An ETag as S3 renders it: in double quotes (added unless already there).
std::string QuotedETag(std::string_view etag);

// The owner of buckets and objects.
struct Owner {
  std::string id;
  std::string display_name;
};

// --- Buckets ---------------------------------------------------------------

struct BucketEntry {
  std::string name;
  absl::Time creation_date;
};

// ListBuckets: <ListAllMyBucketsResult><Owner/><Buckets><Bucket><Name/>
// <CreationDate/></Bucket>...</Buckets></ListAllMyBucketsResult>.
struct ListAllMyBucketsResult {
  Owner owner;
  std::vector<BucketEntry> buckets;
};
std::string ToXml(const ListAllMyBucketsResult& result);

// GetBucketLocation: <LocationConstraint>region</LocationConstraint>, empty
// for us-east-1 (and for an empty region), as S3 answers.
struct LocationConstraint {
  std::string region;
};
std::string ToXml(const LocationConstraint& location);

// GetBucketVersioning: <VersioningConfiguration/> with <Status> and
// <MfaDelete> when set; gale-s3 never versions, so it answers the empty one.
std::string ToXml(const VersioningConfiguration& configuration);

// GetObjectTagging (and GetBucketTagging): <Tagging><TagSet><Tag><Key/>
// <Value/></Tag>...</TagSet></Tagging>.
std::string ToXml(const Tagging& tagging);

// --- Listings --------------------------------------------------------------

// One object of a listing. `etag` with or without quotes (rendered quoted);
// the storage class is always STANDARD.
struct ObjectEntry {
  std::string key;
  absl::Time last_modified;
  std::string etag;
  int64_t size = 0;
};

// ListObjects (v1): <ListBucketResult> with Name, Prefix, Marker, NextMarker,
// MaxKeys, Delimiter, IsTruncated, EncodingType, Contents, CommonPrefixes.
// With `url_encoding` (encoding-type=url), Prefix, Marker, NextMarker,
// Delimiter, each Key and each common prefix are S3ListingUrlEncode'd and
// <EncodingType>url</EncodingType> is added.
struct ListBucketResult {
  std::string bucket;
  std::string prefix;     // always rendered, empty when none was given
  std::string marker;     // always rendered, empty when none was given
  std::string delimiter;  // rendered when not empty
  int max_keys = 1000;
  bool is_truncated = false;
  // Rendered only when the listing is truncated and a delimiter was given,
  // as S3 does (otherwise clients continue from the last Key).
  std::string next_marker;
  bool url_encoding = false;
  std::vector<ObjectEntry> contents;
  std::vector<std::string> common_prefixes;
  // Rendered in every Contents when set (v1 always shows the owner).
  std::optional<Owner> owner;
};
std::string ToXml(const ListBucketResult& result);

// ListObjectsV2: <ListBucketResult> with Name, Prefix, ContinuationToken,
// NextContinuationToken, KeyCount (contents plus common prefixes), MaxKeys,
// Delimiter, EncodingType, IsTruncated, StartAfter, Contents, CommonPrefixes.
// With `url_encoding`, Prefix, Delimiter, StartAfter, each Key and each common
// prefix are S3ListingUrlEncode'd (the tokens are opaque and never encoded).
struct ListBucketResultV2 {
  std::string bucket;
  std::string prefix;                   // always rendered
  std::string delimiter;                // rendered when not empty
  std::string continuation_token;       // rendered when not empty
  std::string next_continuation_token;  // rendered when not empty
  std::string start_after;              // rendered when not empty
  int max_keys = 1000;
  bool is_truncated = false;
  bool url_encoding = false;
  std::vector<ObjectEntry> contents;
  std::vector<std::string> common_prefixes;
  // Rendered in every Contents when set (fetch-owner=true).
  std::optional<Owner> owner;
};
std::string ToXml(const ListBucketResultV2& result);

// ListObjectVersions, minimal for an unversioned store: <ListVersionsResult>
// with Name, Prefix, KeyMarker, VersionIdMarker, NextKeyMarker and
// NextVersionIdMarker (when truncated), MaxKeys, Delimiter, IsTruncated, one
// <Version> per object with VersionId "null" and IsLatest true, and
// CommonPrefixes. With `url_encoding`, Prefix, KeyMarker, NextKeyMarker,
// Delimiter, Key and common prefixes are encoded.
struct ListVersionsResult {
  std::string bucket;
  std::string prefix;
  std::string key_marker;
  std::string version_id_marker;
  std::string delimiter;
  int max_keys = 1000;
  bool is_truncated = false;
  std::string next_key_marker;  // rendered, with NextVersionIdMarker "null", when truncated
  bool url_encoding = false;
  std::vector<ObjectEntry> versions;
  std::vector<std::string> common_prefixes;
  Owner owner;
};
std::string ToXml(const ListVersionsResult& result);

// --- Multipart uploads -----------------------------------------------------

// CreateMultipartUpload: Bucket, Key, UploadId.
struct InitiateMultipartUploadResult {
  std::string bucket;
  std::string key;
  std::string upload_id;
};
std::string ToXml(const InitiateMultipartUploadResult& result);

// CompleteMultipartUpload: Location, Bucket, Key, ETag (quoted).
struct CompleteMultipartUploadResult {
  std::string location;
  std::string bucket;
  std::string key;
  std::string etag;
};
std::string ToXml(const CompleteMultipartUploadResult& result);

// One part of ListParts.
struct PartEntry {
  int part_number = 0;
  absl::Time last_modified;
  std::string etag;
  int64_t size = 0;
};

// ListParts: Bucket, Key, UploadId, PartNumberMarker, NextPartNumberMarker,
// MaxParts, IsTruncated, Part{PartNumber, LastModified, ETag, Size},
// Initiator and Owner (both `owner`), StorageClass STANDARD.
struct ListPartsResult {
  std::string bucket;
  std::string key;
  std::string upload_id;
  int part_number_marker = 0;
  int next_part_number_marker = 0;
  int max_parts = 1000;
  bool is_truncated = false;
  std::vector<PartEntry> parts;
  Owner owner;
};
std::string ToXml(const ListPartsResult& result);

// One upload of ListMultipartUploads.
struct UploadEntry {
  std::string key;
  std::string upload_id;
  absl::Time initiated;
};

// ListMultipartUploads: Bucket, KeyMarker, UploadIdMarker, NextKeyMarker,
// NextUploadIdMarker, Delimiter, Prefix, MaxUploads, IsTruncated,
// Upload{Key, UploadId, Initiator, Owner, StorageClass, Initiated},
// CommonPrefixes. With `url_encoding`, KeyMarker, NextKeyMarker, Delimiter,
// Prefix, Key and common prefixes are encoded.
struct ListMultipartUploadsResult {
  std::string bucket;
  std::string key_marker;
  std::string upload_id_marker;
  std::string next_key_marker;
  std::string next_upload_id_marker;
  std::string prefix;
  std::string delimiter;  // rendered when not empty
  int max_uploads = 1000;
  bool is_truncated = false;
  bool url_encoding = false;
  std::vector<UploadEntry> uploads;
  std::vector<std::string> common_prefixes;
  Owner owner;
};
std::string ToXml(const ListMultipartUploadsResult& result);

// --- Objects ---------------------------------------------------------------

// CopyObject: <CopyObjectResult><LastModified/><ETag/></CopyObjectResult>.
struct CopyObjectResult {
  absl::Time last_modified;
  std::string etag;
};
std::string ToXml(const CopyObjectResult& result);

// UploadPartCopy: <CopyPartResult><LastModified/><ETag/></CopyPartResult>.
struct CopyPartResult {
  absl::Time last_modified;
  std::string etag;
};
std::string ToXml(const CopyPartResult& result);

// One key DeleteObjects deleted (or found absent, which S3 also reports as
// deleted).
struct DeletedObject {
  std::string key;
  std::optional<std::string> version_id;
};

// One key DeleteObjects failed to delete.
struct DeleteError {
  std::string key;
  std::optional<std::string> version_id;
  S3ErrorCode code = S3ErrorCode::kInternalError;
  std::string message;
};

// DeleteObjects: <DeleteResult> with a <Deleted> per deleted key (left out
// when `quiet`) and an <Error> per failure (always).
struct DeleteResult {
  bool quiet = false;
  std::vector<DeletedObject> deleted;
  std::vector<DeleteError> errors;
};
std::string ToXml(const DeleteResult& result);

}  // namespace gale::s3
