#include "node/chunk_format.h"

#include <zlib.h>

#include <cstring>

#include "common/strings.h"

namespace gale::node {
namespace {

constexpr char kMagic[8] = {'G', 'A', 'L', 'E', 'C', 'H', 'K', '1'};
constexpr uint32_t kVersion = 1;

uint32_t Crc(uint32_t crc, std::string_view data) {
  // zlib's crc32 takes a uInt length; blocks are far below 4 GiB.
  return static_cast<uint32_t>(
      crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetLE(std::string_view bytes, size_t at, int width) {
  uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<size_t>(i)]);
  }
  return v;
}

}  // namespace

int64_t BlockCount(int64_t data_length) { return (data_length + kBlockSize - 1) / kBlockSize; }

int64_t ChunkFileSize(int64_t data_length) {
  return data_length + 4 * BlockCount(data_length) + kFooterSize;
}

Result<int64_t> DataLengthForFileSize(int64_t file_size) {
  int64_t payload = file_size - kFooterSize;  // data + CRCs
  if (payload < 0) return absl::DataLossError(StrCat("chunk file of ", file_size, " bytes"));
  // payload = L + 4n with n = ceil(L / B); then n = ceil(payload / (B + 4)).
  int64_t blocks = (payload + kBlockSize + 4 - 1) / (kBlockSize + 4);
  int64_t length = payload - 4 * blocks;
  if (length < 0 || BlockCount(length) != blocks) {
    return absl::DataLossError(StrCat("no chunk has a file of ", file_size, " bytes"));
  }
  return length;
}

void BlockChecksummer::Update(std::string_view data) {
  length_ += static_cast<int64_t>(data.size());
  while (!data.empty()) {
    size_t take = static_cast<size_t>(std::min<int64_t>(kBlockSize - in_block_, data.size()));
    current_ = Crc(current_, data.substr(0, take));
    in_block_ += static_cast<int64_t>(take);
    data.remove_prefix(take);
    if (in_block_ == kBlockSize) {
      crcs_.push_back(current_);
      current_ = 0;
      in_block_ = 0;
    }
  }
}

std::string BlockChecksummer::Trailer() const {
  std::string out;
  out.reserve(4 * (crcs_.size() + 1) + kFooterSize);
  for (uint32_t crc : crcs_) PutU32(&out, crc);
  if (in_block_ > 0) PutU32(&out, current_);
  out.append(kMagic, sizeof(kMagic));
  PutU32(&out, kVersion);
  PutU32(&out, static_cast<uint32_t>(kBlockSize));
  PutU64(&out, static_cast<uint64_t>(length_));
  PutU32(&out, Crc(0, out));
  PutU32(&out, 0);
  return out;
}

Result<ChunkTrailer> ParseTrailer(std::string_view trailer, int64_t data_length) {
  const int64_t blocks = BlockCount(data_length);
  if (static_cast<int64_t>(trailer.size()) != 4 * blocks + kFooterSize) {
    return absl::DataLossError("chunk trailer has the wrong size");
  }
  const size_t footer = static_cast<size_t>(4 * blocks);
  if (std::memcmp(trailer.data() + footer, kMagic, sizeof(kMagic)) != 0) {
    return absl::DataLossError("chunk trailer has no GALECHK1 magic");
  }
  if (GetLE(trailer, footer + 8, 4) != kVersion ||
      GetLE(trailer, footer + 12, 4) != static_cast<uint64_t>(kBlockSize) ||
      GetLE(trailer, footer + 16, 8) != static_cast<uint64_t>(data_length)) {
    return absl::DataLossError("chunk trailer does not match the file");
  }
  if (GetLE(trailer, footer + 24, 4) != Crc(0, trailer.substr(0, footer + 24))) {
    return absl::DataLossError("chunk trailer fails its checksum");
  }
  ChunkTrailer out;
  out.data_length = data_length;
  out.block_crcs.reserve(static_cast<size_t>(blocks));
  for (int64_t i = 0; i < blocks; ++i) {
    out.block_crcs.push_back(static_cast<uint32_t>(GetLE(trailer, static_cast<size_t>(4 * i), 4)));
  }
  return out;
}

Status VerifyBlocks(const ChunkTrailer& trailer, int64_t first_block, std::string_view data) {
  int64_t block = first_block;
  while (!data.empty()) {
    if (block >= static_cast<int64_t>(trailer.block_crcs.size())) {
      return absl::DataLossError("data beyond the chunk's last block");
    }
    size_t take = static_cast<size_t>(std::min<int64_t>(kBlockSize, data.size()));
    if (Crc(0, data.substr(0, take)) != trailer.block_crcs[static_cast<size_t>(block)]) {
      return absl::DataLossError(StrCat("block ", block, " fails its checksum"));
    }
    data.remove_prefix(take);
    ++block;
  }
  return absl::OkStatus();
}

}  // namespace gale::node
