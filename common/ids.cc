#include "common/ids.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

#include "common/strings.h"

namespace gale::common {

namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void RandomBytes(uint8_t* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    // Without randomness ids could collide; there is no safe way to go on.
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
}

// `length` characters drawn uniformly from `alphabet` (whose size divides 256).
std::string RandomString(std::string_view alphabet, size_t length) {
  std::string bytes(length, '\0');
  RandomBytes(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size());
  std::string out;
  for (char b : bytes) out.push_back(alphabet[static_cast<uint8_t>(b) % alphabet.size()]);
  return out;
}

}  // namespace

std::string NewUuid() {
  std::array<uint8_t, 16> b{};
  RandomBytes(b.data(), b.size());
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out += fmt::format("{:02x}", b[i]);
  }
  return out;
}

Status ValidateNodeId(std::string_view id, std::string_view field) {
  if (id.empty() || id.size() > 128) {
    return absl::InvalidArgumentError(
        StrCat("field '", field, "' must be 1 to 128 characters long"));
  }
  if (id[0] == '.') {
    return absl::InvalidArgumentError(StrCat("field '", field, "' must not start with '.'"));
  }
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return absl::InvalidArgumentError(
          StrCat("field '", field, "' may only contain letters, digits, '.', '_' and '-'"));
    }
  }
  return absl::OkStatus();
}

Status ValidateChunkId(std::string_view id, std::string_view field) {
  bool ok = id.size() == 64;
  for (char c : id) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!ok) {
    return absl::InvalidArgumentError(StrCat("field '", field, "' must be 64 lowercase hex ",
                                             "characters (a SHA-256), got '",
                                             EscapeForMessage(id, 80), "'"));
  }
  return absl::OkStatus();
}

std::string NewS3AccessKeyId() {
  return StrCat(kS3AccessKeyPrefix,
                RandomString(kBase32, kS3AccessKeyIdLength - kS3AccessKeyPrefix.size()));
}

std::string NewS3SecretKey() { return RandomString(kBase64, kS3SecretKeyLength); }

Status ValidateS3AccessKeyId(std::string_view id, std::string_view field) {
  bool ok = id.size() == kS3AccessKeyIdLength && id.starts_with(kS3AccessKeyPrefix);
  for (char c : id.substr(std::min(id.size(), kS3AccessKeyPrefix.size()))) {
    ok = ok && kBase32.find(c) != std::string_view::npos;
  }
  if (!ok) {
    return absl::InvalidArgumentError(StrCat("field '", field, "' must be an access key id like ",
                                             kS3AccessKeyPrefix, "ABCDEFGHIJ234567 (",
                                             kS3AccessKeyIdLength, " characters), got '",
                                             EscapeForMessage(id, 80), "'"));
  }
  return absl::OkStatus();
}

}  // namespace gale::common
