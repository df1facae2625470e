#include "node/scrubber.h"

#include <gtest/gtest.h>

#include "common/sha256.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/flip_byte.h"
#include "tests/testing/random_data.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::node {
namespace {

// Records what the store tells its listener.
class Recorder final : public ChunkListener {
 public:
  void OnStored(const std::string&, int64_t) override {}
  void OnDeleted(const std::string&) override {}
  void OnCorrupt(const std::string& id) override {
    absl::MutexLock lock(&mu_);
    corrupt_.push_back(id);
  }
  std::vector<std::string> corrupt() {
    absl::MutexLock lock(&mu_);
    return corrupt_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> corrupt_;
};

class ScrubberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ChunkStoreOptions options;
    options.data_dir = dir_.path();
    options.reserve_bytes = 0;
    ASSERT_OK_AND_ASSIGN(store_, ChunkStore::Open(options));
    store_->SetListener(&recorder_);
    for (int i = 0; i < 10; ++i) {  // ten chunks of 100 KB
      std::string data = testing::RandomBytes(100000, i);
      ids_.push_back(common::Sha256::Hex(data));
      ASSERT_OK_AND_ASSIGN(auto writer, store_->BeginWrite(ids_.back(), 100000));
      ASSERT_OK(writer->Append(data));
      ASSERT_OK(writer->Commit());
    }
    std::sort(ids_.begin(), ids_.end());
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  Recorder recorder_;
  std::unique_ptr<ChunkStore> store_;
  std::vector<std::string> ids_;
};

TEST_F(ScrubberTest, VerifiesAtTheBudgetAndQuarantinesRot) {
  ASSERT_TRUE(testing::FlipByte(store_->paths().ChunkFile(ids_[3]), 5));
  ASSERT_TRUE(testing::FlipByte(store_->paths().ChunkFile(ids_[8]), 99999));
  Scrubber scrubber(store_.get(), &clock_, {250000, absl::Seconds(1), absl::Hours(1)});
  ASSERT_OK(scrubber.RunOnce());
  // 250 KB of credit: three chunks (the third overdraws it by 50 KB).
  EXPECT_EQ(scrubber.scrubbed_bytes_total(), 300000);
  ASSERT_OK(scrubber.RunOnce());  // 200 KB of credit left after the overdraft
  EXPECT_EQ(scrubber.scrubbed_bytes_total(), 500000);
  EXPECT_EQ(recorder_.corrupt(), std::vector<std::string>{ids_[3]});
  for (int i = 0; i < 3; ++i) ASSERT_OK(scrubber.RunOnce());
  EXPECT_EQ(scrubber.passes_total(), 1);
  EXPECT_EQ(scrubber.scrubbed_bytes_total(), 1000000);
  EXPECT_EQ(scrubber.corrupt_found_total(), 2);
  EXPECT_EQ(recorder_.corrupt(), (std::vector<std::string>{ids_[3], ids_[8]}));
  EXPECT_EQ(store_->List().size(), 8u) << "bad copies are never served again";

  // The next pass waits for its interval.
  ASSERT_OK(scrubber.RunOnce());
  EXPECT_EQ(scrubber.scrubbed_bytes_total(), 1000000);
  clock_.Advance(absl::Hours(1));
  ASSERT_OK(scrubber.RunOnce());
  EXPECT_GT(scrubber.scrubbed_bytes_total(), 1000000);
}

TEST_F(ScrubberTest, ZeroRateIsOff) {
  Scrubber scrubber(store_.get(), &clock_, {0, absl::Seconds(1), absl::ZeroDuration()});
  ASSERT_OK(scrubber.RunOnce());
  EXPECT_EQ(scrubber.scrubbed_bytes_total(), 0);
}

}  // namespace
}  // namespace gale::node
