#include "s3/gateway/http_util.h"

#include <utility>

#include "common/strings.h"

namespace gale::s3 {

void SendXml(httplib::Response& res, int status, std::string xml) {
  res.status = status;
  res.set_content(std::move(xml), "application/xml");
}

std::string HttpDate(absl::Time time) {
  return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", time, absl::UTCTimeZone());
}

std::optional<absl::Time> ParseHttpDate(std::string_view text) {
  const std::string input(TrimWhitespace(text));
  for (const char* format :
       {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    absl::Time time;
    std::string error;
    if (absl::ParseTime(format, input, absl::UTCTimeZone(), &time, &error)) return time;
  }
  return std::nullopt;
}

std::optional<ByteRange> ResolveRange(std::string_view header, int64_t size, bool* unsatisfiable) {
  *unsatisfiable = false;
  std::string_view spec = TrimWhitespace(header);
  if (!spec.starts_with("bytes=")) return std::nullopt;
  spec.remove_prefix(6);
  spec = TrimWhitespace(spec);
  if (spec.find(',') != std::string_view::npos) return std::nullopt;
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view first_text = TrimWhitespace(spec.substr(0, dash));
  std::string_view last_text = TrimWhitespace(spec.substr(dash + 1));
  auto digits = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (first_text.empty()) {  // "-n": the last n bytes
    if (!digits(last_text)) return std::nullopt;
    std::optional<int64_t> n = ParseInt64(last_text);
    if (!n) return std::nullopt;
    if (*n == 0 || size == 0) {
      *unsatisfiable = true;
      return std::nullopt;
    }
    const int64_t length = std::min(*n, size);
    return ByteRange{size - length, length};
  }
  if (!digits(first_text) || (!last_text.empty() && !digits(last_text))) return std::nullopt;
  std::optional<int64_t> first = ParseInt64(first_text);
  std::optional<int64_t> last =
      last_text.empty() ? std::optional<int64_t>(INT64_MAX) : ParseInt64(last_text);
  if (!first || !last || *last < *first) return std::nullopt;  // RFC 7233: ignored
  if (*first >= size) {
    *unsatisfiable = true;
    return std::nullopt;
  }
  const int64_t end = std::min(*last, size - 1);
  return ByteRange{*first, end - *first + 1};
}

}  // namespace gale::s3
