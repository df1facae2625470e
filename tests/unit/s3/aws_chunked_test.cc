#include "s3/protocol/aws_chunked.h"

#include <gtest/gtest.h>

#include "s3/protocol/checksums.h"
#include "s3/protocol/s3_error.h"
#include "s3/protocol/sigv4.h"
#include "tests/testing/status_matchers.h"

namespace gale::s3 {
namespace {

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

// The signer of AWS's chunked upload examples (20130524, us-east-1).
ChunkSigner ExampleSigner(std::string seed) {
  return ChunkSigner{SigningKey(kSecret, "20130524", "us-east-1", "s3"), "20130524T000000Z",
                     "20130524/us-east-1/s3/aws4_request", std::move(seed)};
}

std::string SignedChunk(size_t size, std::string_view signature) {
  std::string out = StrCat(fmt::format("{:x}", size), ";chunk-signature=", signature, "\r\n");
  out.append(size, 'a');
  return out + "\r\n";
}

// "Transferring Payload in Multiple Chunks": 65536 + 1024 bytes of 'a'.
constexpr char kSeed[] = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
constexpr char kChunk1[] = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
constexpr char kChunk2[] = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
constexpr char kChunk3[] = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

std::string ExampleBody() {
  return SignedChunk(65536, kChunk1) + SignedChunk(1024, kChunk2) +
         StrCat("0;chunk-signature=", kChunk3, "\r\n\r\n");
}

// "Including Trailing Headers": the same payload, a CRC32C trailer.
constexpr char kTrailerSeed[] = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
std::string TrailerExampleBody() {
  return SignedChunk(65536, "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2") +
         SignedChunk(1024, "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7") +
         "0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n"
         "x-amz-checksum-crc32c:sOO8/Q==\r\n"
         "x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
         "\r\n\r\n";
}

AwsChunkedOptions WithLength(uint64_t length) {
  AwsChunkedOptions options;
  options.decoded_content_length = length;
  return options;
}

// Feeds `body` in pieces of `piece` bytes; the first error, or Finish().
Status DecodeInPieces(AwsChunkedDecoder& decoder, std::string_view body, size_t piece,
                      std::string* out) {
  for (size_t at = 0; at < body.size(); at += piece) {
    RETURN_IF_ERROR(decoder.Feed(body.substr(at, piece), out));
  }
  return decoder.Finish();
}

TEST(AwsChunkedTest, ExampleDecodesAtEverySplit) {
  const std::string body = ExampleBody();
  ASSERT_EQ(body.size(), 66824u);  // the example's Content-Length
  const std::string expected(66560, 'a');
  for (size_t split = 0; split <= body.size(); ++split) {
    AwsChunkedDecoder decoder(PayloadMode::kStreamingSigned, ExampleSigner(kSeed),
                              WithLength(66560));
    std::string payload;
    payload.reserve(body.size());
    ASSERT_OK(decoder.Feed(std::string_view(body).substr(0, split), &payload));
    ASSERT_OK(decoder.Feed(std::string_view(body).substr(split), &payload));
    ASSERT_OK(decoder.Finish());
    ASSERT_EQ(payload.size(), expected.size()) << split;
    ASSERT_TRUE(payload == expected) << split;
    ASSERT_TRUE(decoder.done());
  }
}

TEST(AwsChunkedTest, ExampleDecodesByteByByte) {
  AwsChunkedDecoder decoder(PayloadMode::kStreamingSigned, ExampleSigner(kSeed), {});
  std::string payload;
  ASSERT_OK(DecodeInPieces(decoder, ExampleBody(), 1, &payload));
  EXPECT_EQ(payload, std::string(66560, 'a'));
  EXPECT_EQ(decoder.decoded_bytes(), 66560u);
}

TEST(AwsChunkedTest, FromAVerifiedRequest) {
  SigV4Auth auth;
  auth.payload_mode = PayloadMode::kStreamingSigned;
  auth.credentials.amz_date = "20130524T000000Z";
  auth.credentials.scope = {"20130524", "us-east-1", "s3"};
  auth.credentials.signature = kSeed;
  auth.signing_key = SigningKey(kSecret, "20130524", "us-east-1", "s3");
  ASSERT_OK_AND_ASSIGN(AwsChunkedDecoder decoder, AwsChunkedDecoder::ForRequest(auth, {}));
  std::string payload;
  ASSERT_OK(DecodeInPieces(decoder, ExampleBody(), 4096, &payload));
  EXPECT_EQ(payload.size(), 66560u);
  auth.payload_mode = PayloadMode::kUnsignedPayload;
  EXPECT_EQ(S3ErrorCodeOf(AwsChunkedDecoder::ForRequest(auth, {}).status()),
            S3ErrorCode::kInvalidRequest);
}

TEST(AwsChunkedTest, TamperedChunkSignatureStopsBeforeTheChunk) {
  std::string body = ExampleBody();
  const size_t at = body.find(kChunk2);
  body[at + 63] = body[at + 63] == '0' ? '1' : '0';
  AwsChunkedDecoder decoder(PayloadMode::kStreamingSigned, ExampleSigner(kSeed), {});
  std::string payload;
  const Status status = DecodeInPieces(decoder, body, 1000, &payload);
  EXPECT_EQ(S3ErrorCodeOf(status), S3ErrorCode::kSignatureDoesNotMatch) << status;
  // The first chunk was good and emitted; nothing of the second.
  EXPECT_EQ(payload.size(), 65536u);
  // The error sticks.
  EXPECT_EQ(S3ErrorCodeOf(decoder.Feed("x", &payload)), S3ErrorCode::kSignatureDoesNotMatch);
  EXPECT_EQ(S3ErrorCodeOf(decoder.Finish()), S3ErrorCode::kSignatureDoesNotMatch);
}

TEST(AwsChunkedTest, TamperedDataIsNotEmitted) {
  std::string body = ExampleBody();
  body[body.find("\r\n") + 100] = 'b';
  AwsChunkedDecoder decoder(PayloadMode::kStreamingSigned, ExampleSigner(kSeed), {});
  std::string payload;
  EXPECT_EQ(S3ErrorCodeOf(DecodeInPieces(decoder, body, 7, &payload)),
            S3ErrorCode::kSignatureDoesNotMatch);
  EXPECT_TRUE(payload.empty());
}

TEST(AwsChunkedTest, WrongSecretOrSeedDoesNotMatch) {
  ChunkSigner wrong_key = ExampleSigner(kSeed);
  wrong_key.signing_key = SigningKey("another secret", "20130524", "us-east-1", "s3");
  AwsChunkedDecoder decoder(PayloadMode::kStreamingSigned, wrong_key, {});
  std::string payload;
  EXPECT_EQ(S3ErrorCodeOf(DecodeInPieces(decoder, ExampleBody(), 65536, &payload)),
            S3ErrorCode::kSignatureDoesNotMatch);
  AwsChunkedDecoder wrong_seed(PayloadMode::kStreamingSigned, ExampleSigner(kTrailerSeed), {});
  EXPECT_EQ(S3ErrorCodeOf(DecodeInPieces(wrong_seed, ExampleBody(), 65536, &payload)),
            S3ErrorCode::kSignatureDoesNotMatch);
  EXPECT_TRUE(payload.empty());
}

TEST(AwsChunkedTest, ChunksMustBeSignedInSignedMode) {
  AwsChunkedDecoder decoder(PayloadMode::kStreamingSigned, ExampleSigner(kSeed), {});
  std::string payload;
  EXPECT_EQ(S3ErrorCodeOf(DecodeInPieces(decoder, "3\r\nabc\r\n0\r\n\r\n", 100, &payload)),
            S3ErrorCode::kSignatureDoesNotMatch);
}

TEST(AwsChunkedTest, SignedTrailerExample) {
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kCrc32c, std::string(66560, 'a')), "sOO8/Q==");
  const std::string body = TrailerExampleBody();
  for (size_t piece : {size_t{1}, size_t{13}, size_t{65536}, body.size()}) {
    AwsChunkedOptions options = WithLength(66560);
    options.expected_trailer = "x-amz-checksum-crc32c";
    AwsChunkedDecoder decoder(PayloadMode::kStreamingSignedTrailer, ExampleSigner(kTrailerSeed),
                              options);
    std::string payload;
    ASSERT_OK(DecodeInPieces(decoder, body, piece, &payload));
    EXPECT_EQ(payload, std::string(66560, 'a'));
    ASSERT_EQ(decoder.trailers().size(), 1u);
    EXPECT_EQ(decoder.Trailer("x-amz-checksum-crc32c"), "sOO8/Q==");
    EXPECT_OK(VerifyChecksum(ChecksumAlgorithm::kCrc32c, *decoder.Trailer("x-amz-checksum-crc32c"),
                             ChecksumBase64(ChecksumAlgorithm::kCrc32c, payload)));
  }
  // A changed trailer value breaks the trailer signature.
  std::string tampered = body;
  tampered.replace(tampered.find("sOO8/Q=="), 8, "AAAAAA==");
  AwsChunkedDecoder decoder(PayloadMode::kStreamingSignedTrailer, ExampleSigner(kTrailerSeed), {});
  std::string payload;
  EXPECT_EQ(S3ErrorCodeOf(DecodeInPieces(decoder, tampered, 100000, &payload)),
            S3ErrorCode::kSignatureDoesNotMatch);
  // So does a missing trailer signature.
  std::string unsigned_trailer = body;
  unsigned_trailer.erase(unsigned_trailer.find("x-amz-trailer-signature"), 90);
  AwsChunkedDecoder no_signature(PayloadMode::kStreamingSignedTrailer, ExampleSigner(kTrailerSeed),
                                 {});
  EXPECT_EQ(S3ErrorCodeOf(DecodeInPieces(no_signature, unsigned_trailer, 100000, &payload)),
            S3ErrorCode::kSignatureDoesNotMatch);
}

std::string UnsignedTrailerBody(std::string_view data, std::string_view trailers) {
  return StrCat(fmt::format("{:x}", data.size()), "\r\n", data, "\r\n0\r\n", trailers, "\r\n");
}

TEST(AwsChunkedTest, UnsignedWithCrc32Trailer) {
  const std::string data(1024, 'a');
  const std::string crc = ChecksumBase64(ChecksumAlgorithm::kCrc32, data);
  EXPECT_EQ(crc, "fFWXuQ==");
  const std::string body = UnsignedTrailerBody(data, StrCat("x-amz-checksum-crc32:", crc, "\r\n"));
  for (size_t split = 0; split <= body.size(); ++split) {
    AwsChunkedOptions options = WithLength(1024);
    options.expected_trailer = "x-amz-checksum-crc32";
    AwsChunkedDecoder decoder(PayloadMode::kStreamingUnsignedTrailer, {}, options);
    std::string payload;
    payload.reserve(body.size());
    ASSERT_OK(decoder.Feed(std::string_view(body).substr(0, split), &payload));
    ASSERT_OK(decoder.Feed(std::string_view(body).substr(split), &payload));
    ASSERT_OK(decoder.Finish());
    ASSERT_EQ(payload, data);
    ASSERT_EQ(decoder.Trailer("x-amz-checksum-crc32"), crc);
  }
  // A wrong CRC decodes (the trailer is not signed) but fails the check.
  AwsChunkedDecoder decoder(PayloadMode::kStreamingUnsignedTrailer, {}, {});
  std::string payload;
  ASSERT_OK(DecodeInPieces(decoder, UnsignedTrailerBody(data, "x-amz-checksum-crc32:AAAAAA==\r\n"),
                           10, &payload));
  EXPECT_EQ(S3ErrorCodeOf(VerifyChecksum(ChecksumAlgorithm::kCrc32,
                                         *decoder.Trailer("x-amz-checksum-crc32"),
                                         ChecksumBase64(ChecksumAlgorithm::kCrc32, payload))),
            S3ErrorCode::kBadDigest);
}

TEST(AwsChunkedTest, TrailerRules) {
  auto decode = [](std::string_view body, AwsChunkedOptions options = {}) {
    AwsChunkedDecoder decoder(PayloadMode::kStreamingUnsignedTrailer, {}, std::move(options));
    std::string payload;
    return DecodeInPieces(decoder, body, 3, &payload);
  };
  EXPECT_OK(decode(UnsignedTrailerBody("abc", "")));
  EXPECT_EQ(S3ErrorCodeOf(decode(UnsignedTrailerBody("abc", "x-amz-meta-a:b\r\n"))),
            S3ErrorCode::kMalformedTrailerError);
  EXPECT_EQ(S3ErrorCodeOf(decode(UnsignedTrailerBody("abc", "no colon\r\n"))),
            S3ErrorCode::kMalformedTrailerError);
  EXPECT_EQ(S3ErrorCodeOf(decode(UnsignedTrailerBody(
                "abc", "x-amz-checksum-crc32:AAAAAA==\r\nx-amz-checksum-crc32:AAAAAA==\r\n"))),
            S3ErrorCode::kMalformedTrailerError);
  EXPECT_EQ(S3ErrorCodeOf(decode(UnsignedTrailerBody(
                "abc", "x-amz-trailer-signature:" + std::string(64, '0') + "\r\n"))),
            S3ErrorCode::kMalformedTrailerError);
  AwsChunkedOptions expecting;
  expecting.expected_trailer = "x-amz-checksum-sha256";
  EXPECT_EQ(S3ErrorCodeOf(
                decode(UnsignedTrailerBody("abc", "x-amz-checksum-crc32:AAAAAA==\r\n"), expecting)),
            S3ErrorCode::kMalformedTrailerError);
  std::string many;
  for (int i = 0; i < 9; ++i) many += StrCat("x-amz-checksum-x", i, ":A\r\n");
  EXPECT_EQ(S3ErrorCodeOf(decode(UnsignedTrailerBody("abc", many))),
            S3ErrorCode::kMalformedTrailerError);
}

TEST(AwsChunkedTest, TruncatedBodiesAreIncomplete) {
  const std::string body = UnsignedTrailerBody("hello", "x-amz-checksum-crc32:AAAAAA==\r\n");
  for (size_t length = 0; length < body.size(); ++length) {
    AwsChunkedDecoder decoder(PayloadMode::kStreamingUnsignedTrailer, {}, {});
    std::string payload;
    ASSERT_OK(decoder.Feed(std::string_view(body).substr(0, length), &payload));
    EXPECT_EQ(S3ErrorCodeOf(decoder.Finish()), S3ErrorCode::kIncompleteBody) << length;
  }
  const std::string signed_body = ExampleBody();
  for (size_t length : {size_t{0}, size_t{50}, size_t{65536}, signed_body.size() - 1}) {
    AwsChunkedDecoder decoder(PayloadMode::kStreamingSigned, ExampleSigner(kSeed), {});
    std::string payload;
    ASSERT_OK(decoder.Feed(std::string_view(signed_body).substr(0, length), &payload));
    EXPECT_EQ(S3ErrorCodeOf(decoder.Finish()), S3ErrorCode::kIncompleteBody) << length;
  }
}

TEST(AwsChunkedTest, DecodedContentLength) {
  std::string payload;
  AwsChunkedDecoder longer_than_said(PayloadMode::kStreamingSigned, ExampleSigner(kSeed),
                                     WithLength(66559));
  EXPECT_EQ(S3ErrorCodeOf(DecodeInPieces(longer_than_said, ExampleBody(), 1000, &payload)),
            S3ErrorCode::kInvalidRequest);
  AwsChunkedDecoder shorter_than_said(PayloadMode::kStreamingSigned, ExampleSigner(kSeed),
                                      WithLength(66561));
  EXPECT_EQ(S3ErrorCodeOf(DecodeInPieces(shorter_than_said, ExampleBody(), 1000, &payload)),
            S3ErrorCode::kIncompleteBody);
}

TEST(AwsChunkedTest, MalformedFraming) {
  auto decode = [](std::string_view body, AwsChunkedOptions options = {}) {
    AwsChunkedDecoder decoder(PayloadMode::kStreamingUnsignedTrailer, {}, std::move(options));
    std::string payload;
    return DecodeInPieces(decoder, body, 5, &payload);
  };
  for (const std::string& body : std::vector<std::string>{
           "zz\r\nabc\r\n0\r\n\r\n", "\r\n", "3\nabc\r\n0\r\n\r\n", "3\r\nabcd\r\n0\r\n\r\n",
           "3;ext=1\r\nabc\r\n0\r\n\r\n", "-3\r\nabc\r\n0\r\n\r\n", "10000000000000000\r\n",
           "0\r\n\r\nextra", std::string(2000, '1')}) {
    EXPECT_EQ(S3ErrorCodeOf(decode(body)), S3ErrorCode::kInvalidRequest) << body.substr(0, 40);
  }
  AwsChunkedOptions small;
  small.max_chunk_bytes = 2;
  EXPECT_EQ(S3ErrorCodeOf(decode("3\r\nabc\r\n0\r\n\r\n", small)), S3ErrorCode::kInvalidRequest);
  EXPECT_OK(decode("3\r\nabc\r\n0\r\n\r\n"));
  // A bad signature extension in the signed mode.
  AwsChunkedDecoder decoder(PayloadMode::kStreamingSigned, ExampleSigner(kSeed), {});
  std::string payload;
  EXPECT_EQ(S3ErrorCodeOf(decoder.Feed("3;chunk-signature=abc\r\n", &payload)),
            S3ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace gale::s3
