#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/client_rate_limiter.h"
#include "common/clock.h"
#include "common/request_metrics.h"
#include "common/status.h"
#include "common/tls.h"
#include "httplib.h"
#include "nlohmann/json.hpp"

namespace gale::common {

struct HttpServerOptions {
  int threads = 16;                   // worker threads (one per keep-alive connection)
  size_t max_body_bytes = 8 << 20;    // buffered bodies (Post, Put): larger get 413
  size_t max_stream_bytes = 8 << 20;  // streamed bodies (PutStreaming, PostStreaming)
  absl::Duration read_timeout = absl::Seconds(10);
  absl::Duration write_timeout = absl::Seconds(10);
  // An idle keep-alive connection holds a worker thread this long, and
  // cpp-httplib's stop() waits for it: keep it short.
  absl::Duration keep_alive_timeout = absl::Seconds(2);
  int keep_alive_max_count = 1000;

  // Called before every routed handler, before its body is read, with the
  // HTTP method and the route template; an error is the answer (401 with
  // WWW-Authenticate: Bearer). Null: every request goes ahead.
  std::function<Status(std::string_view method, std::string_view route, const httplib::Request&)>
      authorize;
  // Browser origins allowed to call (CORS: preflights answered, responses
  // marked); empty: none.
  std::vector<std::string> cors_allowed_origins;
  // Requests per second per client address (0: unlimited) and the burst;
  // beyond them 429 with Retry-After. `clock` is required when limited.
  int rate_limit_per_second = 0;
  int rate_limit_burst = 100;
  Clock* clock = nullptr;
  // Serves HTTPS when it has a certificate (client certificates demanded
  // with require_client_cert).
  TlsOptions tls;
};

// What an escaped exception says ("unknown exception" for a non-std one).
std::string DescribeException(std::exception_ptr exception);

// Answers with a JSON body.
void SendJson(httplib::Response& res, int http_status, const nlohmann::json& body);
// The same for a body already written as JSON text (JsonWriter).
void SendJsonText(httplib::Response& res, int http_status, std::string body);
// Answers {"error": <name of the code>, "details": <message>} with the HTTP
// status mapped from the Status code.
void SendError(httplib::Response& res, const Status& status);

// An HTTP/1.1 server (cpp-httplib) with its listening thread, JSON errors for
// unmatched routes, oversized bodies and escaped exceptions, and per-route
// request metrics. Register routes, Bind(), then Start(). Thread-safe after
// Start(); Stop() is idempotent.
class HttpServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  // For bodies too large to buffer: the handler pulls the body through the
  // ContentReader as it arrives.
  using StreamingHandler = std::function<void(const httplib::Request&, httplib::Response&,
                                              const httplib::ContentReader&)>;

  // `metrics` may be null (no request metrics).
  HttpServer(std::string name, HttpServerOptions options, RequestMetrics* metrics);
  ~HttpServer();

  // Routes are templates with {name} placeholders, "/api/v1/nodes/{id}"
  // ({name*} also matches slashes); the template is the metrics label, and
  // req.matches[i] holds the i-th placeholder's value.
  void Get(std::string_view route, Handler handler);
  void Post(std::string_view route, Handler handler);
  void Put(std::string_view route, Handler handler);
  void Delete(std::string_view route, Handler handler);
  void PutStreaming(std::string_view route, StreamingHandler handler);
  void PostStreaming(std::string_view route, StreamingHandler handler);

  // Binds host:port (port 0 picks a free one) with a backlog of
  // kListenBacklog and without SO_REUSEPORT, so a port in use is an error
  // (UNAVAILABLE naming it), never shared; returns the bound port. Call it
  // after registering every route: requests no route matches answer 404 JSON.
  Result<int> Bind(const std::string& host, int port);
  static constexpr int kListenBacklog = 1024;
  // Serves on a background thread.
  void Start();
  // Stops accepting and waits for the listening thread.
  void Stop();

  int port() const { return port_; }
  httplib::Server& raw() { return *server_; }

 private:
  // Registers `handler` for `method` on `route`, counting and timing each
  // request under the label "<method> <route>". POST and PUT bodies are read
  // here, up to max_body_bytes, so that the server-wide limit can be the
  // (larger) one of streamed routes.
  void Add(std::string_view method, std::string_view route, Handler handler);
  void AddStreaming(std::string_view method, std::string_view route, StreamingHandler handler);
  // Wraps a handler of either kind to authorize the request and record its
  // metrics under "<method> <route>".
  template <typename H>
  auto Timed(std::string_view method, std::string_view route, H handler);

  // CORS and rate limits, before routing: Handled when answered here.
  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req, httplib::Response& res);
  bool OriginAllowed(const httplib::Request& req) const;
  // 404 JSON naming the method and path, counted as "unmatched".
  void AnswerUnmatched(const httplib::Request& req, httplib::Response& res);

  const std::string name_;
  RequestMetrics* const metrics_;
  const size_t max_body_bytes_;
  const std::function<Status(std::string_view, std::string_view, const httplib::Request&)>
      authorize_;
  const std::vector<std::string> cors_allowed_origins_;
  std::unique_ptr<ClientRateLimiter> rate_limiter_;  // null: unlimited
  std::unique_ptr<httplib::Server> server_;          // an SSLServer with TLS
  int port_ = 0;
  // The listening socket, recorded as the library creates it (-1 before).
  std::atomic<int> listen_socket_{-1};
  std::atomic<bool> listen_returned_{false};
  std::thread thread_;
};

}  // namespace gale::common
