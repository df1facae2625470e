#include "s3/protocol/aws_chunked.h"

#include <algorithm>

#include "common/strings.h"
#include "s3/protocol/s3_error.h"

namespace gale::s3 {
namespace {

constexpr std::string_view kSignatureExtension = ";chunk-signature=";
constexpr std::string_view kTrailerSignature = "x-amz-trailer-signature";
// hex(sha256("")): the second hash of every chunk string to sign.
constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Status Malformed(std::string_view what) {
  return S3Error(S3ErrorCode::kInvalidRequest, StrCat("Malformed aws-chunked body: ", what));
}

Status BadTrailer(std::string_view what) {
  return S3Error(S3ErrorCode::kMalformedTrailerError,
                 StrCat("The request contained trailing data that was not well-formed: ", what));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsHexString(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return HexValue(c) >= 0; });
}

}  // namespace

AwsChunkedDecoder::AwsChunkedDecoder(PayloadMode mode, ChunkSigner signer,
                                     AwsChunkedOptions options)
    : mode_(mode), signer_(std::move(signer)), options_(std::move(options)) {
  previous_signature_ = signer_.seed_signature;
  if (mode_ == PayloadMode::kSha256Hex || mode_ == PayloadMode::kUnsignedPayload) {
    error_ = S3Error(S3ErrorCode::kInvalidRequest,
                     "aws-chunked bodies need a STREAMING-* x-amz-content-sha256");
  }
}

Result<AwsChunkedDecoder> AwsChunkedDecoder::ForRequest(const SigV4Auth& auth,
                                                        AwsChunkedOptions options) {
  if (auth.payload_mode == PayloadMode::kSha256Hex ||
      auth.payload_mode == PayloadMode::kUnsignedPayload) {
    return S3Error(S3ErrorCode::kInvalidRequest,
                   "aws-chunked bodies need a STREAMING-* x-amz-content-sha256");
  }
  ChunkSigner signer{auth.signing_key, auth.credentials.amz_date, auth.credentials.scope.ToString(),
                     auth.seed_signature()};
  return AwsChunkedDecoder(auth.payload_mode, std::move(signer), std::move(options));
}

bool AwsChunkedDecoder::is_signed() const {
  return mode_ == PayloadMode::kStreamingSigned || mode_ == PayloadMode::kStreamingSignedTrailer;
}

bool AwsChunkedDecoder::has_trailers() const {
  return mode_ == PayloadMode::kStreamingUnsignedTrailer ||
         mode_ == PayloadMode::kStreamingSignedTrailer;
}

std::optional<std::string> AwsChunkedDecoder::Trailer(std::string_view lower_name) const {
  for (const auto& [name, value] : trailers_) {
    if (name == lower_name) return value;
  }
  return std::nullopt;
}

Status AwsChunkedDecoder::Fail(Status status) {
  error_ = status;
  chunk_data_.clear();
  return status;
}

Status AwsChunkedDecoder::Feed(std::string_view bytes, std::string* payload_out) {
  if (!error_.ok()) return error_;
  size_t i = 0;
  while (i < bytes.size()) {
    switch (state_) {
      case State::kHeader:
      case State::kTrailers: {
        const size_t newline = bytes.find('\n', i);
        const size_t end = newline == std::string_view::npos ? bytes.size() : newline;
        if (line_.size() + (end - i) > options_.max_line_bytes + 1) {
          return Fail(
              Malformed(StrCat("a line is longer than ", options_.max_line_bytes, " bytes")));
        }
        line_.append(bytes.substr(i, end - i));
        i = end;
        if (newline == std::string_view::npos) break;
        ++i;
        if (line_.empty() || line_.back() != '\r') {
          return Fail(Malformed("a line does not end with CRLF"));
        }
        line_.pop_back();
        const std::string line = std::move(line_);
        line_.clear();
        Status status = state_ == State::kHeader ? OnHeaderLine(line) : OnTrailerLine(line);
        if (!status.ok()) return Fail(std::move(status));
        break;
      }
      case State::kData: {
        const size_t take = static_cast<size_t>(
            std::min<uint64_t>(chunk_size_ - chunk_received_, bytes.size() - i));
        const std::string_view piece = bytes.substr(i, take);
        if (is_signed()) {
          chunk_hash_.Update(piece);
          chunk_data_.append(piece);
        } else {
          payload_out->append(piece);
          decoded_bytes_ += take;
        }
        chunk_received_ += take;
        i += take;
        if (chunk_received_ == chunk_size_) {
          Status status = OnChunkComplete(payload_out);
          if (!status.ok()) return Fail(std::move(status));
        }
        break;
      }
      case State::kDataCrlf:
      case State::kFinalCrlf: {
        if (bytes[i] != (crlf_seen_ == 0 ? '\r' : '\n')) {
          return Fail(Malformed(state_ == State::kDataCrlf ? "chunk data not followed by CRLF"
                                                           : "no CRLF after the final chunk"));
        }
        ++i;
        if (++crlf_seen_ == 2) state_ = state_ == State::kDataCrlf ? State::kHeader : State::kDone;
        break;
      }
      case State::kDone:
        return Fail(Malformed("data after the end of the body"));
    }
  }
  return absl::OkStatus();
}

Status AwsChunkedDecoder::OnHeaderLine(std::string_view line) {
  std::string_view size_text = line;
  const size_t semi = line.find(';');
  if (is_signed()) {
    if (semi == std::string_view::npos) {
      return S3Error(S3ErrorCode::kSignatureDoesNotMatch, "A chunk carries no chunk-signature");
    }
    size_text = line.substr(0, semi);
    const std::string_view extension = line.substr(semi);
    if (extension.substr(0, kSignatureExtension.size()) != kSignatureExtension ||
        extension.size() != kSignatureExtension.size() + 64 ||
        !IsHexString(extension.substr(kSignatureExtension.size()))) {
      return Malformed(StrCat("bad chunk header \"", EscapeForMessage(line, 120), "\""));
    }
    chunk_signature_ = std::string(extension.substr(kSignatureExtension.size()));
  }
  if (size_text.empty() || size_text.size() > 16 || !IsHexString(size_text)) {
    return Malformed(StrCat("bad chunk size in \"", EscapeForMessage(line, 120), "\""));
  }
  uint64_t size = 0;
  for (const char c : size_text) size = size * 16 + static_cast<uint64_t>(HexValue(c));
  if (size > options_.max_chunk_bytes) {
    return Malformed(StrCat("a chunk of ", size, " bytes is larger than the limit of ",
                            options_.max_chunk_bytes));
  }
  if (options_.decoded_content_length.has_value() &&
      size > *options_.decoded_content_length - declared_bytes_) {
    return S3Error(S3ErrorCode::kInvalidRequest,
                   "The body is longer than its x-amz-decoded-content-length");
  }
  declared_bytes_ += size;
  chunk_size_ = size;
  chunk_received_ = 0;
  chunk_data_.clear();
  chunk_hash_ = common::Sha256();
  if (size > 0) {
    state_ = State::kData;
    return absl::OkStatus();
  }
  // The final chunk.
  if (is_signed()) RETURN_IF_ERROR(CheckChunkSignature(kEmptySha256));
  state_ = has_trailers() ? State::kTrailers : State::kFinalCrlf;
  crlf_seen_ = 0;
  return absl::OkStatus();
}

Status AwsChunkedDecoder::OnChunkComplete(std::string* payload_out) {
  if (is_signed()) {
    RETURN_IF_ERROR(CheckChunkSignature(chunk_hash_.HexDigest()));
    payload_out->append(chunk_data_);
    decoded_bytes_ += chunk_data_.size();
    chunk_data_.clear();
  }
  state_ = State::kDataCrlf;
  crlf_seen_ = 0;
  return absl::OkStatus();
}

Status AwsChunkedDecoder::CheckChunkSignature(std::string_view data_sha256_hex) {
  const std::string string_to_sign =
      StrCat("AWS4-HMAC-SHA256-PAYLOAD\n", signer_.amz_date, "\n", signer_.scope, "\n",
             previous_signature_, "\n", kEmptySha256, "\n", data_sha256_hex);
  if (!SignaturesEqual(SignatureOf(signer_.signing_key, string_to_sign), chunk_signature_)) {
    return S3Error(S3ErrorCode::kSignatureDoesNotMatch,
                   StrCat("The chunk signature we calculated does not match the signature you "
                          "provided (chunk ending at payload byte ",
                          decoded_bytes_ + chunk_size_, ")."));
  }
  previous_signature_ = chunk_signature_;
  return absl::OkStatus();
}

Status AwsChunkedDecoder::OnTrailerLine(std::string_view line) {
  if (line.empty()) {
    if (mode_ == PayloadMode::kStreamingSignedTrailer && !trailer_signature_seen_) {
      return S3Error(S3ErrorCode::kSignatureDoesNotMatch, "The trailer signature is missing");
    }
    if (!options_.expected_trailer.empty() &&
        !Trailer(AsciiLower(options_.expected_trailer)).has_value()) {
      return BadTrailer(StrCat("the trailer ", EscapeForMessage(options_.expected_trailer, 64),
                               " announced by x-amz-trailer is missing"));
    }
    state_ = State::kDone;
    return absl::OkStatus();
  }
  if (trailer_signature_seen_) return BadTrailer("a trailer follows the trailer signature");
  if (trailers_.size() + 1 > options_.max_trailers) return BadTrailer("too many trailers");
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return BadTrailer(StrCat("\"", EscapeForMessage(line, 80), "\" is not name:value"));
  }
  const std::string name = AsciiLower(TrimWhitespace(line.substr(0, colon)));
  const std::string value(TrimWhitespace(line.substr(colon + 1)));
  if (name == kTrailerSignature) {
    if (mode_ != PayloadMode::kStreamingSignedTrailer) {
      return BadTrailer("a trailer signature in an unsigned body");
    }
    std::string canonical;
    for (const auto& [n, v] : trailers_) canonical += StrCat(n, ":", v, "\n");
    const std::string string_to_sign =
        StrCat("AWS4-HMAC-SHA256-TRAILER\n", signer_.amz_date, "\n", signer_.scope, "\n",
               previous_signature_, "\n", common::Sha256::Hex(canonical));
    if (!SignaturesEqual(SignatureOf(signer_.signing_key, string_to_sign), value)) {
      return S3Error(S3ErrorCode::kSignatureDoesNotMatch,
                     "The trailer signature we calculated does not match the signature you "
                     "provided.");
    }
    trailer_signature_seen_ = true;
    return absl::OkStatus();
  }
  if (name.rfind("x-amz-checksum-", 0) != 0) {
    return BadTrailer(StrCat("the trailer ", EscapeForMessage(name, 64), " is not allowed"));
  }
  if (Trailer(name).has_value()) {
    return BadTrailer(StrCat("the trailer ", EscapeForMessage(name, 64), " appears twice"));
  }
  trailers_.emplace_back(name, value);
  return absl::OkStatus();
}

Status AwsChunkedDecoder::Finish() {
  if (!error_.ok()) return error_;
  if (state_ != State::kDone) {
    return Fail(S3Error(S3ErrorCode::kIncompleteBody,
                        "The request body terminated unexpectedly (aws-chunked body cut short)"));
  }
  if (options_.decoded_content_length.has_value() &&
      decoded_bytes_ != *options_.decoded_content_length) {
    return Fail(S3Error(S3ErrorCode::kIncompleteBody,
                        StrCat("You did not provide the number of bytes specified by "
                               "x-amz-decoded-content-length (",
                               *options_.decoded_content_length, "; got ", decoded_bytes_, ")")));
  }
  return absl::OkStatus();
}

}  // namespace gale::s3
