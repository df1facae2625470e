#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace gale::common {

// Incremental SHA-256 (OpenSSL EVP). Not thread-safe; one per stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(std::string_view data);
  // The lowercase hex digest; the hasher is spent afterwards.
  std::string HexDigest();

  // One-shot.
  static std::string Hex(std::string_view data);

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace gale::common
