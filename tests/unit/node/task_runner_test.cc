#include "node/task_runner.h"

#include <gtest/gtest.h>

#include "common/sha256.h"
#include "node/data_api.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/flip_byte.h"
#include "tests/testing/random_data.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace gale::node {
namespace {

std::unique_ptr<ChunkStore> OpenStore(const std::string& dir) {
  ChunkStoreOptions options;
  options.data_dir = dir;
  options.reserve_bytes = 0;
  auto store = ChunkStore::Open(options);
  EXPECT_OK(store);
  return store.ok() ? *std::move(store) : nullptr;
}

Status Put(ChunkStore* store, const std::string& data) {
  ASSIGN_OR_RETURN(auto writer,
                   store->BeginWrite(common::Sha256::Hex(data), static_cast<int64_t>(data.size())));
  RETURN_IF_ERROR(writer->Append(data));
  return writer->Commit().status();
}

// A source node (a chunk store behind the data API on 127.0.0.1) and the
// runner of another node's store.
class TaskRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = OpenStore(dir_.Join("source"));
    local_ = OpenStore(dir_.Join("local"));
    api_ = std::make_unique<DataApi>(source_.get(), &traffic_);
    server_ = std::make_unique<common::HttpServer>("data", common::HttpServerOptions{}, nullptr);
    api_->Register(server_.get());
    ASSERT_OK_AND_ASSIGN(int port, server_->Bind("127.0.0.1", 0));
    server_->Start();
    source_address_ = "127.0.0.1:" + std::to_string(port);
    runner_ = std::make_unique<TaskRunner>(local_.get(), transport_.get(), &unlimited_, 2);
  }
  void TearDown() override {
    runner_->Stop();
    runner_.reset();
    transport_.reset();  // closes its keep-alive connections, so the server stops at once
    server_->Stop();
  }

  v1::Task Task(const std::string& id, v1::TaskKind kind, const std::string& chunk_id,
                int64_t size = 0, std::vector<std::string> sources = {}) {
    v1::Task task;
    task.set_task_id(id);
    task.set_kind(kind);
    task.set_chunk_id(chunk_id);
    task.set_size(size);
    for (const auto& s : sources) task.add_sources(s);
    return task;
  }

  // Waits for `n` results in total and returns them by task id.
  std::map<std::string, v1::TaskResult> Results(size_t n) {
    std::map<std::string, v1::TaskResult> out;
    EXPECT_TRUE(testing::WaitUntil([&] {
      for (auto& r : runner_->TakeResults()) out[r.task_id()] = r;
      return out.size() >= n;
    }));
    return out;
  }

  std::string Read(ChunkStore* store, const std::string& id) {
    std::string out;
    auto size = store->Size(id);
    if (!size.ok()) return "<absent>";
    EXPECT_OK(store->Read(id, 0, *size, [&](std::string_view p) {
      out.append(p);
      return true;
    }));
    return out;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  DataTraffic traffic_;
  std::unique_ptr<ChunkStore> source_;
  std::unique_ptr<ChunkStore> local_;
  std::unique_ptr<DataApi> api_;
  std::unique_ptr<common::HttpServer> server_;
  std::string source_address_;
  std::unique_ptr<client::ChunkTransport> transport_ = std::make_unique<client::ChunkTransport>();
  common::RateLimiter unlimited_{0, &clock_};
  std::unique_ptr<TaskRunner> runner_;
};

TEST_F(TaskRunnerTest, ReplicatesFromTheFirstSourceThatServesIt) {
  const std::string data = testing::RandomBytes(300000, 1);
  const std::string id = common::Sha256::Hex(data);
  ASSERT_OK(Put(source_.get(), data));
  // The first source is down; the second serves it.
  runner_->Submit(
      {Task("t1", v1::TASK_KIND_REPLICATE, id, 300000, {"127.0.0.1:1", source_address_})});
  auto results = Results(1);
  ASSERT_TRUE(results["t1"].ok()) << results["t1"].error();
  EXPECT_EQ(common::Sha256::Hex(Read(local_.get(), id)), id);
  EXPECT_EQ(runner_->replicated_bytes_total(), 300000);

  // Repeated order ids are not run again; a new one for a chunk already here is done at once.
  runner_->Submit({Task("t1", v1::TASK_KIND_REPLICATE, id, 300000, {source_address_}),
                   Task("t2", v1::TASK_KIND_REPLICATE, id, 300000, {source_address_})});
  results = Results(1);
  EXPECT_TRUE(results.contains("t2") && results["t2"].ok());
  EXPECT_EQ(runner_->completed_total(), 2);
}

TEST_F(TaskRunnerTest, ReplicationFailsCleanlyWhenNoSourceHasGoodBytes) {
  const std::string data = testing::RandomBytes(200000, 2);
  const std::string id = common::Sha256::Hex(data);
  ASSERT_OK(Put(source_.get(), data));
  ASSERT_TRUE(testing::FlipByte(source_->paths().ChunkFile(id), 150000));
  const std::string missing = common::Sha256::Hex("nowhere");
  runner_->Submit({Task("bad", v1::TASK_KIND_REPLICATE, id, 200000, {source_address_}),
                   Task("absent", v1::TASK_KIND_REPLICATE, missing, 7, {source_address_}),
                   Task("none", v1::TASK_KIND_REPLICATE, missing, 7, {})});
  auto results = Results(3);
  EXPECT_FALSE(results["bad"].ok());
  EXPECT_FALSE(results["absent"].ok());
  EXPECT_NE(results["absent"].error().find("404"), std::string::npos) << results["absent"].error();
  EXPECT_FALSE(results["none"].ok());
  EXPECT_FALSE(local_->Size(id).ok()) << "no copy of bad bytes";
  EXPECT_TRUE(local_->List().empty());
  EXPECT_EQ(source_->corrupt_total(), 1) << "the source caught its own rot while serving";
}

TEST_F(TaskRunnerTest, VerifyAndDelete) {
  const std::string good = "good bytes", bad = "bad bytes";
  ASSERT_OK(Put(local_.get(), good));
  ASSERT_OK(Put(local_.get(), bad));
  ASSERT_TRUE(testing::FlipByte(local_->paths().ChunkFile(common::Sha256::Hex(bad)), 1));
  runner_->Submit({Task("v-good", v1::TASK_KIND_VERIFY, common::Sha256::Hex(good)),
                   Task("v-bad", v1::TASK_KIND_VERIFY, common::Sha256::Hex(bad)),
                   Task("v-gone", v1::TASK_KIND_VERIFY, common::Sha256::Hex("gone")),
                   Task("d-good", v1::TASK_KIND_DELETE, common::Sha256::Hex("gone"))});
  auto results = Results(4);
  EXPECT_TRUE(results["v-good"].ok());
  EXPECT_FALSE(results["v-bad"].ok());
  EXPECT_FALSE(results["v-gone"].ok());
  EXPECT_TRUE(results["d-good"].ok()) << "deleting what is not there is done";
  EXPECT_EQ(local_->List().size(), 1u) << "the bad copy is quarantined";
  runner_->Submit({Task("d", v1::TASK_KIND_DELETE, common::Sha256::Hex(good))});
  EXPECT_TRUE(Results(1)["d"].ok());
  EXPECT_TRUE(local_->List().empty());
}

TEST_F(TaskRunnerTest, StopInterruptsAThrottledCopy) {
  const std::string data = testing::RandomBytes(1 << 20, 3);
  ASSERT_OK(Put(source_.get(), data));
  common::RateLimiter slow(1, &clock_, absl::ZeroDuration());  // one byte per second
  runner_->Stop();
  runner_ = std::make_unique<TaskRunner>(local_.get(), transport_.get(), &slow, 1);
  runner_->Submit({Task("slow", v1::TASK_KIND_REPLICATE, common::Sha256::Hex(data), 1 << 20,
                        {source_address_})});
  ASSERT_TRUE(testing::WaitUntil([&] { return traffic_.bytes_sent.load() > 0; }));
  runner_->Stop();  // returns at once rather than after twelve days
  auto results = runner_->TakeResults();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].ok());
  EXPECT_TRUE(local_->List().empty());
}

}  // namespace
}  // namespace gale::node
