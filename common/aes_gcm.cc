#include "common/aes_gcm.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

#include "common/strings.h"

namespace gale::common {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

}  // namespace

Result<AesGcm> AesGcm::Create(std::string_view key) {
  if (key.size() != kKeyBytes) {
    return absl::InvalidArgumentError(
        StrCat("an AES-256 key is ", kKeyBytes, " bytes, not ", key.size()));
  }
  return AesGcm(std::string(key));
}

AesGcm::~AesGcm() {
  if (!key_.empty()) OPENSSL_cleanse(key_.data(), key_.size());
}

Result<std::string> AesGcm::Seal(std::string_view plaintext, std::string_view associated) const {
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  if (RAND_bytes(Bytes(out), static_cast<int>(kNonceBytes)) != 1) {
    return absl::InternalError("AES-GCM: no random nonce (OpenSSL RAND_bytes failed)");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  unsigned char* cipher = Bytes(out) + kNonceBytes;
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes),
                          nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key_), Bytes(out)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &length, Bytes(associated),
                        static_cast<int>(associated.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher, &length, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          cipher + plaintext.size()) != 1) {
    return absl::InternalError("AES-GCM: OpenSSL failed to encrypt");
  }
  return out;
}

Result<std::string> AesGcm::Open(std::string_view sealed, std::string_view associated) const {
  if (sealed.size() < kNonceBytes + kTagBytes) {
    return absl::DataLossError(StrCat("AES-GCM: a sealed value is at least ",
                                      kNonceBytes + kTagBytes, " bytes, not ", sealed.size()));
  }
  const std::string_view nonce = sealed.substr(0, kNonceBytes);
  const std::string_view cipher =
      sealed.substr(kNonceBytes, sealed.size() - kNonceBytes - kTagBytes);
  std::string tag(sealed.substr(sealed.size() - kTagBytes));
  std::string plain(cipher.size(), '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes),
                          nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key_), Bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, Bytes(associated),
                        static_cast<int>(associated.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), Bytes(plain), &length, Bytes(cipher),
                        static_cast<int>(cipher.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          tag.data()) != 1) {
    return absl::InternalError("AES-GCM: OpenSSL failed to decrypt");
  }
  // The tag is checked here: nothing of `plain` is returned unless it holds.
  if (EVP_DecryptFinal_ex(ctx.get(), Bytes(plain) + length, &length) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return absl::DataLossError(
        "AES-GCM: authentication failed (altered, or sealed with another key or context)");
  }
  return plain;
}

}  // namespace gale::common
