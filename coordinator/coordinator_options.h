#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/security.h"
#include "common/status.h"
#include "common/tls.h"
#include "coordinator/store/store_factory.h"
#include "s3/s3_options.h"

namespace gale::coordinator {

// Everything that configures a gale-coordinator. Each field is one key of
// config.yaml (see AddToSchema and config.yaml.example). A plain value type.
struct CoordinatorOptions {
  // server
  std::string bind_address = "0.0.0.0";
  int grpc_port = 8080;
  int http_port = 8090;
  int metrics_port = 8091;
  std::string data_dir = "./data";
  std::string info_file;
  int http_threads = 16;
  int64_t max_request_body_bytes = 8 << 20;
  int64_t grpc_max_message_bytes = 16 << 20;
  int64_t read_timeout_ms = 10000;
  // The S3 API served by this process too (besides any gale-s3 gateways),
  // on s3_port, as the `s3` section configures it.
  bool serve_s3 = false;
  int s3_port = 9000;
  s3::S3ApiOptions s3;

  // database
  StoreOptions database;

  // coordinator
  int64_t heartbeat_interval_ms = 5000;
  int64_t node_timeout_ms = 15000;
  int64_t dead_after_ms = 60000;
  int64_t liveness_flush_interval_ms = 1000;
  int64_t pending_upload_ttl_ms = 3600 * 1000;
  int64_t multipart_upload_ttl_ms = int64_t{7} * 24 * 3600 * 1000;
  int64_t commit_wait_ms = 10000;
  int64_t gc_interval_ms = 5000;
  int64_t gc_grace_ms = 60000;
  int64_t task_deadline_ms = 60000;
  int64_t task_retry_ms = 5000;
  int64_t task_history_ms = 3600 * 1000;
  int64_t dead_node_retention_ms = int64_t{7} * 24 * 3600 * 1000;
  int task_max_attempts = 5;
  int max_tasks_per_heartbeat = 64;
  int64_t max_chunk_bytes = 64 << 20;
  int64_t max_chunks_per_file = 1'000'000;
  // The master key that encrypts S3 secrets at rest (64 hex characters), or
  // a file holding it; with neither, SQLite generates one into
  // <data_dir>/s3-master-key on first use (see S3MasterKeyOptions).
  std::string s3_master_key;
  std::string s3_master_key_file;

  // replication
  int default_replication_factor = 3;
  std::string default_write_mode = "quorum";
  int64_t placement_reserve_bytes = 0;
  int64_t replication_interval_ms = 2000;
  int max_replications_per_node = 4;
  int max_replications_total = 256;

  // security
  common::SecurityOptions security;
  common::TlsOptions tls;
  // REST: browser origins allowed to call (CORS); empty: none.
  std::vector<std::string> cors_allowed_origins;
  // REST, per client address: requests per second (0: unlimited) and burst.
  int rate_limit_per_second = 0;
  int rate_limit_burst = 100;

  // logging
  std::string log_level = "info";
  std::string log_format = "text";

  // Binds every key to its field.
  void AddToSchema(common::ConfigSchema* schema);

  // Checks relations between keys and resolves derived values (the database
  // type from a URL, the SQLite path). INVALID_ARGUMENT naming the key.
  Status Finalize();
};

}  // namespace gale::coordinator
