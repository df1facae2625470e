#include "client/chunk_transport.h"

#include "common/net_address.h"
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

std::unique_ptr<httplib::Client> ChunkTransport::Acquire(const std::string& address) {
  {
    absl::MutexLock lock(&mu_);
    auto& idle = idle_[address];
    if (!idle.empty()) {
      auto client = std::move(idle.back());
      idle.pop_back();
      return client;
    }
  }
  auto hp = common::ParseHostPort(address);
  auto client =
      std::make_unique<httplib::Client>(hp.ok() ? hp->host : address, hp.ok() ? hp->port : 80);
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

Status ChunkTransport::Put(const std::string& address, const std::string& id,
                           std::string_view data) {
  auto client = Acquire(address);
  auto res = client->Put(StrCat("/v1/chunks/", id).c_str(), data.data(), data.size(),
                         "application/octet-stream");
  if (!res) {
    return absl::UnavailableError(
        StrCat("node ", address, " unreachable: ", httplib::to_string(res.error())));
  }
  Status status =
      res->status == 200 || res->status == 201 ? absl::OkStatus() : NodeError(address, *res);
  Release(address, std::move(client));
  return status;
}

Result<std::string> ChunkTransport::Get(const std::string& address, const std::string& id) {
  auto client = Acquire(address);
  auto res = client->Get(StrCat("/v1/chunks/", id).c_str());
  if (!res) {
    return absl::UnavailableError(
        StrCat("node ", address, " unreachable: ", httplib::to_string(res.error())));
  }
  if (res->status != 200) {
    Status error = NodeError(address, *res);
    Release(address, std::move(client));
    return error;
  }
  std::string body = std::move(res->body);
  Release(address, std::move(client));
  return body;
}

}  // namespace gale::client
