#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bench/load.h"
#include "common/status.h"

namespace gale::bench {

// The baselines every headline figure is divided by, measured in the same
// run on the same machine, so that the ratios hold on any machine.

// grpc.health.v1.Health/Check on `channel` in a closed loop: what a unary
// call costs on the coordinator's own gRPC server with no work behind it.
LoadResult NoopGrpcCalls(const std::shared_ptr<grpc::Channel>& channel, const LoadOptions& options);

struct DiskFigures {
  double write_mib_per_second = 0;  // of `data`, however many copies
  double read_mib_per_second = 0;   // of one copy
};

// Writes `data` as plain files of `chunk_bytes`, `copies` times over (one
// directory per copy), each with write + fdatasync + rename on `streams`
// threads, then reads one copy back (from the page cache, as a node's
// freshly written chunks would be); removes what it wrote.
Result<DiskFigures> DiskBaseline(std::string_view data, int64_t chunk_bytes, int copies,
                                 int streams, const std::string& dir);

// MiB/s of `data` sent through plain loopback TCP connections, one per
// stream, in `chunk_bytes` writes.
Result<double> TcpCopyMibPerSecond(std::string_view data, int64_t chunk_bytes, int streams);

}  // namespace gale::bench
