#pragma once

// Small pieces of HTTP the gateway's handlers share. Free functions,
// thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "httplib.h"

namespace gale::s3 {

// Answers `status` with an XML document.
void SendXml(httplib::Response& res, int status, std::string xml);

// `time` as HTTP dates are written (RFC 1123, "Sun, 06 Nov 1994 08:49:37 GMT").
std::string HttpDate(absl::Time time);
// An HTTP date in any of RFC 7231's three forms; nullopt when it is none.
std::optional<absl::Time> ParseHttpDate(std::string_view text);

// One byte range of a Range header, resolved against the object's size.
struct ByteRange {
  int64_t first = 0;
  int64_t length = 0;
};

// The outcome of a Range header against an object of `size` bytes: the whole
// object (nullopt, also for a header S3 ignores: malformed, several ranges,
// another unit), a range, or unsatisfiable (`unsatisfiable` set).
std::optional<ByteRange> ResolveRange(std::string_view header, int64_t size, bool* unsatisfiable);

}  // namespace gale::s3
