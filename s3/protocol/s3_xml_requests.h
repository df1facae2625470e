#pragma once

// The XML request bodies of the S3 API, parsed into plain structs with
// pugixml: CompleteMultipartUpload, Delete (DeleteObjects), Tagging,
// CreateBucketConfiguration and VersioningConfiguration.
//
// Common rules of every parser (all free functions, thread-safe):
// - A body larger than `max_body_bytes`, one that is not well-formed XML, that
//   has a DOCTYPE, not exactly one root element, a root of another name, a
//   required element missing, an element repeated that may appear once, or an
//   element where text is expected: MalformedXML. S3 documents no code of its
//   own for an oversized XML body; a body cut at the cap does not validate
//   against the schema, so it is answered as MalformedXML (as MinIO does by
//   reading at most the cap).
// - Elements are matched by local name (a namespace prefix and the xmlns are
//   ignored: clients send the S3 namespace, another prefix, or none); unknown
//   elements are ignored so that newer SDKs' additions do not break requests.
// - Text is taken exactly (string values are not trimmed: a key may be " ");
//   numbers and booleans may have surrounding whitespace, as xs:int and
//   xs:boolean allow. Entities are never expanded beyond XML's five and
//   character references; a reference to U+0000 (which pugixml would turn
//   into a truncated string) is MalformedXML.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "s3/protocol/checksums.h"

namespace gale::s3 {

// The default cap on an XML request body: room for 10,000 parts with
// checksums, or 1,000 keys of 1,024 bytes written with character references.
inline constexpr size_t kMaxXmlBodyBytes = 8 << 20;

// S3's limits on request bodies.
inline constexpr int kMinPartNumber = 1;
inline constexpr int kMaxPartNumber = 10000;
inline constexpr size_t kMaxDeleteObjects = 1000;
inline constexpr size_t kMaxObjectTags = 10;
inline constexpr size_t kMaxTagKeyChars = 128;
inline constexpr size_t kMaxTagValueChars = 256;

// One <Part> of a CompleteMultipartUpload body.
struct CompletedPart {
  int part_number = 0;
  // The ETag as sent, with one pair of surrounding double quotes (sent raw or
  // as &quot;) stripped: "\"abc\"" and "abc" both give "abc".
  std::string etag;
  // The <ChecksumCRC32>, <ChecksumCRC32C>, <ChecksumCRC64NVME>,
  // <ChecksumSHA1> and <ChecksumSHA256> values (base64, not validated here),
  // in document order.
  std::vector<std::pair<ChecksumAlgorithm, std::string>> checksums;

  bool operator==(const CompletedPart&) const = default;
};

// The body of CompleteMultipartUpload.
struct CompleteMultipartUpload {
  // In document order; neither sorted nor checked for order or duplicates
  // (InvalidPartOrder is the caller's decision). Never empty.
  std::vector<CompletedPart> parts;
};

// <CompleteMultipartUpload><Part><PartNumber/><ETag/>...</Part>...
// MalformedXML (see the top of this file), also when there is no <Part>, or a
// part lacks <PartNumber> or <ETag>, or a part number is not an integer;
// InvalidArgument when a part number is outside 1..10000.
Result<CompleteMultipartUpload> ParseCompleteMultipartUpload(
    std::string_view body, size_t max_body_bytes = kMaxXmlBodyBytes);

// One <Object> of a Delete body.
struct ObjectIdentifier {
  // As sent, possibly empty: validating keys is the caller's business (S3
  // answers each bad key with an <Error> in the DeleteResult).
  std::string key;
  std::optional<std::string> version_id;

  bool operator==(const ObjectIdentifier&) const = default;
};

// The body of DeleteObjects.
struct DeleteObjectsRequest {
  bool quiet = false;
  // In document order, 1 to 1,000 of them, duplicates kept.
  std::vector<ObjectIdentifier> objects;
};

// <Delete><Quiet>true</Quiet><Object><Key/><VersionId/></Object>...</Delete>.
// MalformedXML (see the top of this file), also when there is no <Object> or
// more than 1,000, an object lacks <Key>, or <Quiet> is not an xs:boolean
// ("true", "false", "1", "0").
Result<DeleteObjectsRequest> ParseDeleteObjects(std::string_view body,
                                                size_t max_body_bytes = kMaxXmlBodyBytes);

// One tag of an object or bucket.
struct Tag {
  std::string key;
  std::string value;

  bool operator==(const Tag&) const = default;
};

// The <Tagging> document: the body of PutObjectTagging and the answer of
// GetObjectTagging (see s3_xml_responses.h).
struct Tagging {
  std::vector<Tag> tags;  // in document order; may be empty (removes all tags)
};

// <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>.
// MalformedXML (see the top of this file), also without <TagSet>, or when a
// tag lacks <Key> or <Value>. InvalidTag when there are more than `max_tags`
// tags (S3: 10 per object, 50 per bucket), a key is empty, longer than 128
// characters (UTF-8 code points) or starts with the reserved "aws:", a value
// is longer than 256 characters, either is not valid UTF-8, or two tags have
// the same key.
Result<Tagging> ParseTagging(std::string_view body, size_t max_tags = kMaxObjectTags,
                             size_t max_body_bytes = kMaxXmlBodyBytes);

// The body of CreateBucket.
struct CreateBucketConfiguration {
  // The <LocationConstraint>, empty when absent or empty (us-east-1). Not
  // checked against known regions here.
  std::string location_constraint;
};

// <CreateBucketConfiguration><LocationConstraint/></...>, or an empty (or
// whitespace-only) body, which gives an empty configuration. MalformedXML
// (see the top of this file).
Result<CreateBucketConfiguration> ParseCreateBucketConfiguration(
    std::string_view body, size_t max_body_bytes = kMaxXmlBodyBytes);

// The <VersioningConfiguration> document: the body of PutBucketVersioning
// (which gale-s3 parses only to answer NotImplemented for "Enabled") and the
// answer of GetBucketVersioning (see s3_xml_responses.h).
struct VersioningConfiguration {
  enum class Status { kEnabled, kSuspended };
  std::optional<Status> status;    // absent: never versioned
  std::optional<bool> mfa_delete;  // <MfaDelete>Enabled|Disabled</MfaDelete>
};

// <VersioningConfiguration><Status/><MfaDelete/></...>. MalformedXML (see the
// top of this file), also when <Status> is not "Enabled" or "Suspended" or
// <MfaDelete> is not "Enabled" or "Disabled".
Result<VersioningConfiguration> ParseVersioningConfiguration(
    std::string_view body, size_t max_body_bytes = kMaxXmlBodyBytes);

}  // namespace gale::s3
