#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/status.h"
#include "proto/coordinator.grpc.pb.h"

namespace gale::client {

// A gRPC connection to a Gale cluster's coordinators ("host:port[,host:port]"):
// each call goes to the coordinator that answered last and fails over to the
// next when one is unreachable. Thread-safe.
class CoordinatorClient {
 public:
  // Metadata sent with every call: credentials ("authorization",
  // "x-gale-join-token").
  using Metadata = std::vector<std::pair<std::string, std::string>>;

  // INVALID_ARGUMENT for a malformed address list. `credentials` null:
  // plain TCP.
  static Result<std::unique_ptr<CoordinatorClient>> Create(
      std::string_view addresses, absl::Duration call_timeout, Metadata metadata = {},
      std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

  using Call =
      std::function<grpc::Status(v1::Coordinator::Stub* stub, grpc::ClientContext* context)>;

  // Runs `call` with a fresh context (deadline = call timeout), retrying on
  // the other coordinators while the answer is UNAVAILABLE or
  // DEADLINE_EXCEEDED; each coordinator is tried at most once per Run.
  Status Run(const Call& call);

  // The coordinator that answered last.
  std::string current_address() const;
  const std::vector<std::string>& addresses() const { return addresses_; }

 private:
  CoordinatorClient(std::vector<std::string> addresses, absl::Duration call_timeout,
                    Metadata metadata,
                    const std::shared_ptr<grpc::ChannelCredentials>& credentials);

  const std::vector<std::string> addresses_;
  const absl::Duration call_timeout_;
  const Metadata metadata_;
  std::vector<std::unique_ptr<v1::Coordinator::Stub>> stubs_;
  std::atomic<size_t> current_{0};
};

}  // namespace gale::client
