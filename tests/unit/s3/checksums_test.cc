#include "s3/protocol/checksums.h"

#include <gtest/gtest.h>

#include "s3/protocol/s3_error.h"
#include "tests/testing/status_matchers.h"

namespace gale::s3 {
namespace {

constexpr std::string_view kCheck = "123456789";

TEST(ChecksumsTest, CheckValuesOf123456789) {
  // The catalogued check values (CRC-32/ISO-HDLC cbf43926, CRC-32C e3069283,
  // CRC-64/NVME ae8b14860a799888), big-endian, in base64 as S3 sends them.
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kCrc32, kCheck), "y/Q5Jg==");
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kCrc32c, kCheck), "4waSgw==");
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kCrc64Nvme, kCheck), "rosUhgp5mIg=");
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kSha1, kCheck), "98O8HYCOBHMq32eZZczDTKeuNEE=");
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kSha256, kCheck),
            "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=");
  Hasher crc64(ChecksumAlgorithm::kCrc64Nvme);
  crc64.Update(kCheck);
  EXPECT_EQ(crc64.HexDigest(), "ae8b14860a799888");
  Hasher crc32c(ChecksumAlgorithm::kCrc32c);
  crc32c.Update(kCheck);
  EXPECT_EQ(crc32c.HexDigest(), "e3069283");
  EXPECT_EQ(Md5Hex(kCheck), "25f9e794323b453885f5181f1b624d0b");
}

TEST(ChecksumsTest, EmptyInput) {
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kCrc32, ""), "AAAAAA==");
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kCrc32c, ""), "AAAAAA==");
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kCrc64Nvme, ""), "AAAAAAAAAAA=");
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kSha1, ""), "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
  EXPECT_EQ(ChecksumBase64(ChecksumAlgorithm::kSha256, ""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(ChecksumsTest, IncrementalEqualsOneShotAtEverySplit) {
  const std::string data = "The quick brown fox jumps over the lazy dog, twice over.";
  for (const auto algorithm :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme,
        ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256}) {
    const std::string whole = ChecksumBase64(algorithm, data);
    for (size_t split = 0; split <= data.size(); ++split) {
      Hasher hasher(algorithm);
      hasher.Update(std::string_view(data).substr(0, split));
      hasher.Update(std::string_view(data).substr(split));
      EXPECT_EQ(hasher.Base64Digest(), whole) << ChecksumAlgorithmName(algorithm) << " " << split;
    }
  }
}

TEST(ChecksumsTest, AlgorithmNames) {
  EXPECT_EQ(*ParseChecksumAlgorithm("crc64nvme"), ChecksumAlgorithm::kCrc64Nvme);
  EXPECT_EQ(*ParseChecksumAlgorithm("CRC32C"), ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ(S3ErrorCodeOf(ParseChecksumAlgorithm("MD5").status()), S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(ChecksumAlgorithmOfHeader("X-Amz-Checksum-SHA256"), ChecksumAlgorithm::kSha256);
  EXPECT_EQ(ChecksumAlgorithmOfHeader("x-amz-checksum-md5"), std::nullopt);
  EXPECT_EQ(ChecksumHeaderName(ChecksumAlgorithm::kCrc64Nvme), "x-amz-checksum-crc64nvme");
}

TEST(ChecksumsTest, RequestedAlgorithmFromHeaders) {
  using H = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(*RequestedChecksumAlgorithm(H{{"Host", "x"}}), std::nullopt);
  EXPECT_EQ(*RequestedChecksumAlgorithm(H{{"X-Amz-Checksum-Algorithm", "SHA1"}}),
            ChecksumAlgorithm::kSha1);
  EXPECT_EQ(*RequestedChecksumAlgorithm(H{{"x-amz-sdk-checksum-algorithm", "CRC32"},
                                          {"x-amz-trailer", "x-amz-checksum-crc32"}}),
            ChecksumAlgorithm::kCrc32);
  EXPECT_EQ(S3ErrorCodeOf(RequestedChecksumAlgorithm(H{{"x-amz-sdk-checksum-algorithm", "CRC32"},
                                                       {"x-amz-trailer", "x-amz-checksum-sha1"}})
                              .status()),
            S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(
      S3ErrorCodeOf(RequestedChecksumAlgorithm(H{{"x-amz-trailer", "x-amz-meta-foo"}}).status()),
      S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(
      S3ErrorCodeOf(RequestedChecksumAlgorithm(H{{"x-amz-checksum-algorithm", "CRC"}}).status()),
      S3ErrorCode::kInvalidRequest);
}

TEST(ChecksumsTest, MultipartETag) {
  // md5("part one"), md5("part two"); the expected value is
  // md5(concat of their 16 bytes) with "-2".
  ASSERT_OK_AND_ASSIGN(
      const std::string etag,
      MultipartETag({"3303e12af474ca11d85ed2966a932992", "\"3EA4E15B91A17DC76052C56CFCDF67A2\""}));
  EXPECT_EQ(etag, "0732917abc3288784e318ac0aab1757a-2");
  ASSERT_OK_AND_ASSIGN(const std::string one, MultipartETag({Md5Hex("")}));
  EXPECT_EQ(one, Md5Hex(std::string(
                     "\xd4\x1d\x8c\xd9\x8f\x00\xb2\x04\xe9\x80\x09\x98\xec\xf8\x42\x7e", 16)) +
                     "-1");
  EXPECT_EQ(S3ErrorCodeOf(MultipartETag({"abc"}).status()), S3ErrorCode::kInvalidPart);
  EXPECT_EQ(S3ErrorCodeOf(MultipartETag({std::string(32, 'g')}).status()),
            S3ErrorCode::kInvalidPart);
  EXPECT_EQ(S3ErrorCodeOf(MultipartETag({}).status()), S3ErrorCode::kInvalidRequest);
}

TEST(ChecksumsTest, ContentMd5) {
  Hasher md5(Hasher::Kind::kMd5);
  md5.Update(kCheck);
  const std::string actual = md5.Digest();
  EXPECT_OK(VerifyContentMd5("JfnnlDI7RTiF9RgfG2JNCw==", actual));
  EXPECT_OK(VerifyContentMd5(" JfnnlDI7RTiF9RgfG2JNCw== ", actual));
  EXPECT_EQ(S3ErrorCodeOf(VerifyContentMd5("1B2M2Y8AsgTpgAmY7PhCfg==", actual)),
            S3ErrorCode::kBadDigest);
  EXPECT_EQ(S3ErrorCodeOf(VerifyContentMd5("not base64!", actual)), S3ErrorCode::kInvalidDigest);
  EXPECT_EQ(S3ErrorCodeOf(VerifyContentMd5("AAAA", actual)), S3ErrorCode::kInvalidDigest);
  EXPECT_EQ(S3ErrorCodeOf(VerifyContentMd5("", actual)), S3ErrorCode::kInvalidDigest);
}

TEST(ChecksumsTest, VerifyChecksum) {
  EXPECT_OK(VerifyChecksum(ChecksumAlgorithm::kCrc32, "y/Q5Jg==", "y/Q5Jg=="));
  EXPECT_EQ(S3ErrorCodeOf(VerifyChecksum(ChecksumAlgorithm::kCrc32, "AAAAAA==", "y/Q5Jg==")),
            S3ErrorCode::kBadDigest);
  // The base64 of 8 bytes is no CRC32.
  EXPECT_EQ(S3ErrorCodeOf(VerifyChecksum(ChecksumAlgorithm::kCrc32, "rosUhgp5mIg=", "y/Q5Jg==")),
            S3ErrorCode::kInvalidRequest);
  EXPECT_EQ(S3ErrorCodeOf(VerifyChecksum(ChecksumAlgorithm::kSha256, "%%%", "")),
            S3ErrorCode::kInvalidRequest);
}

TEST(ChecksumsTest, Base64IsStrict) {
  EXPECT_EQ(Base64Encode("123456789"), "MTIzNDU2Nzg5");
  EXPECT_EQ(*Base64Decode("MTIzNDU2Nzg5"), "123456789");
  EXPECT_EQ(*Base64Decode("YQ=="), "a");
  EXPECT_EQ(*Base64Decode("YWI="), "ab");
  EXPECT_EQ(*Base64Decode(""), "");
  EXPECT_EQ(Base64Decode("YQ="), std::nullopt);
  EXPECT_EQ(Base64Decode("YR=="), std::nullopt);  // non-zero unused bits
  EXPECT_EQ(Base64Decode("Y=Q="), std::nullopt);
  EXPECT_EQ(Base64Decode("YQ==YQ=="), std::nullopt);
  EXPECT_EQ(Base64Decode(" YQ="), std::nullopt);
  EXPECT_EQ(Base64Decode("YQ\n="), std::nullopt);
}

}  // namespace
}  // namespace gale::s3
