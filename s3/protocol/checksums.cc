#include "s3/protocol/checksums.h"

#include <isa-l/crc.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <boost/crc.hpp>
#include <limits>

#include "common/strings.h"
#include "s3/protocol/s3_error.h"

namespace gale::s3 {
namespace {

// CRC-64/NVME: poly 0xAD93D23594C93659, init and xorout all ones, reflected.
// Debian 12's ISA-L (2.30) lacks it (crc64_rocks_refl came in 2.31; its
// crc64_jones_* use the other "Jones" polynomial ...35A9), so Boost.CRC does it.
using Crc64Nvme = boost::crc_optimal<64, 0xAD93D23594C93659ULL, 0xFFFFFFFFFFFFFFFFULL,
                                     0xFFFFFFFFFFFFFFFFULL, true, true>;

std::string BigEndian(uint64_t value, int bytes) {
  std::string out(static_cast<size_t>(bytes), '\0');
  for (int i = bytes - 1; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

const EVP_MD* EvpOf(Hasher::Kind kind) {
  switch (kind) {
    case Hasher::Kind::kMd5:
      return EVP_md5();
    case Hasher::Kind::kSha1:
      return EVP_sha1();
    case Hasher::Kind::kSha256:
      return EVP_sha256();
    default:
      return nullptr;
  }
}

Hasher::Kind KindOf(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      return Hasher::Kind::kCrc32;
    case ChecksumAlgorithm::kCrc32c:
      return Hasher::Kind::kCrc32c;
    case ChecksumAlgorithm::kCrc64Nvme:
      return Hasher::Kind::kCrc64Nvme;
    case ChecksumAlgorithm::kSha1:
      return Hasher::Kind::kSha1;
    case ChecksumAlgorithm::kSha256:
      return Hasher::Kind::kSha256;
  }
  return Hasher::Kind::kSha256;
}

size_t DigestSize(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
    case ChecksumAlgorithm::kCrc32c:
      return 4;
    case ChecksumAlgorithm::kCrc64Nvme:
      return 8;
    case ChecksumAlgorithm::kSha1:
      return 20;
    case ChecksumAlgorithm::kSha256:
      return 32;
  }
  return 0;
}

constexpr ChecksumAlgorithm kAllAlgorithms[] = {
    ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme,
    ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256};

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      return "CRC32";
    case ChecksumAlgorithm::kCrc32c:
      return "CRC32C";
    case ChecksumAlgorithm::kCrc64Nvme:
      return "CRC64NVME";
    case ChecksumAlgorithm::kSha1:
      return "SHA1";
    case ChecksumAlgorithm::kSha256:
      return "SHA256";
  }
  return "";
}

std::string_view ChecksumHeaderName(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      return "x-amz-checksum-crc32";
    case ChecksumAlgorithm::kCrc32c:
      return "x-amz-checksum-crc32c";
    case ChecksumAlgorithm::kCrc64Nvme:
      return "x-amz-checksum-crc64nvme";
    case ChecksumAlgorithm::kSha1:
      return "x-amz-checksum-sha1";
    case ChecksumAlgorithm::kSha256:
      return "x-amz-checksum-sha256";
  }
  return "";
}

Result<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  const std::string upper = AsciiUpper(TrimWhitespace(name));
  for (const ChecksumAlgorithm algorithm : kAllAlgorithms) {
    if (upper == ChecksumAlgorithmName(algorithm)) return algorithm;
  }
  return S3Error(S3ErrorCode::kInvalidRequest,
                 StrCat("Checksum algorithm provided is unsupported: ", EscapeForMessage(name)));
}

std::optional<ChecksumAlgorithm> ChecksumAlgorithmOfHeader(std::string_view header_name) {
  const std::string lower = AsciiLower(TrimWhitespace(header_name));
  for (const ChecksumAlgorithm algorithm : kAllAlgorithms) {
    if (lower == ChecksumHeaderName(algorithm)) return algorithm;
  }
  return std::nullopt;
}

Result<std::optional<ChecksumAlgorithm>> RequestedChecksumAlgorithm(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::optional<ChecksumAlgorithm> chosen;
  auto choose = [&](ChecksumAlgorithm algorithm) -> Status {
    if (chosen.has_value() && *chosen != algorithm) {
      return S3Error(S3ErrorCode::kInvalidRequest,
                     "The request names more than one checksum algorithm");
    }
    chosen = algorithm;
    return absl::OkStatus();
  };
  for (const auto& [raw_name, value] : headers) {
    const std::string name = AsciiLower(raw_name);
    if (name == "x-amz-checksum-algorithm" || name == "x-amz-sdk-checksum-algorithm") {
      ASSIGN_OR_RETURN(const ChecksumAlgorithm algorithm, ParseChecksumAlgorithm(value));
      RETURN_IF_ERROR(choose(algorithm));
    } else if (name == "x-amz-trailer") {
      const auto algorithm = ChecksumAlgorithmOfHeader(value);
      if (!algorithm.has_value()) {
        return S3Error(S3ErrorCode::kInvalidRequest,
                       StrCat("The value specified in the x-amz-trailer header is not supported: ",
                              EscapeForMessage(value)));
      }
      RETURN_IF_ERROR(choose(*algorithm));
    }
  }
  return chosen;
}

struct Hasher::State {
  Kind kind;
  EVP_MD_CTX* md = nullptr;
  uLong crc32 = 0;
  uint32_t crc32c = 0xFFFFFFFFu;  // ISA-L's crc32_iscsi takes and returns the uninverted CRC
  Crc64Nvme crc64;

  explicit State(Kind k) : kind(k) {
    if (const EVP_MD* evp = EvpOf(kind); evp != nullptr) {
      md = EVP_MD_CTX_new();
      if (md != nullptr && EVP_DigestInit_ex(md, evp, nullptr) != 1) {
        EVP_MD_CTX_free(md);
        md = nullptr;
      }
    }
    if (kind == Kind::kCrc32) crc32 = ::crc32(0L, Z_NULL, 0);
  }
  ~State() { EVP_MD_CTX_free(md); }
};

Hasher::Hasher(Kind kind) : state_(std::make_unique<State>(kind)) {}
Hasher::Hasher(ChecksumAlgorithm algorithm) : Hasher(KindOf(algorithm)) {}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::Update(std::string_view data) {
  State& s = *state_;
  switch (s.kind) {
    case Kind::kCrc32:
      // zlib takes a uInt length: feed large buffers in pieces.
      while (!data.empty()) {
        const size_t n = std::min<size_t>(data.size(), std::numeric_limits<uInt>::max());
        s.crc32 =
            ::crc32(s.crc32, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n));
        data.remove_prefix(n);
      }
      break;
    case Kind::kCrc32c:
      while (!data.empty()) {
        const size_t n = std::min<size_t>(data.size(), std::numeric_limits<int>::max());
        s.crc32c = crc32_iscsi(
            const_cast<unsigned char*>(reinterpret_cast<const unsigned char*>(data.data())),
            static_cast<int>(n), s.crc32c);
        data.remove_prefix(n);
      }
      break;
    case Kind::kCrc64Nvme:
      s.crc64.process_bytes(data.data(), data.size());
      break;
    default:
      if (s.md != nullptr) EVP_DigestUpdate(s.md, data.data(), data.size());
  }
}

std::string Hasher::Digest() {
  State& s = *state_;
  switch (s.kind) {
    case Kind::kCrc32:
      return BigEndian(s.crc32, 4);
    case Kind::kCrc32c:
      return BigEndian(~s.crc32c, 4);
    case Kind::kCrc64Nvme:
      return BigEndian(s.crc64.checksum(), 8);
    default: {
      unsigned char digest[EVP_MAX_MD_SIZE];
      unsigned int length = 0;
      if (s.md == nullptr || EVP_DigestFinal_ex(s.md, digest, &length) != 1) return "";
      return std::string(reinterpret_cast<const char*>(digest), length);
    }
  }
}

std::string Hasher::Base64Digest() { return Base64Encode(Digest()); }
std::string Hasher::HexDigest() { return HexEncode(Digest()); }

std::string Md5Hex(std::string_view data) {
  Hasher hasher(Hasher::Kind::kMd5);
  hasher.Update(data);
  return hasher.HexDigest();
}

std::string ChecksumBase64(ChecksumAlgorithm algorithm, std::string_view data) {
  Hasher hasher(algorithm);
  hasher.Update(data);
  return hasher.Base64Digest();
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  if (text.empty()) return std::string();
  // EVP_DecodeBlock skips surrounding whitespace and keeps the padding's zero
  // bytes: accept only the alphabet, then drop as many bytes as '='s.
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '+' || c == '/';
    if (c == '=' && i + 2 >= text.size()) {
      ++padding;
    } else if (!alpha || padding > 0) {
      return std::nullopt;
    }
  }
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0 || static_cast<size_t>(n) != out.size()) return std::nullopt;
  out.resize(out.size() - padding);
  // Canonical only: the bits the padding leaves unused must be zero.
  if (Base64Encode(out) != text) return std::nullopt;
  return out;
}

Result<std::string> MultipartETag(const std::vector<std::string>& part_md5_hex) {
  if (part_md5_hex.empty()) {
    return S3Error(S3ErrorCode::kInvalidRequest, "A multipart upload needs at least one part");
  }
  Hasher md5(Hasher::Kind::kMd5);
  for (std::string_view etag : part_md5_hex) {
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
      etag = etag.substr(1, etag.size() - 2);
    }
    const auto binary = etag.size() == 32 ? HexDecode(etag) : std::nullopt;
    if (!binary.has_value()) {
      return S3Error(S3ErrorCode::kInvalidPart,
                     StrCat("Not the MD5 of a part: ", EscapeForMessage(etag, 80)));
    }
    md5.Update(*binary);
  }
  return StrCat(md5.HexDigest(), "-", part_md5_hex.size());
}

Result<std::string> DecodeContentMd5(std::string_view header_value) {
  auto decoded = Base64Decode(TrimWhitespace(header_value));
  if (!decoded.has_value() || decoded->size() != 16) {
    return S3Error(S3ErrorCode::kInvalidDigest, "The Content-MD5 you specified was invalid.");
  }
  return *std::move(decoded);
}

Status VerifyContentMd5(std::string_view header_value, std::string_view actual_md5) {
  ASSIGN_OR_RETURN(const std::string expected, DecodeContentMd5(header_value));
  if (!ConstantTimeEqual(expected, actual_md5)) {
    return S3Error(S3ErrorCode::kBadDigest,
                   "The Content-MD5 you specified did not match what we received.");
  }
  return absl::OkStatus();
}

Status VerifyChecksum(ChecksumAlgorithm algorithm, std::string_view expected_base64,
                      std::string_view actual_base64) {
  const std::string_view expected = TrimWhitespace(expected_base64);
  const auto decoded = Base64Decode(expected);
  if (!decoded.has_value() || decoded->size() != DigestSize(algorithm)) {
    return S3Error(S3ErrorCode::kInvalidRequest,
                   StrCat("Value for ", ChecksumHeaderName(algorithm), " header is invalid."));
  }
  if (!ConstantTimeEqual(expected, actual_base64)) {
    return S3Error(S3ErrorCode::kBadDigest,
                   StrCat("The ", ChecksumAlgorithmName(algorithm),
                          " you specified did not match the calculated checksum."));
  }
  return absl::OkStatus();
}

}  // namespace gale::s3
