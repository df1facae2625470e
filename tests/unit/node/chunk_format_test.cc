#include "node/chunk_format.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace gale::node {
namespace {

std::string Data(int64_t n) {
  std::string s(static_cast<size_t>(n), '\0');
  for (int64_t i = 0; i < n; ++i) s[static_cast<size_t>(i)] = static_cast<char>(i * 7 + 3);
  return s;
}

TEST(ChunkFormatTest, FileSizeDeterminesDataLength) {
  for (int64_t length : {int64_t{0}, int64_t{1}, kBlockSize - 1, kBlockSize, kBlockSize + 1,
                         3 * kBlockSize + 5, int64_t{4} << 20, (int64_t{64} << 20) + 17}) {
    SCOPED_TRACE(length);
    ASSERT_OK_AND_ASSIGN(int64_t back, DataLengthForFileSize(ChunkFileSize(length)));
    EXPECT_EQ(back, length);
  }
  // Sizes no chunk produces are malformed.
  EXPECT_STATUS(DataLengthForFileSize(kFooterSize - 1), absl::StatusCode::kDataLoss, "");
  EXPECT_STATUS(DataLengthForFileSize(kFooterSize + 1), absl::StatusCode::kDataLoss, "");
  EXPECT_STATUS(DataLengthForFileSize(kFooterSize + 4), absl::StatusCode::kDataLoss, "");
}

TEST(ChunkFormatTest, TrailerRoundTripAndVerification) {
  const std::string data = Data(2 * kBlockSize + 100);
  BlockChecksummer checksummer;
  // Fed in odd pieces, as a network delivers it.
  for (size_t at = 0; at < data.size(); at += 1000) {
    checksummer.Update(std::string_view(data).substr(at, 1000));
  }
  std::string trailer = checksummer.Trailer();
  EXPECT_EQ(static_cast<int64_t>(data.size() + trailer.size()),
            ChunkFileSize(static_cast<int64_t>(data.size())));
  ASSERT_OK_AND_ASSIGN(ChunkTrailer parsed, ParseTrailer(trailer, data.size()));
  EXPECT_EQ(parsed.block_crcs.size(), 3u);
  EXPECT_OK(VerifyBlocks(parsed, 0, data));
  EXPECT_OK(VerifyBlocks(parsed, 2, std::string_view(data).substr(2 * kBlockSize)));

  std::string flipped = data;
  flipped[kBlockSize + 10] ^= 0x01;
  EXPECT_STATUS(VerifyBlocks(parsed, 0, flipped), absl::StatusCode::kDataLoss, "block 1");
  EXPECT_STATUS(ParseTrailer(trailer, data.size() + 1), absl::StatusCode::kDataLoss, "");
  std::string bad_trailer = trailer;
  bad_trailer[0] ^= 0x01;  // a block CRC: caught by the trailer's own checksum
  EXPECT_STATUS(ParseTrailer(bad_trailer, data.size()), absl::StatusCode::kDataLoss, "checksum");
  bad_trailer = trailer;
  bad_trailer[bad_trailer.size() - kFooterSize] = 'X';
  EXPECT_STATUS(ParseTrailer(bad_trailer, data.size()), absl::StatusCode::kDataLoss, "magic");
}

TEST(ChunkFormatTest, EmptyChunk) {
  BlockChecksummer checksummer;
  std::string trailer = checksummer.Trailer();
  EXPECT_EQ(static_cast<int64_t>(trailer.size()), kFooterSize);
  ASSERT_OK_AND_ASSIGN(ChunkTrailer parsed, ParseTrailer(trailer, 0));
  EXPECT_TRUE(parsed.block_crcs.empty());
  EXPECT_OK(VerifyBlocks(parsed, 0, ""));
}

}  // namespace
}  // namespace gale::node
