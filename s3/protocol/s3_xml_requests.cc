#include "s3/protocol/s3_xml_requests.h"

#include <array>
#include <cstdint>
#include <functional>
#include <pugixml.hpp>
#include <set>

#include "common/strings.h"
#include "s3/protocol/s3_error.h"

namespace gale::s3 {
namespace {

// parse_fragment keeps text outside the root element as nodes, so that it can
// be rejected instead of silently dropped; parse_doctype keeps a DOCTYPE as a
// node so that it can be rejected (pugixml never expands its entities, but a
// body that declares any is not one an S3 client sends);
// parse_ws_pcdata_single keeps a whitespace-only value such as the key " ".
constexpr unsigned kParseOptions =
    pugi::parse_default | pugi::parse_fragment | pugi::parse_doctype | pugi::parse_ws_pcdata_single;

Status Malformed(std::string_view detail) {
  return S3Error(S3ErrorCode::kMalformedXML,
                 StrCat("The XML you provided was not well-formed or did not validate against our "
                        "published schema: ",
                        detail));
}

Status InvalidTag(std::string_view message) {
  return S3Error(S3ErrorCode::kInvalidTag, std::string(message));
}

// The name of `node` without its namespace prefix.
std::string_view LocalName(const pugi::xml_node& node) {
  const std::string_view name = node.name();
  const size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// Whether `body` has a character reference to U+0000 ("&#0;", "&#x00;"):
// pugixml stores values NUL-terminated, so one would silently cut a value
// short ("a&#0;b" would read as "a"), deleting or tagging another key.
bool HasNulCharacterReference(std::string_view body) {
  for (size_t at = body.find("&#"); at != std::string_view::npos; at = body.find("&#", at + 2)) {
    size_t i = at + 2;
    const bool hex = i < body.size() && (body[i] == 'x' || body[i] == 'X');
    if (hex) ++i;
    const size_t digits_begin = i;
    while (i < body.size() && body[i] == '0') ++i;
    if (i > digits_begin && i < body.size() && body[i] == ';') return true;
  }
  return false;
}

// Parses `body` into `doc` and returns its root element, named `root_name`.
Result<pugi::xml_node> LoadRoot(std::string_view body, size_t max_body_bytes,
                                std::string_view root_name, pugi::xml_document& doc) {
  if (body.size() > max_body_bytes) {
    return Malformed(StrCat("the body is larger than ", max_body_bytes, " bytes"));
  }
  // XML allows no NUL byte; pugixml would stop at one.
  if (body.find('\0') != std::string_view::npos) return Malformed("NUL byte in the body");
  if (HasNulCharacterReference(body)) return Malformed("character reference to U+0000");
  const pugi::xml_parse_result parsed =
      doc.load_buffer(body.data(), body.size(), kParseOptions, pugi::encoding_utf8);
  if (!parsed) return Malformed(StrCat(parsed.description(), " at offset ", parsed.offset));
  pugi::xml_node root;
  for (const pugi::xml_node& node : doc.children()) {
    switch (node.type()) {
      case pugi::node_element:
        if (root) return Malformed("more than one root element");
        root = node;
        break;
      case pugi::node_doctype:
        return Malformed("DOCTYPE is not allowed");
      case pugi::node_pcdata:
      case pugi::node_cdata:
        return Malformed("text outside the root element");
      default:  // the declaration, comments and processing instructions are not kept
        break;
    }
  }
  if (!root) return Malformed(StrCat("missing <", root_name, ">"));
  if (LocalName(root) != root_name) {
    return Malformed(
        StrCat("the root element is <", LocalName(root), ">, expected <", root_name, ">"));
  }
  return root;
}

// The text of a value element (its text and CDATA, concatenated); an element
// inside is MalformedXML.
Result<std::string> Text(const pugi::xml_node& node) {
  std::string text;
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    } else if (child.type() == pugi::node_element) {
      return Malformed(
          StrCat("<", LocalName(node), "> must hold text, not <", LocalName(child), ">"));
    }
  }
  return text;
}

// The child elements of `parent` named `name`, in document order.
std::vector<pugi::xml_node> Children(const pugi::xml_node& parent, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (const pugi::xml_node& child : parent.children()) {
    if (child.type() == pugi::node_element && LocalName(child) == name) out.push_back(child);
  }
  return out;
}

// The one child `name` of `parent`, if any; MalformedXML when repeated.
Result<std::optional<pugi::xml_node>> OptionalChild(const pugi::xml_node& parent,
                                                    std::string_view name) {
  const std::vector<pugi::xml_node> found = Children(parent, name);
  if (found.size() > 1)
    return Malformed(StrCat("more than one <", name, "> in <", LocalName(parent), ">"));
  if (found.empty()) return std::optional<pugi::xml_node>();
  return std::optional<pugi::xml_node>(found.front());
}

Result<std::optional<std::string>> OptionalChildText(const pugi::xml_node& parent,
                                                     std::string_view name) {
  ASSIGN_OR_RETURN(std::optional<pugi::xml_node> child, OptionalChild(parent, name));
  if (!child.has_value()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string text, Text(*child));
  return std::optional<std::string>(std::move(text));
}

Result<std::string> RequiredChildText(const pugi::xml_node& parent, std::string_view name) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, OptionalChildText(parent, name));
  if (!text.has_value())
    return Malformed(StrCat("missing <", name, "> in <", LocalName(parent), ">"));
  return std::move(*text);
}

// An xs:int: optional sign, digits, surrounding whitespace allowed.
std::optional<int64_t> ParseXsInteger(std::string_view text) {
  text = TrimWhitespace(text);
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (text.empty() || text.front() == '+' || text.front() == '-') return std::nullopt;
  }
  return ParseInt64(text);
}

// An xs:boolean: "true", "false", "1" or "0", surrounding whitespace allowed.
std::optional<bool> ParseXsBoolean(std::string_view text) {
  text = TrimWhitespace(text);
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return std::nullopt;
}

// The number of code points of `text`, or nullopt if it is not valid UTF-8
// (overlong forms, surrogates and values past U+10FFFF are invalid).
std::optional<size_t> Utf8Length(std::string_view text) {
  size_t length = 0;
  for (size_t i = 0; i < text.size(); ++length) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    uint32_t code = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1;
      code = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2;
      code = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3;
      code = lead & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + extra >= text.size()) return std::nullopt;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      code = (code << 6) | (next & 0x3F);
    }
    constexpr std::array<uint32_t, 4> kMinimum = {0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return std::nullopt;
    }
    i += extra + 1;
  }
  return length;
}

// An ETag as clients send it back: whitespace around it and one pair of
// surrounding double quotes removed.
std::string UnquoteETag(std::string_view etag) {
  etag = TrimWhitespace(etag);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

struct ChecksumElement {
  std::string_view name;
  ChecksumAlgorithm algorithm;
};
constexpr std::array kChecksumElements = {
    ChecksumElement{"ChecksumCRC32", ChecksumAlgorithm::kCrc32},
    ChecksumElement{"ChecksumCRC32C", ChecksumAlgorithm::kCrc32c},
    ChecksumElement{"ChecksumCRC64NVME", ChecksumAlgorithm::kCrc64Nvme},
    ChecksumElement{"ChecksumSHA1", ChecksumAlgorithm::kSha1},
    ChecksumElement{"ChecksumSHA256", ChecksumAlgorithm::kSha256},
};

Result<CompletedPart> ParsePart(const pugi::xml_node& node) {
  CompletedPart part;
  ASSIGN_OR_RETURN(const std::string number, RequiredChildText(node, "PartNumber"));
  const std::optional<int64_t> parsed = ParseXsInteger(number);
  if (!parsed.has_value()) {
    return Malformed(StrCat("<PartNumber> is not an integer: ", EscapeForMessage(number, 32)));
  }
  if (*parsed < kMinPartNumber || *parsed > kMaxPartNumber) {
    return S3Error(S3ErrorCode::kInvalidArgument,
                   StrCat("Part number must be an integer between ", kMinPartNumber, " and ",
                          kMaxPartNumber, ", inclusive"));
  }
  part.part_number = static_cast<int>(*parsed);
  ASSIGN_OR_RETURN(const std::string etag, RequiredChildText(node, "ETag"));
  part.etag = UnquoteETag(etag);
  // Checksums in document order; each algorithm at most once.
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    for (const ChecksumElement& element : kChecksumElements) {
      if (LocalName(child) != element.name) continue;
      for (const auto& [algorithm, value] : part.checksums) {
        if (algorithm == element.algorithm) {
          return Malformed(StrCat("more than one <", element.name, "> in <Part>"));
        }
      }
      ASSIGN_OR_RETURN(std::string value, Text(child));
      part.checksums.emplace_back(element.algorithm, std::move(value));
    }
  }
  return part;
}

}  // namespace

Result<CompleteMultipartUpload> ParseCompleteMultipartUpload(std::string_view body,
                                                             size_t max_body_bytes) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(const pugi::xml_node root,
                   LoadRoot(body, max_body_bytes, "CompleteMultipartUpload", doc));
  CompleteMultipartUpload upload;
  for (const pugi::xml_node& node : Children(root, "Part")) {
    ASSIGN_OR_RETURN(CompletedPart part, ParsePart(node));
    upload.parts.push_back(std::move(part));
  }
  if (upload.parts.empty()) return Malformed("no <Part> in <CompleteMultipartUpload>");
  return upload;
}

Result<DeleteObjectsRequest> ParseDeleteObjects(std::string_view body, size_t max_body_bytes) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(const pugi::xml_node root, LoadRoot(body, max_body_bytes, "Delete", doc));
  DeleteObjectsRequest request;
  ASSIGN_OR_RETURN(const std::optional<std::string> quiet, OptionalChildText(root, "Quiet"));
  if (quiet.has_value()) {
    const std::optional<bool> value = ParseXsBoolean(*quiet);
    if (!value.has_value()) {
      return Malformed(StrCat("<Quiet> is not a boolean: ", EscapeForMessage(*quiet, 32)));
    }
    request.quiet = *value;
  }
  const std::vector<pugi::xml_node> objects = Children(root, "Object");
  if (objects.empty()) return Malformed("no <Object> in <Delete>");
  if (objects.size() > kMaxDeleteObjects) {
    return Malformed(StrCat("more than ", kMaxDeleteObjects, " <Object> in <Delete>"));
  }
  request.objects.reserve(objects.size());
  for (const pugi::xml_node& node : objects) {
    ObjectIdentifier object;
    ASSIGN_OR_RETURN(object.key, RequiredChildText(node, "Key"));
    ASSIGN_OR_RETURN(object.version_id, OptionalChildText(node, "VersionId"));
    request.objects.push_back(std::move(object));
  }
  return request;
}

Result<Tagging> ParseTagging(std::string_view body, size_t max_tags, size_t max_body_bytes) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(const pugi::xml_node root, LoadRoot(body, max_body_bytes, "Tagging", doc));
  ASSIGN_OR_RETURN(const std::optional<pugi::xml_node> tag_set, OptionalChild(root, "TagSet"));
  if (!tag_set.has_value()) return Malformed("missing <TagSet> in <Tagging>");
  const std::vector<pugi::xml_node> nodes = Children(*tag_set, "Tag");
  if (nodes.size() > max_tags) {
    return InvalidTag(StrCat("Object tags cannot be greater than ", max_tags));
  }
  Tagging tagging;
  std::set<std::string, std::less<>> keys;
  for (const pugi::xml_node& node : nodes) {
    Tag tag;
    ASSIGN_OR_RETURN(tag.key, RequiredChildText(node, "Key"));
    ASSIGN_OR_RETURN(tag.value, RequiredChildText(node, "Value"));
    const std::optional<size_t> key_length = Utf8Length(tag.key);
    const std::optional<size_t> value_length = Utf8Length(tag.value);
    if (!key_length.has_value() || *key_length == 0) {
      return InvalidTag("The TagKey you have provided is invalid");
    }
    if (*key_length > kMaxTagKeyChars) {
      return InvalidTag(StrCat("The TagKey you have provided is too long, max ", kMaxTagKeyChars));
    }
    if (tag.key.starts_with("aws:")) return InvalidTag("Your TagKey cannot be prefixed with aws:");
    if (!value_length.has_value()) return InvalidTag("The TagValue you have provided is invalid");
    if (*value_length > kMaxTagValueChars) {
      return InvalidTag(
          StrCat("The TagValue you have provided is too long, max ", kMaxTagValueChars));
    }
    if (!keys.insert(tag.key).second) {
      return InvalidTag("Cannot provide multiple Tags with the same key");
    }
    tagging.tags.push_back(std::move(tag));
  }
  return tagging;
}

Result<CreateBucketConfiguration> ParseCreateBucketConfiguration(std::string_view body,
                                                                 size_t max_body_bytes) {
  if (TrimWhitespace(body).empty()) return CreateBucketConfiguration{};
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(const pugi::xml_node root,
                   LoadRoot(body, max_body_bytes, "CreateBucketConfiguration", doc));
  ASSIGN_OR_RETURN(std::optional<std::string> location,
                   OptionalChildText(root, "LocationConstraint"));
  return CreateBucketConfiguration{.location_constraint = location.value_or("")};
}

Result<VersioningConfiguration> ParseVersioningConfiguration(std::string_view body,
                                                             size_t max_body_bytes) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(const pugi::xml_node root,
                   LoadRoot(body, max_body_bytes, "VersioningConfiguration", doc));
  VersioningConfiguration configuration;
  ASSIGN_OR_RETURN(const std::optional<std::string> status, OptionalChildText(root, "Status"));
  if (status.has_value()) {
    const std::string_view value = TrimWhitespace(*status);
    if (value == "Enabled") {
      configuration.status = VersioningConfiguration::Status::kEnabled;
    } else if (value == "Suspended") {
      configuration.status = VersioningConfiguration::Status::kSuspended;
    } else {
      return Malformed(
          StrCat("<Status> is neither Enabled nor Suspended: ", EscapeForMessage(*status, 32)));
    }
  }
  ASSIGN_OR_RETURN(const std::optional<std::string> mfa_delete,
                   OptionalChildText(root, "MfaDelete"));
  if (mfa_delete.has_value()) {
    const std::string_view value = TrimWhitespace(*mfa_delete);
    if (value != "Enabled" && value != "Disabled") {
      return Malformed(StrCat("<MfaDelete> is neither Enabled nor Disabled: ",
                              EscapeForMessage(*mfa_delete, 32)));
    }
    configuration.mfa_delete = value == "Enabled";
  }
  return configuration;
}

}  // namespace gale::s3
