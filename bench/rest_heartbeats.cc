#include "bench/rest_heartbeats.h"

#include <memory>
#include <vector>

#include "common/strings.h"
#include "httplib.h"

namespace gale::bench {
namespace {

// The body a ZephyrFS node sends.
constexpr char kRestHeartbeat[] =
    R"({"stats":{"storage_used":0,"storage_available":1099511627776,"chunks_stored":0,)"
    R"("bandwidth_up":0,"bandwidth_down":0,"cpu_usage":1.5,"memory_usage":67108864,)"
    R"("uptime_seconds":60}})";

}  // namespace

LoadResult RestHeartbeats(const std::string& host, int port, const SimulatedNodes& nodes,
                          const LoadOptions& load) {
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int w = 0; w < load.concurrency; ++w) {
    clients.push_back(std::make_unique<httplib::Client>(host, port));
    clients.back()->set_keep_alive(true);
    clients.back()->set_tcp_nodelay(true);
  }
  return RunLoad(load, [&](int w, int64_t i) -> Status {
    auto r = clients[static_cast<size_t>(w)]->Post(
        StrCat("/api/v1/nodes/", nodes.id(static_cast<int>(i % nodes.count())), "/heartbeat"),
        kRestHeartbeat, "application/json");
    if (!r) return absl::UnavailableError(httplib::to_string(r.error()));
    if (r->status != 200) return absl::InternalError(StrCat("HTTP ", r->status, ": ", r->body));
    return absl::OkStatus();
  });
}

}  // namespace gale::bench
