#pragma once

#include <grpcpp/grpcpp.h>

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

}  // namespace gale::common
