#include "node/data_api.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/sha256.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/testing/random_data.h"
#include "tests/testing/raw_socket.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace gale::node {
namespace {

using testing::RandomBytes;
namespace fs = std::filesystem;
using nlohmann::json;

// The data API on a real server on 127.0.0.1, over a real chunk store.
class DataApiTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(/*capacity=*/0); }

  void Start(int64_t capacity) {
    if (server_ != nullptr) server_->Stop();
    server_.reset();
    store_.reset();
    ChunkStoreOptions options;
    options.data_dir = dir_.Join("data");
    options.reserve_bytes = 0;
    options.capacity_bytes = capacity;
    options.max_chunk_bytes = 4 << 20;
    ASSERT_OK_AND_ASSIGN(store_, ChunkStore::Open(options));
    api_ = std::make_unique<DataApi>(store_.get(), &traffic_);
    common::HttpServerOptions http;
    http.threads = 8;
    http.max_stream_bytes = 4 << 20;
    server_ = std::make_unique<common::HttpServer>("data", http, nullptr);
    api_->Register(server_.get());
    ASSERT_OK_AND_ASSIGN(port_, server_->Bind("127.0.0.1", 0));
    server_->Start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }

  void TearDown() override { server_->Stop(); }

  httplib::Result Put(const std::string& id, const std::string& body) {
    return client_->Put(("/v1/chunks/" + id).c_str(), body, "application/octet-stream");
  }

  size_t TmpFiles() {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(store_->paths().TmpDir())) n += e.exists();
    return n;
  }

  testing::TempDir dir_;
  DataTraffic traffic_;
  std::unique_ptr<ChunkStore> store_;
  std::unique_ptr<DataApi> api_;
  std::unique_ptr<common::HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

TEST_F(DataApiTest, PutGetRangeHeadDelete) {
  std::string data = RandomBytes(300000, 1);
  std::string id = common::Sha256::Hex(data);
  auto put = Put(id, data);
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 201) << put->body;
  EXPECT_EQ(json::parse(put->body)["stored"], true);
  auto again = Put(id, data);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(json::parse(again->body)["stored"], false);

  auto get = client_->Get(("/v1/chunks/" + id).c_str());
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(common::Sha256::Hex(get->body), id);
  EXPECT_EQ(get->get_header_value("ETag"), "\"" + id + "\"");

  httplib::Headers range = {{"Range", "bytes=70000-140099"}};
  auto part = client_->Get(("/v1/chunks/" + id).c_str(), range);
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, data.substr(70000, 70100));
  EXPECT_EQ(part->get_header_value("Content-Range"), "bytes 70000-140099/300000");
  auto tail = client_->Get(("/v1/chunks/" + id).c_str(), {{"Range", "bytes=-10"}});
  EXPECT_EQ(tail->body, data.substr(data.size() - 10));
  auto unsatisfiable = client_->Get(("/v1/chunks/" + id).c_str(), {{"Range", "bytes=400000-"}});
  EXPECT_EQ(unsatisfiable->status, 416);

  auto head = client_->Head(("/v1/chunks/" + id).c_str());
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("Content-Length"), "300000");
  EXPECT_TRUE(head->body.empty());

  EXPECT_EQ(traffic_.bytes_received.load(), 600000);
  // Counted after each write to the socket returns, so possibly just after
  // the client has the bytes.
  EXPECT_TRUE(testing::WaitUntil([&] { return traffic_.bytes_sent.load() == 370110; }))
      << traffic_.bytes_sent.load();

  auto del = client_->Delete(("/v1/chunks/" + id).c_str());
  EXPECT_EQ(json::parse(del->body)["deleted"], true);
  del = client_->Delete(("/v1/chunks/" + id).c_str());
  EXPECT_EQ(del->status, 200);
  EXPECT_EQ(json::parse(del->body)["deleted"], false);
  EXPECT_EQ(client_->Get(("/v1/chunks/" + id).c_str())->status, 404);
  EXPECT_EQ(client_->Head(("/v1/chunks/" + id).c_str())->status, 404);
}

TEST_F(DataApiTest, EmptyChunk) {
  std::string id = common::Sha256::Hex("");
  EXPECT_EQ(Put(id, "")->status, 201);
  auto get = client_->Get(("/v1/chunks/" + id).c_str());
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "");
}

TEST_F(DataApiTest, BadRequestsGetJsonErrorsAndStoreNothing) {
  std::string data = RandomBytes(1000, 2);
  std::string id = common::Sha256::Hex(data);
  auto error_of = [](const httplib::Result& r) {
    return r ? json::parse(r->body, nullptr, false).value("details", "") : "no response";
  };
  for (const std::string& bad :
       {std::string("abc"), std::string(64, 'Z'), std::string(63, 'a'),
        std::string("..%2F..%2Fetc%2Fpasswd"), std::string(63, 'a') + "%00"}) {
    SCOPED_TRACE(bad);
    auto r = Put(bad, data);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_NE(error_of(r).find("chunk_id"), std::string::npos) << r->body;
    EXPECT_EQ(client_->Get(("/v1/chunks/" + bad).c_str())->status, 400);
    EXPECT_EQ(client_->Delete(("/v1/chunks/" + bad).c_str())->status, 400);
  }
  auto mismatch = Put(common::Sha256::Hex("other"), data);
  EXPECT_EQ(mismatch->status, 400);
  EXPECT_NE(error_of(mismatch).find("SHA-256"), std::string::npos);
  // The server answers 413 without reading the body, so the client may see
  // the answer or only the closed connection; never a stored chunk.
  auto too_big = Put(common::Sha256::Hex("x"), std::string((4 << 20) + 1, 'x'));
  if (too_big) {
    EXPECT_EQ(too_big->status, 413);
  }
  EXPECT_EQ(store_->Stats().chunks, 0);
  EXPECT_EQ(TmpFiles(), 0u);
}

TEST_F(DataApiTest, OutOfSpaceIs507) {
  Start(/*capacity=*/ChunkFileSize(1000));
  std::string a = RandomBytes(1000, 3), b = RandomBytes(1000, 4);
  EXPECT_EQ(Put(common::Sha256::Hex(a), a)->status, 201);
  auto full = Put(common::Sha256::Hex(b), b);
  EXPECT_EQ(full->status, 507);
  EXPECT_NE(full->body.find("not enough space"), std::string::npos);
}

TEST_F(DataApiTest, MissingLengthIs411) {
  testing::RawSocket socket(port_);
  ASSERT_TRUE(socket.connected());
  ASSERT_TRUE(socket.Send("PUT /v1/chunks/" + common::Sha256::Hex("abc") +
                          " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "3\r\nabc\r\n0\r\n\r\n"));
  std::string reply = socket.ReadUntil("}");
  EXPECT_NE(reply.find("HTTP/1.1 411"), std::string::npos) << reply;
  EXPECT_EQ(store_->Stats().chunks, 0);
}

TEST_F(DataApiTest, ExpectContinueRejectsBeforeTheBody) {
  std::string data = RandomBytes(5000, 5);
  std::string id = common::Sha256::Hex(data);
  auto expect = [&](const std::string& chunk_id, int64_t length) {
    testing::RawSocket socket(port_);
    socket.Send("PUT /v1/chunks/" + chunk_id + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                std::to_string(length) + "\r\nExpect: 100-continue\r\n\r\n");
    return socket.ReadUntil("\r\n\r\n");  // the status line and headers, without a body sent
  };
  EXPECT_NE(expect("nonsense", 10).find("HTTP/1.1 400"), std::string::npos);
  EXPECT_NE(expect(id, (4 << 20) + 1).find("HTTP/1.1 413"), std::string::npos);
  EXPECT_NE(expect(id, 5000).find("HTTP/1.1 100"), std::string::npos);
  ASSERT_EQ(Put(id, data)->status, 201);
  EXPECT_NE(expect(id, 5000).find("HTTP/1.1 200"), std::string::npos) << "already stored";
}

TEST_F(DataApiTest, ClientDisconnectingMidBodyLeavesNothing) {
  std::string data = RandomBytes(2 << 20, 6);
  std::string id = common::Sha256::Hex(data);
  {
    testing::RawSocket socket(port_);
    ASSERT_TRUE(socket.Send("PUT /v1/chunks/" + id + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                            std::to_string(data.size()) + "\r\n\r\n" + data.substr(0, 500000)));
    // The server has taken some of the body into a temp file...
    ASSERT_TRUE(testing::WaitUntil([&] { return traffic_.bytes_received.load() > 0; }));
  }  // ...and then the client is gone.
  ASSERT_TRUE(testing::WaitUntil([&] { return TmpFiles() == 0; }))
      << "the partial upload's temp file stays";
  EXPECT_STATUS(store_->Size(id), absl::StatusCode::kNotFound, "");
  // The server keeps serving.
  EXPECT_EQ(Put(id, data)->status, 201);
}

TEST_F(DataApiTest, ConcurrentPutsOfTheSameChunk) {
  std::string data = RandomBytes(1 << 20, 7);
  std::string id = common::Sha256::Hex(data);
  std::vector<std::thread> threads;
  std::atomic<int> created{0}, existed{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", port_);
      auto r = client.Put(("/v1/chunks/" + id).c_str(), data, "application/octet-stream");
      if (r && r->status == 201) ++created;
      if (r && r->status == 200) ++existed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(existed.load(), 5);
  auto get = client_->Get(("/v1/chunks/" + id).c_str());
  EXPECT_EQ(common::Sha256::Hex(get->body), id);
}

TEST_F(DataApiTest, CorruptChunkIsCutOffThenGone) {
  std::string data = RandomBytes(3 << 20, 8);
  std::string id = common::Sha256::Hex(data);
  ASSERT_EQ(Put(id, data)->status, 201);
  {
    std::fstream f(store_->paths().ChunkFile(id), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2 << 20);
    f.put('\x7f');
  }
  auto get = client_->Get(("/v1/chunks/" + id).c_str());
  // Either the transfer broke off or the body is short: never the bad bytes.
  if (get) {
    EXPECT_LT(get->body.size(), data.size());
    EXPECT_EQ(get->body, data.substr(0, get->body.size()));
  }
  EXPECT_EQ(client_->Get(("/v1/chunks/" + id).c_str())->status, 404) << "quarantined";
  EXPECT_EQ(store_->corrupt_total(), 1);
}

}  // namespace
}  // namespace gale::node
