#include "common/http_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <regex>

#include "absl/time/clock.h"
#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::common {
namespace {

// "/api/v1/nodes/{id}/heartbeat" -> "/api/v1/nodes/([^/]+)/heartbeat";
// "{id*}" also takes slashes, so that a malformed id reaches the handler's
// validation (and its clear error) instead of missing the route.
std::string PatternFromRoute(std::string_view route) {
  static const std::regex kGreedy(R"(\{[a-z_]+\*\})");
  static const std::regex kPlaceholder(R"(\{[a-z_]+\})");
  std::string pattern = std::regex_replace(std::string(route), kGreedy, "(.+)");
  return std::regex_replace(pattern, kPlaceholder, "([^/]+)");
}

}  // namespace

std::string DescribeException(std::exception_ptr exception) {
  try {
    std::rethrow_exception(exception);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
  }
  return "unknown exception";
}

void SendJson(httplib::Response& res, int http_status, const nlohmann::json& body) {
  res.status = http_status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

void SendJsonText(httplib::Response& res, int http_status, std::string body) {
  res.status = http_status;
  res.body = std::move(body);
  res.set_header("Content-Type", "application/json");
}

void SendError(httplib::Response& res, const Status& status) {
  SendJson(res, HttpStatusForCode(status.code()),
           {{"error", ErrorNameForCode(status.code())}, {"details", status.message()}});
}

HttpServer::HttpServer(std::string name, HttpServerOptions options, RequestMetrics* metrics)
    : name_(std::move(name)),
      metrics_(metrics),
      max_body_bytes_(options.max_body_bytes),
      authorize_(std::move(options.authorize)),
      cors_allowed_origins_(std::move(options.cors_allowed_origins)) {
  if (options.tls.serves_tls()) {
    const TlsOptions& tls = options.tls;
    server_ = std::make_unique<httplib::SSLServer>(
        tls.cert_file.c_str(), tls.key_file.c_str(),
        tls.require_client_cert ? tls.ca_file.c_str() : nullptr);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  if (options.rate_limit_per_second > 0 && options.clock != nullptr) {
    rate_limiter_ = std::make_unique<ClientRateLimiter>(options.rate_limit_per_second,
                                                        options.rate_limit_burst, options.clock);
  }
  server_->set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return PreRoute(req, res); });
  server_->set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (OriginAllowed(req)) {
      res.set_header("Access-Control-Allow-Origin", req.get_header_value("Origin"));
      res.set_header("Vary", "Origin");
    }
  });
  const int threads = options.threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_tcp_nodelay(true);
  // The library's default also sets SO_REUSEPORT, with which a second server
  // on a port in use binds too and the kernel splits connections between them.
  server_->set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_socket_ = sock;
  });
  server_->set_payload_max_length(std::max(options.max_body_bytes, options.max_stream_bytes));
  auto seconds = [](absl::Duration d) { return absl::ToInt64Seconds(d); };
  auto micros = [](absl::Duration d) { return absl::ToInt64Microseconds(d) % 1000000; };
  server_->set_read_timeout(seconds(options.read_timeout), micros(options.read_timeout));
  server_->set_write_timeout(seconds(options.write_timeout), micros(options.write_timeout));
  server_->set_keep_alive_timeout(seconds(options.keep_alive_timeout));
  server_->set_keep_alive_max_count(options.keep_alive_max_count);

  // Called for every answer with status >= 400; fills in a JSON body where the
  // library produced none (413, a malformed request line).
  server_->set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 404) {
          AnswerUnmatched(req, res);
        } else if (res.status == 413) {
          SendJson(res, 413,
                   {{"error", "payload too large"},
                    {"details", "request body is larger than the server accepts"}});
        } else {
          SendJson(res, res.status,
                   {{"error", "bad request"},
                    {"details", StrCat("the server answered HTTP ", res.status)}});
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_->set_exception_handler(
      [this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        const std::string what = DescribeException(ep);
        spdlog::error("{}: {} {} failed: {}", name_, req.method, req.path, what);
        SendError(res, absl::InternalError(what));
      });
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::AnswerUnmatched(const httplib::Request& req, httplib::Response& res) {
  SendJson(
      res, 404,
      {{"error", "not found"}, {"details", StrCat("no route for ", req.method, " ", req.path)}});
  if (metrics_ != nullptr) metrics_->Record("unmatched", "404", absl::ZeroDuration());
}

bool HttpServer::OriginAllowed(const httplib::Request& req) const {
  if (cors_allowed_origins_.empty() || !req.has_header("Origin")) return false;
  const std::string origin = req.get_header_value("Origin");
  return std::find(cors_allowed_origins_.begin(), cors_allowed_origins_.end(), origin) !=
         cors_allowed_origins_.end();
}

httplib::Server::HandlerResponse HttpServer::PreRoute(const httplib::Request& req,
                                                      httplib::Response& res) {
  if (rate_limiter_ != nullptr) {
    const absl::Duration wait = rate_limiter_->Acquire(req.remote_addr);
    if (wait > absl::ZeroDuration()) {
      const int64_t seconds =
          std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(wait, absl::Seconds(1))));
      res.set_header("Retry-After", StrCat(seconds));
      SendJson(res, 429,
               {{"error", "too many requests"},
                {"details", StrCat("this client address is over its request rate; retry in ",
                                   seconds, " s")}});
      if (metrics_ != nullptr) metrics_->Record("rate limited", "429", absl::ZeroDuration());
      return httplib::Server::HandlerResponse::Handled;
    }
  }
  if (req.method == "OPTIONS" && OriginAllowed(req)) {
    // A CORS preflight.
    res.status = 204;
    res.set_header("Access-Control-Allow-Origin", req.get_header_value("Origin"));
    res.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, Range");
    res.set_header("Access-Control-Max-Age", "600");
    res.set_header("Vary", "Origin");
    return httplib::Server::HandlerResponse::Handled;
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

void HttpServer::Get(std::string_view route, Handler handler) {
  Add("GET", route, std::move(handler));
}
void HttpServer::Post(std::string_view route, Handler handler) {
  Add("POST", route, std::move(handler));
}
void HttpServer::Put(std::string_view route, Handler handler) {
  Add("PUT", route, std::move(handler));
}
void HttpServer::Delete(std::string_view route, Handler handler) {
  Add("DELETE", route, std::move(handler));
}

template <typename H>
auto HttpServer::Timed(std::string_view method, std::string_view route, H handler) {
  return [this, method = std::string(method), route = std::string(route),
          label = StrCat(method, " ", route), handler = std::move(handler)](
             const httplib::Request& req, httplib::Response& res, auto&&... reader) {
    absl::Time start = absl::Now();
    Status allowed = authorize_ ? authorize_(method, route, req) : absl::OkStatus();
    if (allowed.ok()) {
      handler(req, res, reader...);
    } else {
      if (absl::IsUnauthenticated(allowed)) res.set_header("WWW-Authenticate", "Bearer");
      SendError(res, allowed);
    }
    if (metrics_ != nullptr) metrics_->Record(label, StrCat(res.status), absl::Now() - start);
  };
}

void HttpServer::Add(std::string_view method, std::string_view route, Handler handler) {
  if (method == "POST" || method == "PUT") {
    // Read the body here, within this server's limit for buffered bodies.
    const size_t limit = max_body_bytes_;
    AddStreaming(
        method, route,
        [limit, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res,
                                              const httplib::ContentReader& reader) {
          httplib::Request with_body = req;
          bool too_large = false;
          reader([&](const char* data, size_t length) {
            if (with_body.body.size() + length > limit) {
              too_large = true;
              return false;
            }
            with_body.body.append(data, length);
            return true;
          });
          if (too_large) {
            return SendJson(res, 413,
                            {{"error", "payload too large"},
                             {"details", StrCat("request body is larger than the ", limit,
                                                " bytes this route accepts")}});
          }
          handler(with_body, res);
        });
    return;
  }
  std::string pattern = PatternFromRoute(route);
  Handler wrapped = Timed(method, route, std::move(handler));
  if (method == "GET") {
    server_->Get(pattern, std::move(wrapped));
  } else {
    server_->Delete(pattern, std::move(wrapped));
  }
}

void HttpServer::AddStreaming(std::string_view method, std::string_view route,
                              StreamingHandler handler) {
  httplib::Server::HandlerWithContentReader wrapped = Timed(method, route, std::move(handler));
  if (method == "POST") {
    server_->Post(PatternFromRoute(route), std::move(wrapped));
  } else {
    server_->Put(PatternFromRoute(route), std::move(wrapped));
  }
}

void HttpServer::PutStreaming(std::string_view route, StreamingHandler handler) {
  AddStreaming("PUT", route, std::move(handler));
}

void HttpServer::PostStreaming(std::string_view route, StreamingHandler handler) {
  AddStreaming("POST", route, std::move(handler));
}

Result<int> HttpServer::Bind(const std::string& host, int port) {
  // Last, so that every registered route matches first.
  auto unmatched = [this](const httplib::Request& req, httplib::Response& res) {
    AnswerUnmatched(req, res);
  };
  // Bodies are not read: the answer does not depend on them.
  auto unmatched_with_body = [unmatched](const httplib::Request& req, httplib::Response& res,
                                         const httplib::ContentReader&) { unmatched(req, res); };
  server_->Get(".*", unmatched);
  server_->Delete(".*", unmatched);
  server_->Post(".*", unmatched_with_body);
  server_->Put(".*", unmatched_with_body);
  server_->Patch(".*", unmatched_with_body);
  if (!server_->is_valid()) {
    return absl::InvalidArgumentError(
        StrCat(name_,
               ": cannot serve TLS: tls.cert_file or tls.key_file is not a valid PEM "
               "certificate and key pair"));
  }
  int bound =
      port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(
        StrCat(name_, ": cannot listen on ", host, ":", port, " (in use or not permitted)"));
  }
  // The library listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, fixed
  // when Debian built it): a burst of connections would lose SYNs and stall
  // a second. listen() again on the listening socket raises it.
  if (listen_socket_ >= 0) ::listen(listen_socket_, kListenBacklog);
  port_ = bound;
  return bound;
}

void HttpServer::Start() {
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listen_returned_ = true;
  });
  // The socket already listens (Bind), so clients can connect; wait only so
  // that a Stop() right after Start() is not lost (httplib's stop() is a no-op
  // until the loop runs).
  while (!server_->is_running() && !listen_returned_)
    std::this_thread::sleep_for(std::chrono::microseconds(100));
}

void HttpServer::Stop() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gale::common
