#include "client/chunk_transport.h"

#include "common/security.h"
#include "common/strings.h"
#include "nlohmann/json.hpp"

namespace gale::client {
namespace {

constexpr size_t kMaxIdlePerNode = 16;

// The node's JSON error as a Status with the code its HTTP status stands for.
Status NodeError(const std::string& address, const httplib::Response& res) {
  auto body = nlohmann::json::parse(res.body, nullptr, false);
  std::string details = body.is_object() ? body.value("details", "") : "";
  std::string message =
      StrCat("node ", address, " answered ", res.status, details.empty() ? "" : ": ", details);
  switch (res.status) {
    case 400:
    case 411:
    case 413:
      return absl::InvalidArgumentError(message);
    case 404:
      return absl::NotFoundError(message);
    case 507:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::UnavailableError(message);
  }
}

}  // namespace

std::unique_ptr<httplib::Client> ChunkTransport::Acquire(const std::string& address, bool* pooled) {
  {
    absl::MutexLock lock(&mu_);
    auto& idle = idle_[address];
    if (!idle.empty()) {
      auto client = std::move(idle.back());
      idle.pop_back();
      *pooled = true;
      return client;
    }
  }
  *pooled = false;
  return NewClient(address);
}

std::unique_ptr<httplib::Client> ChunkTransport::NewClient(const std::string& address) const {
  auto client = std::make_unique<httplib::Client>(
      StrCat(tls_.dials_tls() ? "https://" : "http://", address),
      tls_.presents_cert() ? tls_.cert_file : "", tls_.presents_cert() ? tls_.key_file : "");
  if (tls_.dials_tls()) {
    client->set_ca_cert_path(tls_.ca_file.c_str());
    client->enable_server_certificate_verification(true);
  }
  client->set_tcp_nodelay(true);
  client->set_keep_alive(true);
  client->set_connection_timeout(absl::ToInt64Seconds(timeout_), 0);
  client->set_read_timeout(absl::ToInt64Seconds(timeout_), 0);
  client->set_write_timeout(absl::ToInt64Seconds(timeout_), 0);
  return client;
}

void ChunkTransport::Release(const std::string& address, std::unique_ptr<httplib::Client> client) {
  absl::MutexLock lock(&mu_);
  auto& idle = idle_[address];
  if (idle.size() < kMaxIdlePerNode) idle.push_back(std::move(client));
}

Status ChunkTransport::Put(const std::string& address, const std::string& id, std::string_view data,
                           const std::string& write_grant) {
  bool pooled;
  auto client = Acquire(address, &pooled);
  httplib::Headers headers;
  if (!write_grant.empty()) headers.emplace(std::string(common::kWriteGrantHeader), write_grant);
  auto put = [&] {
    return client->Put(StrCat("/v1/chunks/", id).c_str(), headers, data.data(), data.size(),
                       "application/octet-stream");
  };
  auto res = put();
  if (!res && pooled) {
    // The node closed the idle connection (its keep-alive timeout): that
    // says nothing about the node, so once more on a new one. A PUT of a
    // content-addressed chunk is idempotent.
    client = NewClient(address);
    res = put();
  }
  if (!res) {
    return absl::UnavailableError(
        StrCat("node ", address, " unreachable: ", httplib::to_string(res.error())));
  }
  Status status =
      res->status == 200 || res->status == 201 ? absl::OkStatus() : NodeError(address, *res);
  Release(address, std::move(client));
  return status;
}

Result<std::string> ChunkTransport::Get(const std::string& address, const std::string& id,
                                        int64_t expected_size) {
  std::string body;
  if (expected_size > 0) body.reserve(static_cast<size_t>(expected_size));
  RETURN_IF_ERROR(Fetch(address, id, [&](std::string_view piece) {
    body.append(piece);
    return true;
  }));
  return body;
}

Status ChunkTransport::Fetch(const std::string& address, const std::string& id,
                             const std::function<bool(std::string_view)>& sink) {
  constexpr size_t kMaxErrorBody = 64 << 10;
  bool pooled;
  auto client = Acquire(address, &pooled);
  httplib::Response error;  // the status and body of a refusal
  bool stopped = false;
  auto get = [&] {
    return client->Get(
        StrCat("/v1/chunks/", id),
        [&](const httplib::Response& response) {
          error.status = response.status;
          return true;
        },
        [&](const char* data, size_t length) {
          if (error.status != 200) {
            if (error.body.size() < kMaxErrorBody) error.body.append(data, length);
            return true;
          }
          stopped = !sink(std::string_view(data, length));
          return !stopped;
        });
  };
  auto res = get();
  if (!res && pooled && error.status == 0) {
    // Closed while idle, before any answer: as in Put, once more.
    client = NewClient(address);
    res = get();
  }
  if (stopped) return absl::CancelledError(StrCat("reading chunk ", id, " stopped"));
  if (!res) {
    return absl::UnavailableError(
        StrCat("node ", address, " unreachable: ", httplib::to_string(res.error())));
  }
  Status status = res->status == 200 ? absl::OkStatus() : NodeError(address, error);
  Release(address, std::move(client));
  return status;
}

}  // namespace gale::client
