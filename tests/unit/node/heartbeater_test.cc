#include "node/heartbeater.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/file_util.h"
#include "common/sha256.h"
#include "coordinator/coordinator.h"
#include "node/chunk_reporter.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::node {
namespace {

// A loopback port with nothing listening on it.
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A real coordinator in-process (fake clock), and the node's pieces around
// a Heartbeater.
class HeartbeaterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.bind_address = "127.0.0.1";
    options_.grpc_port = options_.http_port = options_.metrics_port = 0;
    options_.data_dir = dir_.Join("coordinator");
    options_.heartbeat_interval_ms = 100;
    options_.node_timeout_ms = 1000;
    options_.dead_after_ms = 5000;
    ASSERT_OK(options_.Finalize());
    coordinator_ = std::make_unique<coordinator::Coordinator>(options_, &clock_);
    ASSERT_OK(coordinator_->Start());
    // A restart comes back at the same address.
    options_.grpc_port = coordinator_->grpc_port();

    ChunkStoreOptions store_options;
    store_options.data_dir = dir_.Join("node");
    store_options.reserve_bytes = 0;
    ASSERT_OK_AND_ASSIGN(store_, ChunkStore::Open(store_options));
    for (const std::string data : {"one", "two", "three"}) {
      ASSERT_OK_AND_ASSIGN(auto writer, store_->BeginWrite(common::Sha256::Hex(data), data.size()));
      ASSERT_OK(writer->Append(data));
      ASSERT_OK(writer->Commit());
    }
    sampler_ = std::make_unique<StatsSampler>(store_.get(), &traffic_, &clock_);
    ASSERT_OK_AND_ASSIGN(identity_, NodeIdentity::Load(store_->paths()));
  }

  std::unique_ptr<Heartbeater> MakeHeartbeater(
      const std::string& addresses, absl::Duration full_report_interval = absl::Minutes(10)) {
    auto client = client::CoordinatorClient::Create(addresses, absl::Seconds(5));
    EXPECT_OK(client);
    client_ = *std::move(client);
    return std::make_unique<Heartbeater>(
        client_.get(), store_.get(), identity_.get(), sampler_.get(), &tasks_, nullptr, &clock_,
        HeartbeaterOptions{"127.0.0.1:9999", "zone-a", "1.2.3", 2, full_report_interval});
  }

  std::string CoordinatorAddress() {
    return "127.0.0.1:" + std::to_string(coordinator_->grpc_port());
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  coordinator::CoordinatorOptions options_;
  std::unique_ptr<coordinator::Coordinator> coordinator_;
  std::unique_ptr<ChunkStore> store_;
  DataTraffic traffic_;
  std::unique_ptr<StatsSampler> sampler_;
  std::unique_ptr<NodeIdentity> identity_;
  std::unique_ptr<client::CoordinatorClient> client_;
  TaskRunner tasks_{nullptr, nullptr, nullptr, 0};
};

TEST_F(HeartbeaterTest, RegistersSavesIdentityAndReportsChunks) {
  auto heartbeater = MakeHeartbeater(CoordinatorAddress());
  ASSERT_OK(heartbeater->RunOnce());
  EXPECT_TRUE(heartbeater->registered());
  const std::string id = identity_->node_id();
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(TrimWhitespace(*common::ReadFileToString(store_->paths().NodeIdFile())), id);
  EXPECT_FALSE(TrimWhitespace(*common::ReadFileToString(store_->paths().ClusterIdFile())).empty());

  ASSERT_OK_AND_ASSIGN(coordinator::NodeRecord node, coordinator_->registry()->Get(id));
  EXPECT_EQ(node.addresses, std::vector<std::string>{"127.0.0.1:9999"});
  EXPECT_EQ(node.zone, "zone-a");
  EXPECT_EQ(node.version, "1.2.3");
  ASSERT_OK_AND_ASSIGN(auto replicas, coordinator_->replicas()->ReplicasOn(id, "", 100));
  ASSERT_EQ(replicas.size(), 3u) << "reported in batches of 2";
  EXPECT_EQ(replicas[0].chunk_id, store_->List()[0].id);

  // The next run heartbeats with real stats.
  traffic_.bytes_sent += 5000;
  clock_.Advance(absl::Seconds(1));
  ASSERT_OK(heartbeater->RunOnce());
  ASSERT_OK_AND_ASSIGN(node, coordinator_->registry()->Get(id));
  EXPECT_EQ(node.stats.chunks_stored, 3);
  EXPECT_EQ(node.stats.storage_used, 11);
  EXPECT_EQ(node.stats.bandwidth_up, 5000);
  EXPECT_GT(node.stats.memory_usage, 0);
  EXPECT_GT(node.stats.storage_available, 0);
}

TEST_F(HeartbeaterTest, FullReportsRepeatAtTheirInterval) {
  auto heartbeater = MakeHeartbeater(CoordinatorAddress(), absl::Seconds(3));
  ASSERT_OK(heartbeater->RunOnce());
  const std::string id = identity_->node_id();
  // A change the coordinator never heard of (no listener here).
  const std::string gone = store_->List()[0].id;
  ASSERT_OK(store_->Delete(gone));
  for (int i = 0; i < 3; ++i) {  // heartbeats within the node timeout
    clock_.Advance(absl::Milliseconds(900));
    ASSERT_OK(heartbeater->RunOnce());
  }
  EXPECT_EQ(coordinator_->replicas()->TotalsOn(id)->chunks, 3) << "not yet";
  clock_.Advance(absl::Milliseconds(900));
  ASSERT_OK(heartbeater->RunOnce());
  EXPECT_EQ(coordinator_->registry()->Get(id)->state, coordinator::NodeState::kActive);
  ASSERT_OK_AND_ASSIGN(auto replicas, coordinator_->replicas()->ReplicasOn(id, "", 100));
  ASSERT_EQ(replicas.size(), 2u);
  for (const auto& r : replicas) EXPECT_NE(r.chunk_id, gone);
}

// What a coordinator held only in memory (copies of uploads not yet
// committed) dies with it: the node tells a new process everything it has.
TEST_F(HeartbeaterTest, ANewCoordinatorProcessGetsAFullReport) {
  auto heartbeater = MakeHeartbeater(CoordinatorAddress());
  ASSERT_OK(heartbeater->RunOnce());  // registers and reports
  const std::string id = identity_->node_id();
  // A change the coordinator never heard of (no listener here).
  const std::string gone = store_->List()[0].id;
  ASSERT_OK(store_->Delete(gone));
  for (int i = 0; i < 2; ++i) {
    clock_.Advance(absl::Milliseconds(100));
    ASSERT_OK(heartbeater->RunOnce());
  }
  EXPECT_EQ(coordinator_->replicas()->TotalsOn(id)->chunks, 3) << "the same process: no report";

  coordinator_.reset();
  coordinator_ = std::make_unique<coordinator::Coordinator>(options_, &clock_);
  ASSERT_OK(coordinator_->Start());
  clock_.Advance(absl::Milliseconds(100));
  ASSERT_OK(heartbeater->RunOnce());
  EXPECT_TRUE(heartbeater->registered()) << "known from the database: no new registration";
  ASSERT_OK_AND_ASSIGN(auto replicas, coordinator_->replicas()->ReplicasOn(id, "", 100));
  ASSERT_EQ(replicas.size(), 2u);
  for (const auto& r : replicas) EXPECT_NE(r.chunk_id, gone);
}

TEST_F(HeartbeaterTest, ReRegistersWhenDeclaredDeadAndKeepsItsId) {
  auto heartbeater = MakeHeartbeater(CoordinatorAddress());
  ASSERT_OK(heartbeater->RunOnce());
  const std::string id = identity_->node_id();
  clock_.Advance(absl::Seconds(6));  // past dead_after
  EXPECT_EQ(coordinator_->registry()->Get(id)->state, coordinator::NodeState::kDead);
  ASSERT_OK(heartbeater->RunOnce());
  EXPECT_EQ(identity_->node_id(), id);
  EXPECT_EQ(coordinator_->registry()->Get(id)->state, coordinator::NodeState::kActive);
  EXPECT_EQ(coordinator_->registry()->List().size(), 1u);
}

TEST_F(HeartbeaterTest, RefusesAnotherClustersCoordinator) {
  ASSERT_OK(identity_->SaveClusterId("some-other-cluster"));
  auto heartbeater = MakeHeartbeater(CoordinatorAddress());
  EXPECT_STATUS(heartbeater->RunOnce(), absl::StatusCode::kFailedPrecondition,
                "belongs to cluster some-other-cluster");
  EXPECT_FALSE(heartbeater->registered());
  EXPECT_TRUE(identity_->node_id().empty());
  EXPECT_TRUE(coordinator_->registry()->List().empty());
}

TEST_F(HeartbeaterTest, UnreachableCoordinatorIsRetriedAndFailsOver) {
  auto down = MakeHeartbeater(StrCat("127.0.0.1:", ClosedPort()));
  EXPECT_STATUS(down->RunOnce(), absl::StatusCode::kUnavailable, "no coordinator answered");
  EXPECT_EQ(down->failures_total(), 1);
  EXPECT_TRUE(identity_->node_id().empty());

  auto failover = MakeHeartbeater(StrCat("127.0.0.1:", ClosedPort(), ",", CoordinatorAddress()));
  ASSERT_OK(failover->RunOnce());
  EXPECT_EQ(client_->current_address(), CoordinatorAddress());
  EXPECT_FALSE(identity_->node_id().empty());
}

TEST_F(HeartbeaterTest, ChangesCountAsDeliveredOnlyOnceTheCoordinatorHasThem) {
  auto heartbeater = MakeHeartbeater(CoordinatorAddress());
  ASSERT_OK(heartbeater->RunOnce());
  const std::string id = identity_->node_id();
  ChunkReporter reporter(
      client_.get(), identity_.get(), [&] { return heartbeater->registered(); }, [] {}, [] {});
  EXPECT_TRUE(reporter.WaitDelivered(absl::ZeroDuration())) << "nothing queued";

  const std::string data = "a fourth chunk";
  const std::string chunk = common::Sha256::Hex(data);
  reporter.OnStored(chunk, static_cast<int64_t>(data.size()));
  EXPECT_FALSE(reporter.WaitDelivered(absl::ZeroDuration()));
  ASSERT_OK(reporter.RunOnce());
  EXPECT_TRUE(reporter.WaitDelivered(absl::ZeroDuration()));
  ASSERT_OK_AND_ASSIGN(auto replicas, coordinator_->replicas()->ReplicasOn(id, "", 100));
  EXPECT_TRUE(std::any_of(replicas.begin(), replicas.end(),
                          [&](const auto& r) { return r.chunk_id == chunk; }));

  // With the coordinator gone a change stays undelivered (and queued).
  coordinator_->Shutdown();
  reporter.OnDeleted(chunk);
  EXPECT_FALSE(reporter.RunOnce().ok());
  EXPECT_FALSE(reporter.WaitDelivered(absl::ZeroDuration()));
  EXPECT_EQ(reporter.queued(), 1u);
}

TEST(StatsSamplerTest, RatesCoverTheTimeSinceTheLastSample) {
  testing::TempDir dir;
  ChunkStoreOptions options;
  options.data_dir = dir.path();
  options.reserve_bytes = 0;
  options.capacity_bytes = 1 << 20;
  ASSERT_OK_AND_ASSIGN(auto store, ChunkStore::Open(options));
  testing::FakeClock clock;
  DataTraffic traffic;
  absl::Duration cpu = absl::Seconds(10);
  StatsSampler sampler(store.get(), &traffic, &clock, [&] { return ProcessUsage{cpu, 4096}; });
  traffic.bytes_received += 4000;
  traffic.bytes_sent += 8000;
  cpu += absl::Milliseconds(500);
  clock.Advance(absl::Seconds(2));
  NodeStatsSample sample = sampler.Sample();
  EXPECT_EQ(sample.bandwidth_down, 2000);
  EXPECT_EQ(sample.bandwidth_up, 4000);
  EXPECT_DOUBLE_EQ(sample.cpu_usage, 25.0);
  EXPECT_DOUBLE_EQ(sample.memory_usage, 4096);
  EXPECT_EQ(sample.uptime_seconds, 2);
  EXPECT_EQ(sample.storage_available, 1 << 20);

  clock.Advance(absl::Seconds(1));
  sample = sampler.Sample();
  EXPECT_EQ(sample.bandwidth_up, 0) << "nothing moved since the last sample";
  EXPECT_DOUBLE_EQ(sample.cpu_usage, 0);
  EXPECT_EQ(sample.uptime_seconds, 3);
}

TEST(ProcessUsageTest, ReadsThisProcess) {
  ProcessUsage usage = ReadProcessUsage();
  EXPECT_GT(usage.resident_bytes, 1 << 20);
  EXPECT_GE(usage.cpu_time, absl::ZeroDuration());
}

}  // namespace
}  // namespace gale::node
