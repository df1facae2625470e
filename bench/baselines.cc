#include "bench/baselines.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "bench/stats.h"
#include "common/file_util.h"
#include "common/strings.h"

namespace gale::bench {
namespace {

// Runs `work(stream)` on `streams` threads; returns wall seconds.
double TimeStreams(int streams, const std::function<void(int)>& work) {
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) threads.emplace_back(work, s);
  for (std::thread& t : threads) t.join();
  return absl::ToDoubleSeconds(absl::Now() - start);
}

bool WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

LoadResult NoopGrpcCalls(const std::shared_ptr<grpc::Channel>& channel,
                         const LoadOptions& options) {
  const grpc::internal::RpcMethod method("/grpc.health.v1.Health/Check",
                                         grpc::internal::RpcMethod::NORMAL_RPC);
  // An empty HealthCheckRequest (zero bytes, as one empty slice): the server
  // as a whole.
  grpc::Slice empty{std::string()};
  const grpc::ByteBuffer request(&empty, 1);
  return RunLoad(options, [&](int, int64_t) -> Status {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::ByteBuffer response;
    grpc::Status status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
        channel.get(), method, &context, request, &response);
    if (!status.ok()) return absl::UnavailableError(status.error_message());
    return absl::OkStatus();
  });
}

Result<DiskFigures> DiskBaseline(std::string_view data, int64_t chunk_bytes, int copies,
                                 int streams, const std::string& dir) {
  const size_t chunk = static_cast<size_t>(chunk_bytes);
  const size_t chunks = (data.size() + chunk - 1) / chunk;
  for (int c = 0; c < copies; ++c) RETURN_IF_ERROR(common::CreateDirectories(StrCat(dir, "/", c)));
  auto path = [&](int copy, size_t i) { return StrCat(dir, "/", copy, "/", i); };
  std::atomic<bool> failed{false};
  const double write_seconds = TimeStreams(streams, [&](int s) {
    for (size_t i = static_cast<size_t>(s); i < chunks; i += static_cast<size_t>(streams)) {
      std::string_view piece = data.substr(i * chunk, chunk);
      for (int c = 0; c < copies; ++c) {
        std::string final_path = path(c, i), tmp = final_path + ".tmp";
        int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || !WriteAll(fd, piece.data(), piece.size()) || ::fdatasync(fd) != 0 ||
            ::rename(tmp.c_str(), final_path.c_str()) != 0) {
          failed = true;
        }
        if (fd >= 0) ::close(fd);
      }
    }
  });
  std::atomic<int64_t> read_bytes{0};
  const double read_seconds = TimeStreams(streams, [&](int s) {
    std::vector<char> buf(chunk);
    for (size_t i = static_cast<size_t>(s); i < chunks; i += static_cast<size_t>(streams)) {
      int fd = ::open(path(0, i).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        failed = true;
        continue;
      }
      ssize_t n;
      while ((n = ::read(fd, buf.data(), buf.size())) > 0) read_bytes += n;
      ::close(fd);
    }
  });
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  if (failed || read_bytes != static_cast<int64_t>(data.size())) {
    return absl::InternalError(StrCat("disk baseline: cannot write and read back files in ", dir));
  }
  const double mib = static_cast<double>(data.size()) / kMiB;
  return DiskFigures{mib / write_seconds, mib / read_seconds};
}

Result<double> TcpCopyMibPerSecond(std::string_view data, int64_t chunk_bytes, int streams) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      ::listen(listener, streams) != 0) {
    if (listener >= 0) ::close(listener);
    return absl::InternalError("TCP baseline: cannot listen on 127.0.0.1");
  }
  const size_t chunk = static_cast<size_t>(chunk_bytes);
  const size_t chunks = (data.size() + chunk - 1) / chunk;
  std::atomic<int64_t> received{0};
  // Each connection is drained by a thread of its own until the sender
  // closes it.
  std::thread server([&] {
    std::vector<std::thread> readers;
    for (int s = 0; s < streams; ++s) {
      int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) break;
      readers.emplace_back([fd, &received] {
        std::vector<char> buf(1 << 20);
        ssize_t n;
        while ((n = ::recv(fd, buf.data(), buf.size(), 0)) > 0) received += n;
        ::close(fd);
      });
    }
    for (std::thread& t : readers) t.join();
  });
  const double seconds = TimeStreams(streams, [&](int s) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
      for (size_t i = static_cast<size_t>(s); i < chunks; i += static_cast<size_t>(streams)) {
        std::string_view piece = data.substr(i * chunk, chunk);
        size_t sent = 0;
        while (sent < piece.size()) {
          ssize_t n = ::send(fd, piece.data() + sent, piece.size() - sent, MSG_NOSIGNAL);
          if (n <= 0) break;
          sent += static_cast<size_t>(n);
        }
      }
      ::shutdown(fd, SHUT_WR);
      char c;
      while (::recv(fd, &c, 1, 0) > 0) {
      }
    }
    ::close(fd);
  });
  ::shutdown(listener, SHUT_RDWR);  // wakes an accept left waiting by a failed connect
  server.join();
  ::close(listener);
  if (received != static_cast<int64_t>(data.size())) {
    return absl::InternalError("TCP baseline: bytes lost on loopback");
  }
  return static_cast<double>(data.size()) / kMiB / seconds;
}

}  // namespace gale::bench
