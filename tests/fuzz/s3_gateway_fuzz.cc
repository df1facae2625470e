// Fuzz target: the whole S3 gateway (s3/gateway/gateway.h) over a
// MemoryBackend holding bucket "fuzz" with object "obj": routing, query and
// header parsing (x-amz-copy-source, Range, conditions, tagging, metadata,
// checksums, aws-chunked framing), the XML bodies and every operation. The
// input is split on '\n' into the method, the request target (path and
// query, raw), "name:value" headers up to an empty line, then the body. The
// harness signs the request with the gateway's key (header form,
// UNSIGNED-PAYLOAD unless the input sends its own x-amz-content-sha256), so
// the operations are reached; an input holding its own Authorization or
// X-Amz-Signature is passed as it is. Must never crash, hang or leak,
// whatever the bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "common/clock.h"
#include "httplib.h"
#include "s3/gateway/credentials.h"
#include "s3/gateway/gateway.h"
#include "s3/gateway/memory_backend.h"
#include "s3/protocol/sigv4.h"
#include "s3/protocol/sigv4_signer.h"

namespace {

using namespace gale::s3;

// Time stands still at 2026-01-01 00:00:00 UTC.
class FixedClock final : public gale::common::Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(1767225600); }
  absl::Duration Monotonic() const override { return absl::Seconds(1); }
};

constexpr char kAccess[] = "AKIDFUZZ";
constexpr char kSecret[] = "fuzz-secret";
// The most bytes of a response body the harness reads.
constexpr size_t kMaxResponseBytes = 1 << 20;

std::string_view NextLine(std::string_view& input) {
  const size_t newline = input.find('\n');
  const std::string_view line = input.substr(0, newline);
  input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  FixedClock clock;
  MemoryBackend backend(&clock);
  Credentials credentials;
  credentials.Add(kAccess, AccessKey{.secret = kSecret});
  credentials.SetAnonymousReadBuckets({"fuzz"});
  S3GatewayOptions options;
  options.domain = "s3.test";
  options.min_part_bytes = 1;
  options.max_object_bytes = 1 << 20;
  options.max_xml_body_bytes = 64 << 10;
  S3Gateway gateway(&backend, &credentials, &clock, options);
  if (!backend.CreateBucket("fuzz", kAccess).ok()) return 0;
  if (auto writer = backend.PutObject("fuzz", "obj"); writer.ok()) {
    (void)(*writer)->Write("0123456789abcdef");
    (void)(*writer)->Commit({});
  }

  httplib::Request req;
  req.method = std::string(NextLine(input));
  req.target = std::string(NextLine(input));
  const size_t question = req.target.find('?');
  req.path = UriDecode(req.target.substr(0, question), false);
  bool self_signed = question != std::string::npos &&
                     req.target.find("X-Amz-Signature", question) != std::string::npos;
  bool has_content_sha = false;
  for (std::string_view line = NextLine(input); !line.empty(); line = NextLine(input)) {
    const size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    std::string value = colon == std::string_view::npos ? "" : std::string(line.substr(colon + 1));
    if (absl::EqualsIgnoreCase(name, "authorization")) self_signed = true;
    if (absl::EqualsIgnoreCase(name, "x-amz-content-sha256")) has_content_sha = true;
    req.headers.emplace(std::move(name), std::move(value));
  }
  req.body = std::string(input);
  if (!req.has_header("Host")) req.headers.emplace("Host", "127.0.0.1:9000");
  if (!req.has_header("Content-Length")) {
    req.headers.emplace("Content-Length", std::to_string(req.body.size()));
  }

  if (!self_signed) {
    SigV4Request to_sign{req.method,
                         req.target.substr(0, question),
                         question == std::string::npos ? "" : req.target.substr(question + 1),
                         {}};
    for (const auto& [name, value] : req.headers) {
      if (!absl::EqualsIgnoreCase(name, "x-amz-content-sha256")) {
        to_sign.headers.emplace_back(name, value);
      }
    }
    const std::string payload_hash =
        has_content_sha ? req.get_header_value("x-amz-content-sha256") : "UNSIGNED-PAYLOAD";
    SigV4Signer signer(kAccess, kSecret, "us-east-1");
    if (signer.Sign(&to_sign, payload_hash, clock.Now()).ok()) {
      req.headers.clear();
      for (auto& [name, value] : to_sign.headers) req.headers.emplace(name, value);
    }
  }

  httplib::Response res;
  gateway.Handle(req, res, nullptr);
  if (res.content_provider_) {  // a streamed GET: read it as the server would
    std::string received;
    bool open = true;
    httplib::DataSink sink;
    sink.write = [&](const char* bytes, size_t length) {
      received.append(bytes, length);
      return received.size() <= kMaxResponseBytes;
    };
    sink.is_writable = [] { return true; };
    sink.done = [&] { open = false; };
    for (size_t offset = 0; open && received.size() <= kMaxResponseBytes;) {
      const size_t before = received.size();
      const size_t left = res.content_length_ > offset ? res.content_length_ - offset : 0;
      if (!res.content_provider_(offset, left, sink) || received.size() == before) break;
      offset += received.size() - before;
      if (res.content_length_ > 0 && offset >= res.content_length_) break;
    }
  }  // ~Response releases the provider's resources
  return 0;
}
