// gale-data-bench: throughput of a node's data API (PUT and GET of chunks
// over HTTP on loopback, into a real chunk store on disk) next to baselines
// measured in the same run on the same machine: a raw loopback TCP copy of
// the same bytes, and write + fdatasync of the same bytes as plain files.
//
// Every loop is bounded by a count; all traffic goes to 127.0.0.1.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "common/http_server.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "httplib.h"
#include "node/chunk_store.h"
#include "node/data_api.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Chunk {
  std::string id;
  std::string data;
};

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Runs `work(stream)` on `streams` threads; returns wall seconds.
double RunStreams(int streams, const std::function<void(int)>& work) {
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) threads.emplace_back(work, s);
  for (auto& t : threads) t.join();
  return Seconds(start);
}

// Baseline: the same bytes over a plain loopback TCP connection per stream.
double RawTcp(const std::vector<Chunk>& chunks, int streams) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  ::listen(listener, streams);
  const size_t per_stream = chunks.size() / streams * chunks[0].data.size();
  std::thread server([&] {
    std::vector<std::thread> readers;
    for (int s = 0; s < streams; ++s) {
      int fd = ::accept(listener, nullptr, nullptr);
      readers.emplace_back([fd, per_stream] {
        std::vector<char> buf(1 << 20);
        size_t got = 0;
        while (got < per_stream) {
          ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
          if (n <= 0) break;
          got += static_cast<size_t>(n);
        }
        ::close(fd);
      });
    }
    for (auto& r : readers) r.join();
  });
  double seconds = RunStreams(streams, [&](int s) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    for (size_t i = s; i < chunks.size(); i += streams) {
      const std::string& d = chunks[i].data;
      size_t sent = 0;
      while (sent < d.size()) {
        ssize_t n = ::send(fd, d.data() + sent, d.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
    }
    ::shutdown(fd, SHUT_WR);
    char c;
    while (::recv(fd, &c, 1, 0) > 0) {
    }
    ::close(fd);
  });
  server.join();
  ::close(listener);
  return seconds;
}

// Baseline: write + fdatasync each chunk as a plain file, then rename.
double DiskWrite(const std::vector<Chunk>& chunks, int streams, const std::string& dir) {
  std::filesystem::create_directories(dir);
  return RunStreams(streams, [&](int s) {
    for (size_t i = s; i < chunks.size(); i += streams) {
      std::string path = dir + "/" + chunks[i].id;
      int fd = ::open((path + ".tmp").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const std::string& d = chunks[i].data;
      size_t done = 0;
      while (done < d.size()) {
        ssize_t n = ::write(fd, d.data() + done, d.size() - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      ::fdatasync(fd);
      ::close(fd);
      ::rename((path + ".tmp").c_str(), path.c_str());
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gale;
  CLI::App app{"gale-data-bench: node data API throughput against raw TCP and disk baselines"};
  int chunk_mib = 4;
  int chunks_per_stream = 32;
  std::string dir = "/tmp";
  int threads = 32;
  app.add_option("--chunk-mib", chunk_mib, "chunk size in MiB")->check(CLI::Range(1, 64));
  app.add_option("--chunks-per-stream", chunks_per_stream, "chunks each stream moves")
      ->check(CLI::Range(1, 1000));
  app.add_option("--dir", dir, "where the temporary chunk store lives");
  app.add_option("--threads", threads, "data API worker threads")->check(CLI::Range(2, 1024));
  CLI11_PARSE(app, argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  (void)common::InitLogging("warn", "text");

  const std::vector<int> stream_counts = {1, 4};
  const int max_streams = 4;
  const size_t total = static_cast<size_t>(max_streams * chunks_per_stream);
  std::printf("generating %zu chunks of %d MiB...\n", total, chunk_mib);
  std::vector<Chunk> chunks(total);
  std::mt19937_64 rng(42);
  for (auto& c : chunks) {
    c.data.resize(static_cast<size_t>(chunk_mib) << 20);
    for (size_t i = 0; i + 8 <= c.data.size(); i += 8) {
      uint64_t v = rng();
      std::memcpy(&c.data[i], &v, 8);
    }
    c.id = common::Sha256::Hex(c.data);
  }

  const std::string root = dir + "/gale-data-bench-" + std::to_string(::getpid());
  node::ChunkStoreOptions store_options;
  store_options.data_dir = root + "/store";
  store_options.reserve_bytes = 0;
  store_options.max_chunk_bytes = int64_t{chunk_mib} << 20;
  auto store = node::ChunkStore::Open(store_options);
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open store: %s\n", store.status().ToString().c_str());
    return 1;
  }
  node::DataTraffic traffic;
  node::DataApi api(store->get(), &traffic);
  common::HttpServerOptions http;
  http.threads = threads;
  http.max_stream_bytes = static_cast<size_t>(chunk_mib) << 20;
  common::HttpServer server("data", http, nullptr);
  api.Register(&server);
  int port = *server.Bind("127.0.0.1", 0);
  server.Start();

  std::printf("\n%-28s %8s %10s %10s\n", "measure", "streams", "GB/s", "vs TCP");
  for (int streams : stream_counts) {
    std::vector<Chunk> slice(chunks.begin(), chunks.begin() + streams * chunks_per_stream);
    const double bytes = static_cast<double>(slice.size()) * slice[0].data.size();
    const double tcp = bytes / RawTcp(slice, streams) / 1e9;
    const double disk = bytes / DiskWrite(slice, streams, root + "/disk") / 1e9;
    std::atomic<int> failures{0};
    const double put = bytes /
                       RunStreams(streams,
                                  [&](int s) {
                                    httplib::Client client("127.0.0.1", port);
                                    client.set_tcp_nodelay(true);
                                    client.set_keep_alive(true);
                                    for (size_t i = s; i < slice.size(); i += streams) {
                                      auto r =
                                          client.Put(("/v1/chunks/" + slice[i].id).c_str(),
                                                     slice[i].data, "application/octet-stream");
                                      if (!r || (r->status != 201 && r->status != 200)) ++failures;
                                    }
                                  }) /
                       1e9;
    const double get =
        bytes /
        RunStreams(streams,
                   [&](int s) {
                     httplib::Client client("127.0.0.1", port);
                     client.set_tcp_nodelay(true);
                     client.set_keep_alive(true);
                     for (size_t i = s; i < slice.size(); i += streams) {
                       auto r = client.Get(("/v1/chunks/" + slice[i].id).c_str());
                       if (!r || r->status != 200 || r->body.size() != slice[i].data.size())
                         ++failures;
                     }
                   }) /
        1e9;
    std::printf("%-28s %8d %10.2f %10s\n", "raw TCP copy (baseline)", streams, tcp, "1.00");
    std::printf("%-28s %8d %10.2f %10.2f\n", "write+fdatasync (baseline)", streams, disk,
                disk / tcp);
    std::printf("%-28s %8d %10.2f %10.2f   (%.2f of disk)\n", "PUT /v1/chunks", streams, put,
                put / tcp, put / disk);
    std::printf("%-28s %8d %10.2f %10.2f\n", "GET /v1/chunks (verified)", streams, get, get / tcp);
    if (failures > 0) std::printf("  %d requests FAILED\n", failures.load());
    for (const auto& c : slice) (void)(*store)->Delete(c.id);
    std::filesystem::remove_all(root + "/disk");
  }
  server.Stop();
  std::filesystem::remove_all(root);
  return 0;
}
