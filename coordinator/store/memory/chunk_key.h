#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace gale::coordinator {

// A chunk id (the SHA-256 of its bytes) in its 32 bytes instead of the 64 hex
// characters the store and the APIs use: the in-memory index's key. A value
// type.
class ChunkKey {
 public:
  ChunkKey() = default;

  // nullopt unless `hex` is 64 lowercase hex digits (every chunk id the store
  // accepts is).
  static std::optional<ChunkKey> FromHex(std::string_view hex) {
    if (hex.size() != 64) return std::nullopt;
    ChunkKey key;
    for (size_t i = 0; i < 32; ++i) {
      const int high = Nibble(hex[2 * i]);
      const int low = Nibble(hex[2 * i + 1]);
      if (high < 0 || low < 0) return std::nullopt;
      key.bytes_[i] = static_cast<uint8_t>(high << 4 | low);
    }
    return key;
  }

  std::string Hex() const {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(64, '0');
    for (size_t i = 0; i < 32; ++i) {
      out[2 * i] = kDigits[bytes_[i] >> 4];
      out[2 * i + 1] = kDigits[bytes_[i] & 0xf];
    }
    return out;
  }

  friend bool operator==(const ChunkKey& a, const ChunkKey& b) { return a.bytes_ == b.bytes_; }
  friend bool operator<(const ChunkKey& a, const ChunkKey& b) { return a.bytes_ < b.bytes_; }

  // Hashed with Abseil's seeded hash: ids come from clients, who could pick
  // ones that collide in a hash of their own bytes.
  template <typename H>
  friend H AbslHashValue(H h, const ChunkKey& key) {
    return H::combine_contiguous(std::move(h), key.bytes_.data(), key.bytes_.size());
  }

 private:
  static int Nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }

  std::array<uint8_t, 32> bytes_{};
};

}  // namespace gale::coordinator
