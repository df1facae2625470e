// Fuzz target: the aws-chunked body decoder (s3/protocol/aws_chunked.h). The
// first byte picks the mode and the declared decoded length, the second the
// point where the rest, the body, is split in two Feed calls. Must never
// crash, hang or leak, whatever the bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "s3/protocol/aws_chunked.h"
#include "s3/protocol/sigv4.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gale::s3;
  if (size < 2) return 0;
  static const PayloadMode kModes[] = {
      PayloadMode::kStreamingSigned, PayloadMode::kStreamingUnsignedTrailer,
      PayloadMode::kStreamingSignedTrailer, PayloadMode::kUnsignedPayload};
  const PayloadMode mode = kModes[data[0] % 4];
  const std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  const size_t split = body.empty() ? 0 : (data[1] * body.size()) / 255;

  // The signer of AWS's chunked upload example, so that its seeds decode.
  static const std::string kKey =
      SigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3");
  ChunkSigner signer{kKey, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
                     (data[0] & 4) != 0
                         ? "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
                         : "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"};
  AwsChunkedOptions options;
  options.max_chunk_bytes = 1 << 20;
  if ((data[0] & 8) != 0) options.decoded_content_length = data[1] * 300;
  if ((data[0] & 16) != 0) options.expected_trailer = "x-amz-checksum-crc32";

  AwsChunkedDecoder decoder(mode, std::move(signer), options);
  std::string payload;
  if (decoder.Feed(body.substr(0, split), &payload).ok() &&
      decoder.Feed(body.substr(split), &payload).ok()) {
    (void)decoder.Finish();
  }
  (void)decoder.trailers();
  return 0;
}
