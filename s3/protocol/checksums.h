#pragma once

// The hashes and checksums of S3 objects: the MD5 of the ETag, the
// x-amz-checksum-* algorithms, the multipart ETag, and the Content-MD5 and
// checksum header checks.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace gale::s3 {

// The x-amz-checksum-* algorithms.
enum class ChecksumAlgorithm { kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256 };

// "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256": the value of
// x-amz-checksum-algorithm.
std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm);

// "x-amz-checksum-crc32", ...: the header (or trailer) carrying the value.
std::string_view ChecksumHeaderName(ChecksumAlgorithm algorithm);

// The algorithm named `name` (case-insensitive: "crc32c", "CRC64NVME");
// InvalidRequest otherwise.
Result<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);

// The algorithm of a header or trailer name ("X-Amz-Checksum-CRC32" ->
// kCrc32), if it is one.
std::optional<ChecksumAlgorithm> ChecksumAlgorithmOfHeader(std::string_view header_name);

// The checksum algorithm a request asks for, from x-amz-checksum-algorithm,
// x-amz-sdk-checksum-algorithm and x-amz-trailer (header names in any case),
// or nullopt when it names none. InvalidRequest when a value is unknown, when
// x-amz-trailer names something other than one x-amz-checksum-* header, or
// when they disagree.
Result<std::optional<ChecksumAlgorithm>> RequestedChecksumAlgorithm(
    const std::vector<std::pair<std::string, std::string>>& headers);

// An incremental hasher of one algorithm (the x-amz-checksum-* ones, and MD5
// for the ETag). Not thread-safe; one per stream; spent by Digest().
class Hasher {
 public:
  enum class Kind { kMd5, kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256 };
  explicit Hasher(Kind kind);
  explicit Hasher(ChecksumAlgorithm algorithm);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;

  void Update(std::string_view data);
  // The raw digest: 16 bytes (MD5), 4 (CRC32, CRC32C), 8 (CRC64NVME, both
  // CRCs big-endian as S3 sends them), 20 (SHA1) or 32 (SHA256).
  std::string Digest();
  // Digest() in base64, as in x-amz-checksum-* headers.
  std::string Base64Digest();
  // Digest() in lowercase hex, as in ETags.
  std::string HexDigest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// One-shot forms.
std::string Md5Hex(std::string_view data);
std::string ChecksumBase64(ChecksumAlgorithm algorithm, std::string_view data);

// Standard base64 with padding (OpenSSL), and its strict inverse (nullopt for
// anything that is not canonical padded base64).
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

// The ETag of a multipart upload: hex(md5(concat(binary part MD5s))) + "-N",
// from the parts' hex MD5s (their ETags, quotes allowed). InvalidPart when one
// is not 32 hex digits; InvalidRequest when there are none.
Result<std::string> MultipartETag(const std::vector<std::string>& part_md5_hex);

// The 16 bytes of a Content-MD5 header; InvalidDigest when it is not the
// base64 of 16 bytes.
Result<std::string> DecodeContentMd5(std::string_view header_value);

// Checks a Content-MD5 header against the MD5 (16 raw bytes) of the body
// received: InvalidDigest when malformed, BadDigest when different.
Status VerifyContentMd5(std::string_view header_value, std::string_view actual_md5);

// Checks an x-amz-checksum-* value (header or trailer) against the base64
// checksum of the body received: InvalidRequest when it is not the base64 of
// a digest of the algorithm's size, BadDigest when different.
Status VerifyChecksum(ChecksumAlgorithm algorithm, std::string_view expected_base64,
                      std::string_view actual_base64);

}  // namespace gale::s3
