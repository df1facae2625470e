#include "node/node_options.h"

#include "common/logging.h"
#include "common/net_address.h"
#include "common/strings.h"

namespace gale::node {

void NodeOptions::AddToSchema(common::ConfigSchema* s) {
  constexpr int64_t kHour = 3600 * 1000;
  s->AddString("node.coordinator", "coordinator", &coordinator,
               "coordinator gRPC address(es), host:port[,host:port]; the node fails over");
  s->AddString("node.data_dir", "data-dir", &data_dir, "where chunks and the node's identity live",
               {"DATA_PATH"});
  s->AddString("node.bind_address", "bind-address", &bind_address,
               "address the data API and metrics servers listen on");
  s->AddString("node.advertise_address", "advertise-address", &advertise_address,
               "host[:port] clients and peers dial; default the bind address (required when "
               "binding 0.0.0.0)");
  s->AddInt("node.port", "port", &port, 0, 65535, "data API port (0: pick a free port)");
  s->AddInt("node.metrics_port", "metrics-port", &metrics_port, 0, 65535,
            "port of /metrics, /health, /ready, /live (0: pick a free port)", {"METRICS_PORT"});
  s->AddBytes("node.capacity_bytes", "capacity-bytes", &capacity_bytes, 0, INT64_MAX,
              "bytes of chunks this node may hold (0: the filesystem's size)");
  s->AddBytes("node.reserve_bytes", "reserve-bytes", &reserve_bytes, 0, INT64_MAX,
              "free filesystem space never used for chunks");
  s->AddString("node.zone", "zone", &zone, "failure-domain label (rack, zone) for placement");
  s->AddInt("node.heartbeat_interval_ms", "heartbeat-interval-ms", &heartbeat_interval_ms, 10,
            kHour, "how often the node heartbeats");
  s->AddString("node.info_file", "info-file", &info_file,
               "write bound ports, pid and node id here as JSON");
  s->AddBytes("node.max_chunk_bytes", "max-chunk-bytes", &max_chunk_bytes, 1, int64_t{1} << 30,
              "largest chunk accepted (larger uploads get 413)");
  s->AddInt("node.http_threads", "http-threads", &http_threads, 2, 4096,
            "data API worker threads (each keep-alive connection holds one)");
  s->AddInt("node.read_timeout_ms", "read-timeout-ms", &read_timeout_ms, 100, kHour,
            "a data API client that sends nothing for this long is cut off (slow clients)");
  s->AddInt("node.task_workers", "task-workers", &task_workers, 1, 256,
            "orders (delete, replicate, verify) run at once");
  s->AddInt("node.task_poll_interval_ms", "task-poll-interval-ms", &task_poll_interval_ms, 1, kHour,
            "heartbeat this often instead while orders run or the coordinator has work under way");
  s->AddBytes("node.replication_bandwidth_bytes_per_sec", "replication-bandwidth-bytes-per-sec",
              &replication_bandwidth_bytes_per_sec, 0, INT64_MAX,
              "bytes per second this node pulls for re-replication and drains (0: unlimited)");
  s->AddBytes("node.scrub_bytes_per_sec", "scrub-bytes-per-sec", &scrub_bytes_per_sec, 0, INT64_MAX,
              "bytes per second the scrubber re-hashes (0: no scrubbing)");
  s->AddInt("node.scrub_pass_interval_ms", "scrub-pass-interval-ms", &scrub_pass_interval_ms, 0,
            365 * 24 * kHour, "a new scrub pass over all chunks starts at most this often");
  s->AddInt("node.chunk_report_interval_ms", "chunk-report-interval-ms", &chunk_report_interval_ms,
            0, 30 * 24 * kHour,
            "a full chunk report this often, besides after each registration (0: only then)");
  security.AddToSchema(s, /*coordinator=*/false);
  tls.AddToSchema(s);
  common::AddLoggingToSchema(s, &log_level, &log_format);
  for (const char* section : {"server", "database", "coordinator", "client", "replication", "s3"}) {
    s->IgnoreSection(section);
  }
}

Status NodeOptions::Finalize() {
  RETURN_IF_ERROR(common::ParseHostPortList(coordinator, "node.coordinator").status());
  if (data_dir.empty()) return absl::InvalidArgumentError("node.data_dir must not be empty");
  RETURN_IF_ERROR(tls.Validate());
  if (advertise_address.empty()) {
    if (bind_address.empty() || bind_address == "0.0.0.0" || bind_address == "::") {
      return absl::InvalidArgumentError(
          StrCat("node.advertise_address must be set when node.bind_address is '", bind_address,
                 "': give the host (or host:port) that clients and other nodes can dial"));
    }
    advertise_address = bind_address;
  }
  // Either host:port, or a host to which the bound port is appended.
  if (!common::ParseHostPort(advertise_address).ok() &&
      !common::ParseHostPort(StrCat(advertise_address, ":1")).ok()) {
    return absl::InvalidArgumentError(
        StrCat("node.advertise_address '", advertise_address, "' is neither a host nor host:port"));
  }
  return absl::OkStatus();
}

std::string NodeOptions::AdvertisedAddress(int bound_port) const {
  if (common::ParseHostPort(advertise_address).ok()) return advertise_address;
  return common::HostPort{advertise_address, bound_port}.ToString();
}

}  // namespace gale::node
