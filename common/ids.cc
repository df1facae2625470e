#include "common/ids.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <stdexcept>

#include "common/strings.h"

namespace gale::common {

std::string NewUuid() {
  std::array<uint8_t, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    // Without randomness ids could collide; there is no safe way to go on.
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
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

}  // namespace gale::common
