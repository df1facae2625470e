#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/sha256.h"
#include "common/status.h"
#include "httplib.h"
#include "s3/gateway/request.h"
#include "s3/protocol/aws_chunked.h"
#include "s3/protocol/sigv4.h"

namespace gale::s3 {

// The payload of one request body as it streams in: aws-chunked framing
// (the STREAMING-* modes) decoded and its chunk signatures checked, or the
// body's SHA-256 checked against x-amz-content-sha256. Hands the payload on
// in order; nothing of the framing ever reaches the sink. Not thread-safe;
// one per request.
class PayloadReader {
 public:
  using Sink = std::function<Status(std::string_view)>;

  // The reader of `request`'s body. `auth` is null for an anonymous request
  // (the body is taken as is). `expected_trailer` is the trailer that
  // x-amz-trailer announced, if any. InvalidRequest for a STREAMING-* mode
  // without Content-Encoding aws-chunked framing we can decode.
  static Result<PayloadReader> ForRequest(const S3Request& request, const SigV4Auth* auth,
                                          std::string expected_trailer);

  // Reads the whole body (through `reader`, or `buffered_body` when the
  // server already read it) and feeds the payload to `sink`; the sink's first
  // error stops reading and is returned. XAmzContentSHA256Mismatch when the
  // body's SHA-256 differs from the signed one; the decoder's errors
  // (SignatureDoesNotMatch, InvalidRequest, IncompleteBody, ...);
  // IncompleteBody when the connection ended early.
  Status Read(const httplib::ContentReader* reader, const std::string& buffered_body,
              const Sink& sink);

  // A trailer of the aws-chunked body (lowercase name), once Read is done.
  std::optional<std::string> Trailer(std::string_view lower_name) const;
  uint64_t payload_bytes() const { return payload_bytes_; }

 private:
  PayloadReader() = default;

  std::optional<AwsChunkedDecoder> decoder_;
  std::optional<std::string> expected_sha256_;  // kSha256Hex only
  std::optional<common::Sha256> sha256_;
  uint64_t payload_bytes_ = 0;
};

}  // namespace gale::s3
