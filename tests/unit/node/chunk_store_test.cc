#include "node/chunk_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/sha256.h"
#include "tests/testing/flip_byte.h"
#include "tests/testing/random_data.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::node {
namespace {

using testing::RandomBytes;
namespace fs = std::filesystem;

size_t FilesIn(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

class ChunkStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(int64_t capacity = 0) {
    store_.reset();
    ChunkStoreOptions options;
    options.data_dir = dir_.Join("data");
    options.capacity_bytes = capacity;
    options.reserve_bytes = 0;
    options.max_chunk_bytes = 8 << 20;
    auto store = ChunkStore::Open(options);
    ASSERT_OK(store);
    store_ = *std::move(store);
  }

  // Writes `data` in pieces; returns whether it was newly stored.
  Result<bool> Put(const std::string& data, const std::string& id = "") {
    ASSIGN_OR_RETURN(auto writer, store_->BeginWrite(id.empty() ? common::Sha256::Hex(data) : id,
                                                     static_cast<int64_t>(data.size())));
    for (size_t at = 0; at < data.size(); at += 10007) {
      RETURN_IF_ERROR(writer->Append(std::string_view(data).substr(at, 10007)));
    }
    return writer->Commit();
  }

  Result<std::string> Get(const std::string& id, int64_t offset = 0, int64_t length = -1) {
    if (length < 0) {
      ASSIGN_OR_RETURN(int64_t size, store_->Size(id));
      length = size - offset;
    }
    std::string out;
    RETURN_IF_ERROR(store_->Read(id, offset, length, [&](std::string_view piece) {
      EXPECT_LE(piece.size(), size_t{1} << 20) << "reads are streamed in bounded pieces";
      out.append(piece);
      return true;
    }));
    return out;
  }

  // Flips one byte of a stored chunk file, as bit rot would.
  void FlipByte(const std::string& id, int64_t offset) {
    ASSERT_TRUE(testing::FlipByte(store_->paths().ChunkFile(id), offset));
  }

  testing::TempDir dir_;
  std::unique_ptr<ChunkStore> store_;
};

TEST_F(ChunkStoreTest, RoundTripsEverySizeAndRange) {
  for (int64_t size : {int64_t{0}, int64_t{1}, kBlockSize - 1, kBlockSize, kBlockSize + 1,
                       3 * kBlockSize + 5, int64_t{2} << 20}) {
    SCOPED_TRACE(size);
    std::string data = RandomBytes(static_cast<size_t>(size), static_cast<uint32_t>(size));
    std::string id = common::Sha256::Hex(data);
    ASSERT_OK_AND_ASSIGN(bool stored, Put(data));
    EXPECT_TRUE(stored);
    ASSERT_OK_AND_ASSIGN(std::string back, Get(id));
    EXPECT_EQ(common::Sha256::Hex(back), id);
    EXPECT_EQ(*store_->Size(id), size);
    EXPECT_OK(store_->Verify(id));
    if (size > 10) {
      // Ranges inside one block, across blocks, and at the very end.
      for (auto [offset, length] : std::vector<std::pair<int64_t, int64_t>>{
               {3, 5}, {size / 2, size / 3}, {size - 1, 1}, {0, size}, {size, 0}}) {
        ASSERT_OK_AND_ASSIGN(std::string part, Get(id, offset, length));
        EXPECT_EQ(part, data.substr(static_cast<size_t>(offset), static_cast<size_t>(length)));
      }
    }
  }
  EXPECT_EQ(store_->Stats().chunks, 7);
  EXPECT_EQ(FilesIn(store_->paths().TmpDir()), 0u);
}

TEST_F(ChunkStoreTest, SecondWriteOfSameChunkIsNotNew) {
  std::string data = RandomBytes(1000, 1);
  ASSERT_OK_AND_ASSIGN(bool first, Put(data));
  ASSERT_OK_AND_ASSIGN(bool second, Put(data));
  EXPECT_TRUE(first);
  EXPECT_FALSE(second);
  EXPECT_EQ(store_->Stats().bytes_used, 1000);
  EXPECT_EQ(FilesIn(store_->paths().TmpDir()), 0u);
}

TEST_F(ChunkStoreTest, HashMismatchShortAndLongBodiesLeaveNothing) {
  std::string data = RandomBytes(5000, 2);
  std::string id = common::Sha256::Hex(data);
  std::string other = common::Sha256::Hex("something else");
  EXPECT_STATUS(Put(data, other), absl::StatusCode::kInvalidArgument, "SHA-256");
  {
    ASSERT_OK_AND_ASSIGN(auto writer, store_->BeginWrite(id, 5000));
    ASSERT_OK(writer->Append(std::string_view(data).substr(0, 4000)));
    EXPECT_STATUS(writer->Commit(), absl::StatusCode::kInvalidArgument, "short body");
  }
  {
    ASSERT_OK_AND_ASSIGN(auto writer, store_->BeginWrite(id, 10));
    EXPECT_STATUS(writer->Append(data), absl::StatusCode::kInvalidArgument, "longer");
  }
  {
    // Abandoned mid-way (a client that disconnects).
    ASSERT_OK_AND_ASSIGN(auto writer, store_->BeginWrite(id, 5000));
    ASSERT_OK(writer->Append(std::string_view(data).substr(0, 100)));
  }
  EXPECT_STATUS(store_->Size(id), absl::StatusCode::kNotFound, "");
  EXPECT_STATUS(store_->Size(other), absl::StatusCode::kNotFound, "");
  EXPECT_EQ(FilesIn(store_->paths().TmpDir()), 0u);
  EXPECT_EQ(FilesIn(store_->paths().ChunksDir()), 0u);
  EXPECT_EQ(store_->Stats().available_bytes, store_->Stats().available_bytes)
      << "reservations released";
}

TEST_F(ChunkStoreTest, CapacityAndInFlightWritesAreEnforced) {
  Reopen(/*capacity=*/ChunkFileSize(1000) + ChunkFileSize(500));
  const int64_t before = store_->Stats().available_bytes;
  ASSERT_OK_AND_ASSIGN(auto held, store_->BeginWrite(common::Sha256::Hex("a"), 1000));
  EXPECT_EQ(store_->Stats().available_bytes, before - ChunkFileSize(1000))
      << "an in-flight write holds its space";
  EXPECT_STATUS(store_->BeginWrite(common::Sha256::Hex("b"), 1000),
                absl::StatusCode::kResourceExhausted, "not enough space");
  held.reset();
  EXPECT_EQ(store_->Stats().available_bytes, before);
  ASSERT_OK(Put(RandomBytes(1000, 3)));
  EXPECT_STATUS(Put(RandomBytes(1000, 4)), absl::StatusCode::kResourceExhausted, "");
  EXPECT_STATUS(store_->BeginWrite(common::Sha256::Hex("c"), (8 << 20) + 1),
                absl::StatusCode::kInvalidArgument, "outside");
}

TEST_F(ChunkStoreTest, DeleteIsIdempotent) {
  std::string data = RandomBytes(3000, 5);
  std::string id = common::Sha256::Hex(data);
  ASSERT_OK(Put(data));
  EXPECT_TRUE(*store_->Delete(id));
  EXPECT_FALSE(*store_->Delete(id));
  EXPECT_STATUS(Get(id), absl::StatusCode::kNotFound, "");
  EXPECT_FALSE(fs::exists(store_->paths().ChunkFile(id)));
  EXPECT_EQ(store_->Stats().bytes_used, 0);
}

TEST_F(ChunkStoreTest, CorruptDataIsQuarantinedAndNeverServed) {
  std::string data = RandomBytes(3 * kBlockSize, 6);
  std::string id = common::Sha256::Hex(data);
  ASSERT_OK(Put(data));
  FlipByte(id, 2 * kBlockSize + 7);
  // A range in an intact block still reads; the bad block never does.
  ASSERT_OK_AND_ASSIGN(std::string first_block, Get(id, 0, 100));
  EXPECT_EQ(first_block, data.substr(0, 100));
  std::string served;
  Status status = store_->Read(id, 0, 3 * kBlockSize, [&](std::string_view piece) {
    served.append(piece);
    return true;
  });
  EXPECT_STATUS(status, absl::StatusCode::kDataLoss, "block 2");
  EXPECT_EQ(served, "") << "the whole 1 MiB window failed, so nothing of it was passed on";
  EXPECT_STATUS(store_->Size(id), absl::StatusCode::kNotFound, "");
  EXPECT_FALSE(fs::exists(store_->paths().ChunkFile(id)));
  EXPECT_EQ(FilesIn(store_->paths().QuarantineDir()), 1u);
  EXPECT_EQ(store_->corrupt_total(), 1);
}

TEST_F(ChunkStoreTest, VerifyCatchesCorruptionAndDamagedTrailers) {
  std::string a = RandomBytes(5000, 7), b = RandomBytes(5000, 8), c = RandomBytes(5000, 9);
  for (const auto& d : {a, b, c}) ASSERT_OK(Put(d));
  FlipByte(common::Sha256::Hex(a), 10);
  EXPECT_STATUS(store_->Verify(common::Sha256::Hex(a)), absl::StatusCode::kDataLoss, "");
  FlipByte(common::Sha256::Hex(b), 5000 + 1);  // in the CRC array
  EXPECT_STATUS(store_->Verify(common::Sha256::Hex(b)), absl::StatusCode::kDataLoss, "trailer");
  fs::resize_file(store_->paths().ChunkFile(common::Sha256::Hex(c)), 4000);  // truncated
  EXPECT_STATUS(Get(common::Sha256::Hex(c)), absl::StatusCode::kDataLoss, "");
  EXPECT_EQ(store_->Stats().chunks, 0);
  EXPECT_EQ(FilesIn(store_->paths().QuarantineDir()), 3u);
}

TEST_F(ChunkStoreTest, RestartScansChunksAndRemovesTempFiles) {
  std::string a = RandomBytes(70000, 10), b = RandomBytes(10, 11);
  ASSERT_OK(Put(a));
  ASSERT_OK(Put(b));
  // What a kill -9 mid-write leaves, and a stray file that is not a chunk.
  std::ofstream(store_->paths().TmpDir() + "/" + common::Sha256::Hex("x") + ".123") << "partial";
  fs::create_directories(store_->paths().ChunksDir() + "/zz/zz");
  std::ofstream(store_->paths().ChunksDir() + "/zz/zz/not-a-chunk") << "junk";

  Reopen();
  EXPECT_EQ(FilesIn(store_->paths().TmpDir()), 0u);
  std::vector<ChunkInfo> listed = store_->List();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(store_->Stats().bytes_used, 70010);
  ASSERT_OK_AND_ASSIGN(std::string back, Get(common::Sha256::Hex(a)));
  EXPECT_EQ(back, a);
  EXPECT_FALSE(fs::exists(store_->paths().ChunksDir() + "/zz/zz/not-a-chunk"));
  EXPECT_EQ(FilesIn(store_->paths().QuarantineDir()), 1u);
}

TEST_F(ChunkStoreTest, BadIdsNeverTouchAPath) {
  const std::string bad_ids[] = {
      "",
      "..",
      "../../../../etc/passwd",
      std::string(62, 'a') + "/x",
      std::string(63, 'a') + std::string(1, '\0'),
      std::string(64, 'A'),
      std::string(63, 'a'),
      std::string(65, 'a'),
      std::string(64, 'g'),
  };
  for (const std::string& id : bad_ids) {
    SCOPED_TRACE(id);
    EXPECT_STATUS(store_->BeginWrite(id, 1), absl::StatusCode::kInvalidArgument, "chunk_id");
    EXPECT_STATUS(store_->Size(id), absl::StatusCode::kInvalidArgument, "chunk_id");
    EXPECT_STATUS(store_->Delete(id), absl::StatusCode::kInvalidArgument, "chunk_id");
    EXPECT_STATUS(store_->Read(id, 0, 0, [](std::string_view) { return true; }),
                  absl::StatusCode::kInvalidArgument, "chunk_id");
  }
  EXPECT_EQ(FilesIn(dir_.path()), 0u);
}

TEST_F(ChunkStoreTest, ConcurrentWritesOfOneChunk) {
  std::string data = RandomBytes(200000, 12);
  std::vector<std::thread> threads;
  std::atomic<int> newly{0}, ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto stored = Put(data);
      if (stored.ok()) {
        ++ok;
        if (*stored) ++newly;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(newly.load(), 1);
  EXPECT_EQ(store_->Stats().chunks, 1);
  ASSERT_OK_AND_ASSIGN(std::string back, Get(common::Sha256::Hex(data)));
  EXPECT_EQ(back, data);
  EXPECT_EQ(FilesIn(store_->paths().TmpDir()), 0u);
}

TEST_F(ChunkStoreTest, ReaderThatStopsIsCancelled) {
  std::string data = RandomBytes(3 << 20, 13);
  ASSERT_OK(Put(data));
  int pieces = 0;
  EXPECT_STATUS(store_->Read(common::Sha256::Hex(data), 0, 3 << 20,
                             [&](std::string_view) { return ++pieces < 2; }),
                absl::StatusCode::kCancelled, "");
  EXPECT_EQ(pieces, 2);
  EXPECT_STATUS(
      store_->Read(common::Sha256::Hex(data), 10, 3 << 20, [](std::string_view) { return true; }),
      absl::StatusCode::kOutOfRange, "");
}

}  // namespace
}  // namespace gale::node
