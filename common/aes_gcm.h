#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace gale::common {

// Authenticated encryption of short secrets with AES-256-GCM (OpenSSL EVP):
// a fresh random 96-bit nonce per message and a 128-bit tag, so that a
// sealed value that was altered, or is opened with another key or other
// associated data, is refused instead of decrypted to garbage. Holds a copy
// of the key (wiped on destruction). A value type; its const methods are
// thread-safe.
class AesGcm {
 public:
  static constexpr size_t kKeyBytes = 32;
  static constexpr size_t kNonceBytes = 12;
  static constexpr size_t kTagBytes = 16;

  // INVALID_ARGUMENT unless `key` is exactly kKeyBytes bytes.
  static Result<AesGcm> Create(std::string_view key);
  ~AesGcm();
  AesGcm(const AesGcm& other) = default;
  AesGcm(AesGcm&& other) noexcept = default;
  AesGcm& operator=(const AesGcm& other) = default;
  AesGcm& operator=(AesGcm&& other) noexcept = default;

  // nonce || ciphertext || tag (plaintext size + 28 bytes). `associated`
  // is authenticated, not encrypted: the same must be given to Open.
  // INTERNAL when OpenSSL fails.
  Result<std::string> Seal(std::string_view plaintext, std::string_view associated) const;
  // The plaintext of a Seal result. DATA_LOSS when `sealed` is too short, was
  // altered, or was sealed with another key or other associated data.
  Result<std::string> Open(std::string_view sealed, std::string_view associated) const;

 private:
  explicit AesGcm(std::string key) : key_(std::move(key)) {}

  std::string key_;
};

}  // namespace gale::common
