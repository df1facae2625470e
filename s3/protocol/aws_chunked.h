#pragma once

// The decoder of `Content-Encoding: aws-chunked` request bodies (the
// STREAMING-* modes of x-amz-content-sha256): chunks of
// "<hex size>[;chunk-signature=<64 hex>]\r\n<data>\r\n", a final zero-size
// chunk, optional trailers ("x-amz-checksum-<alg>:<base64>\r\n", and in the
// signed-trailer mode "x-amz-trailer-signature:<64 hex>\r\n"), and "\r\n".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/sha256.h"
#include "common/status.h"
#include "s3/protocol/sigv4.h"

namespace gale::s3 {

struct AwsChunkedOptions {
  // The longest chunk header or trailer line, CRLF excluded.
  size_t max_line_bytes = 1024;
  // The largest chunk. Signed chunks are held until their signature checks,
  // so this bounds the memory of one decoder.
  uint64_t max_chunk_bytes = 16 << 20;
  // The most trailer lines (the trailer signature included).
  size_t max_trailers = 8;
  // x-amz-decoded-content-length, when the request declares it.
  std::optional<uint64_t> decoded_content_length;
  // The trailer that x-amz-trailer announced ("x-amz-checksum-crc32"), which
  // must then be present; empty when none was.
  std::string expected_trailer;
};

// What signs the chunks: from the request's SigV4Auth.
struct ChunkSigner {
  std::string signing_key;     // raw 32 bytes
  std::string amz_date;        // the request's timestamp, as signed
  std::string scope;           // "<date>/<region>/s3/aws4_request"
  std::string seed_signature;  // the request's signature
};

// Decodes one aws-chunked body, fed in pieces split anywhere. In the signed
// modes each chunk is held until its signature (over the previous one) checks
// and only then emitted; the trailer signature is checked likewise. Not
// thread-safe; one per request. After an error every call returns it again.
class AwsChunkedDecoder {
 public:
  // `mode` must be one of the STREAMING-* modes; `signer` is used by the
  // signed ones.
  AwsChunkedDecoder(PayloadMode mode, ChunkSigner signer, AwsChunkedOptions options);

  // The decoder of a verified request. InvalidRequest when its payload mode is
  // not a STREAMING-* one.
  static Result<AwsChunkedDecoder> ForRequest(const SigV4Auth& auth, AwsChunkedOptions options);

  // Decodes `bytes`, appending the payload bytes they complete to
  // `payload_out`. SignatureDoesNotMatch for a chunk or trailer signature that
  // does not check (nothing of that chunk emitted); InvalidRequest for a
  // malformed body, a line or chunk over the limits, more payload than
  // x-amz-decoded-content-length, or bytes after the end; MalformedTrailerError
  // for a trailer that is not x-amz-checksum-* (or the trailer signature in
  // the signed-trailer mode), or a missing expected trailer.
  Status Feed(std::string_view bytes, std::string* payload_out);

  // At the end of the body: IncompleteBody when it stopped before its final
  // CRLF or held less payload than x-amz-decoded-content-length.
  Status Finish();

  // Whether the whole body, trailers included, has been decoded.
  bool done() const { return state_ == State::kDone; }
  // The payload bytes emitted so far.
  uint64_t decoded_bytes() const { return decoded_bytes_; }
  // The trailers received (names lowercase, values trimmed), in order, the
  // trailer signature excluded.
  const std::vector<std::pair<std::string, std::string>>& trailers() const { return trailers_; }
  // The value of trailer `lower_name`, if received.
  std::optional<std::string> Trailer(std::string_view lower_name) const;

 private:
  enum class State { kHeader, kData, kDataCrlf, kTrailers, kFinalCrlf, kDone };

  bool is_signed() const;
  bool has_trailers() const;
  Status Fail(Status status);
  Status OnHeaderLine(std::string_view line);
  Status OnChunkComplete(std::string* payload_out);
  Status OnTrailerLine(std::string_view line);
  Status CheckChunkSignature(std::string_view data_sha256_hex);

  PayloadMode mode_;
  ChunkSigner signer_;
  AwsChunkedOptions options_;
  State state_ = State::kHeader;
  Status error_;
  std::string line_;  // the partial header or trailer line
  uint64_t chunk_size_ = 0;
  uint64_t chunk_received_ = 0;
  std::string chunk_signature_;  // of the current chunk
  std::string chunk_data_;       // a signed chunk, held until verified
  common::Sha256 chunk_hash_;
  std::string previous_signature_;
  uint64_t decoded_bytes_ = 0;
  uint64_t declared_bytes_ = 0;  // the sizes of the chunk headers read so far
  size_t crlf_seen_ = 0;
  std::vector<std::pair<std::string, std::string>> trailers_;
  bool trailer_signature_seen_ = false;
};

}  // namespace gale::s3
