#pragma once

#include <cstdint>
#include <string>

#include "common/config.h"
#include "common/security.h"
#include "common/status.h"
#include "common/tls.h"

namespace gale::node {

// Everything that configures a gale-node: the `node` and `logging` sections
// of config.yaml (see AddToSchema and config.yaml.example). A plain value type.
struct NodeOptions {
  std::string coordinator = "127.0.0.1:8080";  // host:port[,host:port]
  std::string data_dir = "./data/node";
  std::string bind_address = "127.0.0.1";
  std::string advertise_address;  // host or host:port; empty: the bind address
  int port = 9080;
  int metrics_port = 9091;
  int64_t capacity_bytes = 0;         // 0: the filesystem's size
  int64_t reserve_bytes = 256 << 20;  // free space never used
  std::string zone;
  int64_t heartbeat_interval_ms = 5000;
  std::string info_file;
  int64_t max_chunk_bytes = 64 << 20;
  int http_threads = 32;
  int64_t read_timeout_ms = 30000;
  int task_workers = 4;
  int64_t task_poll_interval_ms = 200;
  int64_t replication_bandwidth_bytes_per_sec = 64 << 20;  // 0: unlimited
  int64_t scrub_bytes_per_sec = 16 << 20;                  // 0: no scrubbing
  int64_t scrub_pass_interval_ms = 24 * 3600 * 1000;
  int64_t chunk_report_interval_ms = 3600 * 1000;
  std::string log_level = "info";
  std::string log_format = "text";
  common::SecurityOptions security;  // the join token
  common::TlsOptions tls;

  void AddToSchema(common::ConfigSchema* schema);

  // Checks the coordinator list and the advertise address (required when
  // binding a wildcard address). INVALID_ARGUMENT naming the key.
  Status Finalize();

  // The address clients and peers dial, given the bound data port.
  std::string AdvertisedAddress(int bound_port) const;
};

}  // namespace gale::node
