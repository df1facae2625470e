#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace gale::common {

// absl and gRPC number their codes identically (the one mapping of errors is
// in common/status.h); these only carry the message across.
inline grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

inline Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

// A channel to a Gale coordinator at `address` (host:port), set up to ride
// out coordinator restarts: reconnects within a second, retries calls that
// fail UNAVAILABLE (a connection broken by the restart) a few times with
// back-off, and uses its own subchannels, so it never inherits a connection
// another channel saw break. `credentials` null: insecure.
std::shared_ptr<grpc::Channel> CreateCoordinatorChannel(
    const std::string& address, std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

}  // namespace gale::common
