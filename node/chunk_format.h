#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gale::node {

// The on-disk format of one chunk file:
//
//   [data: L bytes][CRC32 of each 64 KiB block of data: 4 bytes each, LE]
//   [footer, 32 bytes: "GALECHK1" | version u32 | block size u32 |
//                      data length u64 | CRC32 of (CRCs + footer[0..24)) u32 |
//                      reserved u32]
//
// The SHA-256 of the data is the chunk's id and is verified when the chunk is
// written and when it is scrubbed; the block CRCs let every read verify just
// the blocks it serves, at a fraction of SHA-256's cost. The file size alone
// determines L, so listings never open files.

inline constexpr int64_t kBlockSize = 64 * 1024;
inline constexpr int64_t kFooterSize = 32;

// Number of blocks holding `data_length` bytes.
int64_t BlockCount(int64_t data_length);
// Size of the file holding a chunk of `data_length` bytes.
int64_t ChunkFileSize(int64_t data_length);
// The data length of a chunk file of `file_size` bytes; DATA_LOSS if no data
// length yields that size.
Result<int64_t> DataLengthForFileSize(int64_t file_size);

// Accumulates the CRC of each block as data streams in, then produces the
// trailer. Not thread-safe.
class BlockChecksummer {
 public:
  void Update(std::string_view data);
  // The CRC array and footer for all data seen.
  std::string Trailer() const;
  int64_t length() const { return length_; }

 private:
  std::vector<uint32_t> crcs_;  // completed blocks
  uint32_t current_ = 0;        // CRC of the partial block
  int64_t in_block_ = 0;        // bytes in the partial block
  int64_t length_ = 0;
};

// A chunk file's trailer, parsed and checked.
struct ChunkTrailer {
  int64_t data_length = 0;
  std::vector<uint32_t> block_crcs;
};

// Parses the trailer bytes (the file's last ChunkFileSize(L) - L bytes) of a
// chunk whose data length is `data_length`. DATA_LOSS when malformed.
Result<ChunkTrailer> ParseTrailer(std::string_view trailer, int64_t data_length);

// Checks `data`, which starts at block `first_block` and covers whole blocks
// (the last block of the chunk may be short), against the trailer. DATA_LOSS
// naming the first bad block.
Status VerifyBlocks(const ChunkTrailer& trailer, int64_t first_block, std::string_view data);

}  // namespace gale::node
