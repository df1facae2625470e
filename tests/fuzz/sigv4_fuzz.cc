// Fuzz target: SigV4 parsing and verification (s3/protocol/sigv4.h) of
// arbitrary requests. The input is split on '\n' into the method, the raw
// path, the raw query, then "name:value" headers. Must never crash, hang or
// leak, whatever the bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "s3/protocol/sigv4.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gale::s3;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  SigV4Request request;
  for (int field = 0; !input.empty(); ++field) {
    const size_t newline = input.find('\n');
    const std::string_view line = input.substr(0, newline);
    input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    if (field == 0) {
      request.method = std::string(line);
    } else if (field == 1) {
      request.raw_path = std::string(line);
    } else if (field == 2) {
      request.raw_query = std::string(line);
    } else {
      const size_t colon = line.find(':');
      request.headers.emplace_back(
          std::string(line.substr(0, colon)),
          colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 1)));
    }
  }
  (void)CanonicalUri(request.raw_path);
  (void)CanonicalQuery(request.raw_query, true);
  const absl::Time now = absl::FromUnixSeconds(1369353600);  // 2013-05-24T00:00:00Z
  if (auto credentials = ParseSigV4(request); credentials.ok()) {
    (void)CanonicalRequest(request, *credentials, "UNSIGNED-PAYLOAD");
    (void)VerifySigV4(request, *credentials, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", now,
                      {.region = "us-east-1"});
  }
  return 0;
}
