// Fuzz target: the S3 XML request bodies (s3/protocol/s3_xml_requests.h).
// Every parser gets the same arbitrary bytes; what parses is rendered back
// where a renderer exists and parsed again. Must never crash, hang or leak,
// whatever the bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "s3/protocol/s3_xml_requests.h"
#include "s3/protocol/s3_xml_responses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gale::s3;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)ParseCompleteMultipartUpload(body);
  (void)ParseDeleteObjects(body);
  (void)ParseCreateBucketConfiguration(body);
  (void)ParseCompleteMultipartUpload(body, size / 2);
  // Control characters other than tab, LF and CR cannot be written in XML 1.0
  // (XmlEscape turns them into '?'): such tags need not survive a round trip.
  auto writable = [](const std::vector<Tag>& tags) {
    for (const Tag& tag : tags) {
      for (const std::string* text : {&tag.key, &tag.value}) {
        for (const char c : *text) {
          if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            return false;
          }
        }
      }
    }
    return true;
  };
  if (auto tagging = ParseTagging(body, /*max_tags=*/50); tagging.ok() && writable(tagging->tags)) {
    // What we render of a valid tag set parses back to the same tags.
    auto again = ParseTagging(ToXml(*tagging), /*max_tags=*/50);
    if (!again.ok() || again->tags != tagging->tags) std::abort();
  }
  if (auto versioning = ParseVersioningConfiguration(body); versioning.ok()) {
    auto again = ParseVersioningConfiguration(ToXml(*versioning));
    if (!again.ok() || again->status != versioning->status) std::abort();
  }
  return 0;
}
