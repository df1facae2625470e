#include "s3/gateway/payload_reader.h"

#include <utility>

#include "common/strings.h"
#include "s3/protocol/s3_error.h"

namespace gale::s3 {

Result<PayloadReader> PayloadReader::ForRequest(const S3Request& request, const SigV4Auth* auth,
                                                std::string expected_trailer) {
  PayloadReader reader;
  if (auth == nullptr) return reader;
  switch (auth->payload_mode) {
    case PayloadMode::kUnsignedPayload:
      return reader;
    case PayloadMode::kSha256Hex:
      reader.expected_sha256_ = auth->payload_sha256;
      reader.sha256_.emplace();
      return reader;
    default:
      break;
  }
  AwsChunkedOptions options;
  options.expected_trailer = std::move(expected_trailer);
  if (auto declared = request.Header("x-amz-decoded-content-length")) {
    std::optional<int64_t> size = ParseInt64(*declared);
    if (!size || *size < 0) {
      return S3Error(S3ErrorCode::kInvalidArgument, "x-amz-decoded-content-length is not a size");
    }
    options.decoded_content_length = static_cast<uint64_t>(*size);
  }
  ASSIGN_OR_RETURN(AwsChunkedDecoder decoder, AwsChunkedDecoder::ForRequest(*auth, options));
  reader.decoder_.emplace(std::move(decoder));
  return reader;
}

Status PayloadReader::Read(const httplib::ContentReader* reader, const std::string& buffered_body,
                           const Sink& sink) {
  Status status;
  std::string decoded;
  auto on_bytes = [&](std::string_view bytes) -> bool {
    std::string_view payload = bytes;
    if (decoder_) {
      decoded.clear();
      status = decoder_->Feed(bytes, &decoded);
      if (!status.ok()) return false;
      payload = decoded;
    }
    if (payload.empty()) return true;
    if (sha256_) sha256_->Update(payload);
    payload_bytes_ += payload.size();
    status = sink(payload);
    return status.ok();
  };
  bool complete = true;
  if (reader != nullptr) {
    complete = (*reader)(
        [&](const char* data, size_t length) { return on_bytes(std::string_view(data, length)); });
  } else if (!buffered_body.empty()) {
    complete = on_bytes(buffered_body);
  }
  RETURN_IF_ERROR(status);
  if (!complete) {
    return S3Error(S3ErrorCode::kIncompleteBody,
                   "The request body ended before the Content-Length the request declared");
  }
  if (decoder_) RETURN_IF_ERROR(decoder_->Finish());
  if (sha256_ && sha256_->HexDigest() != *expected_sha256_) {
    return S3Error(S3ErrorCode::kXAmzContentSHA256Mismatch,
                   "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return absl::OkStatus();
}

std::optional<std::string> PayloadReader::Trailer(std::string_view lower_name) const {
  if (!decoder_) return std::nullopt;
  return decoder_->Trailer(lower_name);
}

}  // namespace gale::s3
