#include "s3/protocol/s3_xml_responses.h"

#include <charconv>
#include <utility>

#include "common/strings.h"

namespace gale::s3 {
namespace {

// Builds one document: the declaration, the root element in the S3
// namespace, then elements whose text is escaped with XmlEscape. Not
// thread-safe; one per document.
class XmlWriter {
 public:
  explicit XmlWriter(std::string_view root) : root_(root) {
    out_ = StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<", root, " xmlns=\"",
                  kS3XmlNamespace, "\">");
  }

  void Open(std::string_view name) {
    out_ += '<';
    out_ += name;
    out_ += '>';
  }
  void Close(std::string_view name) {
    out_ += "</";
    out_ += name;
    out_ += '>';
  }
  void Text(std::string_view text) { AppendXmlEscaped(out_, text); }

  void Element(std::string_view name, std::string_view text) {
    Open(name);
    Text(text);
    Close(name);
  }
  void Element(std::string_view name, int64_t number) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
    Element(name, std::string_view(digits, static_cast<size_t>(end - digits)));
  }
  void Boolean(std::string_view name, bool value) { Element(name, value ? "true" : "false"); }
  void Time(std::string_view name, absl::Time time) { Element(name, S3Timestamp(time)); }

  // The document, with the root element closed.
  std::string Finish() && {
    Close(root_);
    return std::move(out_);
  }

 private:
  std::string root_;
  std::string out_;
};

// Returns `value` as is, or S3ListingUrlEncode'd for encoding-type=url.
class ListingEncoder {
 public:
  explicit ListingEncoder(bool url) : url_(url) {}
  std::string operator()(std::string_view value) const {
    return url_ ? S3ListingUrlEncode(value) : std::string(value);
  }

 private:
  bool url_;
};

void WriteOwner(XmlWriter& xml, std::string_view element, const Owner& owner) {
  xml.Open(element);
  xml.Element("ID", owner.id);
  xml.Element("DisplayName", owner.display_name);
  xml.Close(element);
}

// A <Contents> (or, for ListVersionsResult, a <Version>) element.
void WriteObject(XmlWriter& xml, std::string_view element, const ObjectEntry& object,
                 const std::optional<Owner>& owner, const ListingEncoder& encode, bool as_version) {
  xml.Open(element);
  xml.Element("Key", encode(object.key));
  if (as_version) {
    xml.Element("VersionId", "null");
    xml.Boolean("IsLatest", true);
  }
  xml.Time("LastModified", object.last_modified);
  xml.Element("ETag", QuotedETag(object.etag));
  xml.Element("Size", object.size);
  if (owner.has_value()) WriteOwner(xml, "Owner", *owner);
  xml.Element("StorageClass", "STANDARD");
  xml.Close(element);
}

void WriteCommonPrefixes(XmlWriter& xml, const std::vector<std::string>& prefixes,
                         const ListingEncoder& encode) {
  for (const std::string& prefix : prefixes) {
    xml.Open("CommonPrefixes");
    xml.Element("Prefix", encode(prefix));
    xml.Close("CommonPrefixes");
  }
}

void WriteEncodingType(XmlWriter& xml, bool url_encoding) {
  if (url_encoding) xml.Element("EncodingType", "url");
}

}  // namespace

std::string S3Timestamp(absl::Time time) {
  // absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ") written out: a listing has a
  // thousand of them, and the general formatter (or a time zone lookup, or
  // civil-time arithmetic) costs several times more.
  const int64_t unix_millis = absl::ToUnixMillis(time);  // rounds down
  const int64_t seconds = unix_millis / 1000 - (unix_millis % 1000 < 0 ? 1 : 0);
  const int64_t millis = unix_millis - seconds * 1000;
  const int64_t days = seconds / 86400 - (seconds % 86400 < 0 ? 1 : 0);
  const int64_t second_of_day = seconds - days * 86400;
  // The date `days` after 1970-01-01 in constant time (Howard Hinnant's
  // civil_from_days: eras of 400 years of 146,097 days, years from March).
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t day_of_era = z - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
  const int64_t month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1000 || year > 9999) {  // %Y writes these without padding
    return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
  }
  char text[] = "0000-00-00T00:00:00.000Z";
  auto put = [&text](size_t at, int64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10) {
      text[at + i] = static_cast<char>('0' + value % 10);
    }
  };
  put(0, year, 4);
  put(5, month, 2);
  put(8, day, 2);
  put(11, second_of_day / 3600, 2);
  put(14, second_of_day / 60 % 60, 2);
  put(17, second_of_day % 60, 2);
  put(20, millis, 3);
  return std::string(text, sizeof text - 1);
}

std::string S3ListingUrlEncode(std::string_view value) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
        (byte >= '0' && byte <= '9') || c == '-' || c == '_' || c == '.' || c == '/' || c == '*') {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;
}

std::string QuotedETag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') return std::string(etag);
  return StrCat("\"", etag, "\"");
}

std::string ToXml(const ListAllMyBucketsResult& result) {
  XmlWriter xml("ListAllMyBucketsResult");
  WriteOwner(xml, "Owner", result.owner);
  xml.Open("Buckets");
  for (const BucketEntry& bucket : result.buckets) {
    xml.Open("Bucket");
    xml.Element("Name", bucket.name);
    xml.Time("CreationDate", bucket.creation_date);
    xml.Close("Bucket");
  }
  xml.Close("Buckets");
  return std::move(xml).Finish();
}

std::string ToXml(const LocationConstraint& location) {
  XmlWriter xml("LocationConstraint");
  if (location.region != "us-east-1") xml.Text(location.region);
  return std::move(xml).Finish();
}

std::string ToXml(const VersioningConfiguration& configuration) {
  XmlWriter xml("VersioningConfiguration");
  if (configuration.status.has_value()) {
    xml.Element("Status", *configuration.status == VersioningConfiguration::Status::kEnabled
                              ? "Enabled"
                              : "Suspended");
  }
  if (configuration.mfa_delete.has_value()) {
    xml.Element("MfaDelete", *configuration.mfa_delete ? "Enabled" : "Disabled");
  }
  return std::move(xml).Finish();
}

std::string ToXml(const Tagging& tagging) {
  XmlWriter xml("Tagging");
  xml.Open("TagSet");
  for (const Tag& tag : tagging.tags) {
    xml.Open("Tag");
    xml.Element("Key", tag.key);
    xml.Element("Value", tag.value);
    xml.Close("Tag");
  }
  xml.Close("TagSet");
  return std::move(xml).Finish();
}

std::string ToXml(const ListBucketResult& result) {
  const ListingEncoder encode(result.url_encoding);
  XmlWriter xml("ListBucketResult");
  xml.Element("Name", result.bucket);
  xml.Element("Prefix", encode(result.prefix));
  xml.Element("Marker", encode(result.marker));
  if (result.is_truncated && !result.delimiter.empty()) {
    xml.Element("NextMarker", encode(result.next_marker));
  }
  xml.Element("MaxKeys", result.max_keys);
  if (!result.delimiter.empty()) xml.Element("Delimiter", encode(result.delimiter));
  WriteEncodingType(xml, result.url_encoding);
  xml.Boolean("IsTruncated", result.is_truncated);
  for (const ObjectEntry& object : result.contents) {
    WriteObject(xml, "Contents", object, result.owner, encode, /*as_version=*/false);
  }
  WriteCommonPrefixes(xml, result.common_prefixes, encode);
  return std::move(xml).Finish();
}

std::string ToXml(const ListBucketResultV2& result) {
  const ListingEncoder encode(result.url_encoding);
  XmlWriter xml("ListBucketResult");
  xml.Element("Name", result.bucket);
  xml.Element("Prefix", encode(result.prefix));
  if (!result.continuation_token.empty()) {
    xml.Element("ContinuationToken", result.continuation_token);
  }
  if (!result.next_continuation_token.empty()) {
    xml.Element("NextContinuationToken", result.next_continuation_token);
  }
  xml.Element("KeyCount",
              static_cast<int64_t>(result.contents.size() + result.common_prefixes.size()));
  xml.Element("MaxKeys", result.max_keys);
  if (!result.delimiter.empty()) xml.Element("Delimiter", encode(result.delimiter));
  WriteEncodingType(xml, result.url_encoding);
  xml.Boolean("IsTruncated", result.is_truncated);
  if (!result.start_after.empty()) xml.Element("StartAfter", encode(result.start_after));
  for (const ObjectEntry& object : result.contents) {
    WriteObject(xml, "Contents", object, result.owner, encode, /*as_version=*/false);
  }
  WriteCommonPrefixes(xml, result.common_prefixes, encode);
  return std::move(xml).Finish();
}

std::string ToXml(const ListVersionsResult& result) {
  const ListingEncoder encode(result.url_encoding);
  XmlWriter xml("ListVersionsResult");
  xml.Element("Name", result.bucket);
  xml.Element("Prefix", encode(result.prefix));
  xml.Element("KeyMarker", encode(result.key_marker));
  xml.Element("VersionIdMarker", result.version_id_marker);
  if (result.is_truncated) {
    xml.Element("NextKeyMarker", encode(result.next_key_marker));
    xml.Element("NextVersionIdMarker", "null");
  }
  xml.Element("MaxKeys", result.max_keys);
  if (!result.delimiter.empty()) xml.Element("Delimiter", encode(result.delimiter));
  WriteEncodingType(xml, result.url_encoding);
  xml.Boolean("IsTruncated", result.is_truncated);
  for (const ObjectEntry& object : result.versions) {
    WriteObject(xml, "Version", object, result.owner, encode, /*as_version=*/true);
  }
  WriteCommonPrefixes(xml, result.common_prefixes, encode);
  return std::move(xml).Finish();
}

std::string ToXml(const InitiateMultipartUploadResult& result) {
  XmlWriter xml("InitiateMultipartUploadResult");
  xml.Element("Bucket", result.bucket);
  xml.Element("Key", result.key);
  xml.Element("UploadId", result.upload_id);
  return std::move(xml).Finish();
}

std::string ToXml(const CompleteMultipartUploadResult& result) {
  XmlWriter xml("CompleteMultipartUploadResult");
  xml.Element("Location", result.location);
  xml.Element("Bucket", result.bucket);
  xml.Element("Key", result.key);
  xml.Element("ETag", QuotedETag(result.etag));
  return std::move(xml).Finish();
}

std::string ToXml(const ListPartsResult& result) {
  XmlWriter xml("ListPartsResult");
  xml.Element("Bucket", result.bucket);
  xml.Element("Key", result.key);
  xml.Element("UploadId", result.upload_id);
  WriteOwner(xml, "Initiator", result.owner);
  WriteOwner(xml, "Owner", result.owner);
  xml.Element("StorageClass", "STANDARD");
  xml.Element("PartNumberMarker", result.part_number_marker);
  xml.Element("NextPartNumberMarker", result.next_part_number_marker);
  xml.Element("MaxParts", result.max_parts);
  xml.Boolean("IsTruncated", result.is_truncated);
  for (const PartEntry& part : result.parts) {
    xml.Open("Part");
    xml.Element("PartNumber", part.part_number);
    xml.Time("LastModified", part.last_modified);
    xml.Element("ETag", QuotedETag(part.etag));
    xml.Element("Size", part.size);
    xml.Close("Part");
  }
  return std::move(xml).Finish();
}

std::string ToXml(const ListMultipartUploadsResult& result) {
  const ListingEncoder encode(result.url_encoding);
  XmlWriter xml("ListMultipartUploadsResult");
  xml.Element("Bucket", result.bucket);
  xml.Element("KeyMarker", encode(result.key_marker));
  xml.Element("UploadIdMarker", result.upload_id_marker);
  xml.Element("NextKeyMarker", encode(result.next_key_marker));
  xml.Element("NextUploadIdMarker", result.next_upload_id_marker);
  if (!result.delimiter.empty()) xml.Element("Delimiter", encode(result.delimiter));
  xml.Element("Prefix", encode(result.prefix));
  xml.Element("MaxUploads", result.max_uploads);
  WriteEncodingType(xml, result.url_encoding);
  xml.Boolean("IsTruncated", result.is_truncated);
  for (const UploadEntry& upload : result.uploads) {
    xml.Open("Upload");
    xml.Element("Key", encode(upload.key));
    xml.Element("UploadId", upload.upload_id);
    WriteOwner(xml, "Initiator", result.owner);
    WriteOwner(xml, "Owner", result.owner);
    xml.Element("StorageClass", "STANDARD");
    xml.Time("Initiated", upload.initiated);
    xml.Close("Upload");
  }
  WriteCommonPrefixes(xml, result.common_prefixes, encode);
  return std::move(xml).Finish();
}

std::string ToXml(const CopyObjectResult& result) {
  XmlWriter xml("CopyObjectResult");
  xml.Time("LastModified", result.last_modified);
  xml.Element("ETag", QuotedETag(result.etag));
  return std::move(xml).Finish();
}

std::string ToXml(const CopyPartResult& result) {
  XmlWriter xml("CopyPartResult");
  xml.Time("LastModified", result.last_modified);
  xml.Element("ETag", QuotedETag(result.etag));
  return std::move(xml).Finish();
}

std::string ToXml(const DeleteResult& result) {
  XmlWriter xml("DeleteResult");
  if (!result.quiet) {
    for (const DeletedObject& deleted : result.deleted) {
      xml.Open("Deleted");
      xml.Element("Key", deleted.key);
      if (deleted.version_id.has_value()) xml.Element("VersionId", *deleted.version_id);
      xml.Close("Deleted");
    }
  }
  for (const DeleteError& error : result.errors) {
    xml.Open("Error");
    xml.Element("Key", error.key);
    if (error.version_id.has_value()) xml.Element("VersionId", *error.version_id);
    xml.Element("Code", CodeName(error.code));
    xml.Element("Message", error.message);
    xml.Close("Error");
  }
  return std::move(xml).Finish();
}

}  // namespace gale::s3
