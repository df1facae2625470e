#pragma once

#include <string>

#include "bench/load.h"
#include "bench/sim_nodes.h"

namespace gale::bench {

// POST /api/v1/nodes/{id}/heartbeat (the body a ZephyrFS node sends) for
// `nodes` in turn, on the coordinator's REST server at host:port, in the
// closed loop `load` describes, one keep-alive connection per worker: what
// a small REST request costs on this machine. The control scenario's REST
// figure, and the baseline the s3 scenario's request rates are divided by.
LoadResult RestHeartbeats(const std::string& host, int port, const SimulatedNodes& nodes,
                          const LoadOptions& load);

}  // namespace gale::bench
