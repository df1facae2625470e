#pragma once

#include <chrono>

#include "common/grpc_util.h"
#include "common/status.h"
#include "proto/coordinator.grpc.pb.h"

namespace gale::bench {

// One unary call of the coordinator's API with a deadline, its status turned
// into ours: Call(stub, &v1::Coordinator::Stub::GetFile, request, &response).
template <typename Request, typename Response, typename Method>
Status Call(v1::Coordinator::Stub* stub, Method method, const Request& request,
            Response* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return common::FromGrpcStatus((stub->*method)(&context, request, response));
}

}  // namespace gale::bench
