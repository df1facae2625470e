#include "coordinator/coordinator_options.h"

#include <filesystem>

#include "common/logging.h"
#include "common/strings.h"

namespace gale::coordinator {

void CoordinatorOptions::AddToSchema(common::ConfigSchema* s) {
  constexpr int64_t kHour = 3600 * 1000;
  s->AddString("server.bind_address", "bind-address", &bind_address,
               "address the gRPC, REST and metrics servers listen on");
  s->AddInt("server.grpc_port", "grpc-port", &grpc_port, 0, 65535,
            "gRPC port for nodes and clients (0: pick a free port)", {"GRPC_PORT"});
  s->AddInt("server.http_port", "http-port", &http_port, 0, 65535,
            "REST API port (0: pick a free port)", {"HTTP_PORT"});
  s->AddInt("server.metrics_port", "metrics-port", &metrics_port, 0, 65535,
            "port of /metrics, /health, /ready, /live (0: pick a free port)", {"METRICS_PORT"});
  s->AddBool("server.serve_s3", "serve-s3", &serve_s3,
             "serve the S3 API in this process too, on server.s3_port, as the s3 section "
             "configures it (metadata calls in process: faster HEADs and listings than gale-s3)");
  s->AddInt("server.s3_port", "s3-port", &s3_port, 0, 65535,
            "S3 API port with server.serve_s3 (0: pick a free port)");
  s->AddString("server.data_dir", "data-dir", &data_dir,
               "directory for the SQLite database and other state", {"DATA_PATH"});
  s->AddString("server.info_file", "info-file", &info_file,
               "after binding, write the bound ports and pid here as JSON");
  s->AddInt("server.http_threads", "http-threads", &http_threads, 1, 1024,
            "REST worker threads (each keep-alive connection holds one)");
  s->AddBytes("server.max_request_body_bytes", "max-request-body-bytes", &max_request_body_bytes,
              1024, int64_t{1} << 30, "largest REST request body accepted (larger: 413)");
  s->AddBytes("server.grpc_max_message_bytes", "grpc-max-message-bytes", &grpc_max_message_bytes,
              1024, int64_t{1} << 30, "largest gRPC message accepted or sent");

  s->AddEnum("database.type", "database-type", &database.type, {"sqlite", "postgres"},
             "metadata database: sqlite (embedded, one coordinator) or postgres (several)");
  s->AddString("database.url", "database-url", &database.url,
               "postgresql://user:pass@host/db selects PostgreSQL; sqlite:PATH an SQLite file",
               {"DATABASE_URL"});
  s->AddString("database.path", "database-path", &database.path,
               "SQLite database file (default: <data_dir>/gale.db)");
  s->AddInt("database.pool_size", "database-pool-size", &database.pool_size, 1, 1000,
            "PostgreSQL connections the coordinator opens at most");
  s->AddInt("database.staleness_bound_ms", "database-staleness-bound-ms",
            &database.staleness_bound_ms, 20, 60 * 1000,
            "PostgreSQL: a change made through another coordinator is seen within this");

  s->AddInt("coordinator.heartbeat_interval_ms", "heartbeat-interval-ms", &heartbeat_interval_ms,
            10, kHour, "how often nodes are told to heartbeat");
  s->AddInt("coordinator.node_timeout_ms", "node-timeout-ms", &node_timeout_ms, 20, 24 * kHour,
            "no heartbeat for this long: the node turns suspect (no new placements)");
  s->AddInt("coordinator.dead_after_ms", "dead-after-ms", &dead_after_ms, 30, 7 * 24 * kHour,
            "no heartbeat for this long: the node is dead (its replicas count as lost)");
  s->AddInt("coordinator.liveness_flush_interval_ms", "liveness-flush-interval-ms",
            &liveness_flush_interval_ms, 10, 60 * 1000,
            "how often liveness transitions are applied and heartbeat state is flushed");

  s->AddInt("coordinator.pending_upload_ttl_ms", "pending-upload-ttl-ms", &pending_upload_ttl_ms,
            1000, 30 * 24 * kHour, "an upload not committed within this long is dropped");
  s->AddInt("coordinator.multipart_upload_ttl_ms", "multipart-upload-ttl-ms",
            &multipart_upload_ttl_ms, 1000, 365 * 24 * kHour,
            "an S3 multipart upload neither completed nor aborted within this long is dropped");
  s->AddInt("coordinator.commit_wait_ms", "commit-wait-ms", &commit_wait_ms, 0, kHour,
            "how long a commit waits for nodes to report the replicas it needs");
  s->AddInt("coordinator.gc_interval_ms", "gc-interval-ms", &gc_interval_ms, 10, kHour,
            "how often expired uploads, late tasks and unreferenced chunks are handled");
  s->AddInt("coordinator.gc_grace_ms", "gc-grace-ms", &gc_grace_ms, 0, 30 * 24 * kHour,
            "an unreferenced chunk is deleted from its nodes after this long");
  s->AddInt("coordinator.task_deadline_ms", "task-deadline-ms", &task_deadline_ms, 100, kHour,
            "a task a node has not finished within this long is retried");
  s->AddInt("coordinator.task_retry_ms", "task-retry-ms", &task_retry_ms, 0, kHour,
            "back-off before a failed or late task is retried");
  s->AddInt("coordinator.task_history_ms", "task-history-ms", &task_history_ms, 0, 30 * 24 * kHour,
            "finished tasks are kept (for status and metrics) this long");
  s->AddInt("coordinator.dead_node_retention_ms", "dead-node-retention-ms", &dead_node_retention_ms,
            0, 365 * 24 * kHour,
            "a database clean-up forgets dead nodes holding nothing after this long");
  s->AddInt("coordinator.task_max_attempts", "task-max-attempts", &task_max_attempts, 1, 1000,
            "a task is given up after this many attempts");
  s->AddInt("coordinator.max_tasks_per_heartbeat", "max-tasks-per-heartbeat",
            &max_tasks_per_heartbeat, 1, 100000, "tasks handed to a node per heartbeat");
  s->AddBytes("coordinator.max_chunk_bytes", "max-chunk-bytes", &max_chunk_bytes, 1,
              int64_t{1} << 30, "largest chunk size a file may use");
  s->AddInt("coordinator.max_chunks_per_file", "max-chunks-per-file", &max_chunks_per_file, 1,
            int64_t{1} << 40, "most chunks one file may have");
  s->AddString("coordinator.s3_master_key", "s3-master-key", &s3_master_key,
               "key encrypting S3 secrets at rest, 64 hex characters; keep it out of files: set "
               "GALE_S3_MASTER_KEY");
  s->AddString("coordinator.s3_master_key_file", "s3-master-key-file", &s3_master_key_file,
               "a file holding the S3 master key (empty, on SQLite: generated into "
               "<data_dir>/s3-master-key)");

  s->AddInt("replication.default_replication_factor", "default-replication-factor",
            &default_replication_factor, 1, 16, "replicas per chunk when an upload names none");
  s->AddEnum("replication.default_write_mode", "default-write-mode", &default_write_mode,
             {"sync", "quorum", "async"},
             "replicas written before commit when an upload names no mode: sync all, quorum a "
             "majority, async one");
  s->AddBytes("replication.placement_reserve_bytes", "placement-reserve-bytes",
              &placement_reserve_bytes, 0, INT64_MAX,
              "free space a node must keep beyond a chunk to be chosen for it");
  s->AddInt("replication.interval_ms", "replication-interval-ms", &replication_interval_ms, 10,
            kHour, "how often chunks below or above their factor are looked for");
  s->AddInt("replication.max_replications_per_node", "max-replications-per-node",
            &max_replications_per_node, 1, 10000,
            "copies a node sends or receives at once for repair and drains");
  s->AddInt("replication.max_replications_total", "max-replications-total", &max_replications_total,
            1, 1000000, "copies in flight in the whole cluster at once");

  s->AddInt("server.read_timeout_ms", "read-timeout-ms", &read_timeout_ms, 100, kHour,
            "a REST client that sends nothing for this long is cut off (slow clients)");
  s->AddStringList("server.cors_allowed_origins", "cors-allowed-origins", &cors_allowed_origins,
                   "browser origins allowed to call the REST API, e.g. https://ui.example "
                   "(empty: CORS off)");
  s->AddInt("server.rate_limit_per_second", "rate-limit-per-second", &rate_limit_per_second, 0,
            1000000, "REST requests per second one client address may make (0: unlimited)");
  s->AddInt("server.rate_limit_burst", "rate-limit-burst", &rate_limit_burst, 1, 1000000,
            "REST requests one client address may make at once above its rate");
  security.AddToSchema(s, /*coordinator=*/true);
  tls.AddToSchema(s);

  common::AddLoggingToSchema(s, &log_level, &log_format);

  s3.AddToSchema(s, "s3-");
  s3::S3Options::IgnoreProcessKeys(s);
  s->IgnoreSection("node");
  s->IgnoreSection("client");
}

Status CoordinatorOptions::Finalize() {
  if (heartbeat_interval_ms >= node_timeout_ms) {
    return absl::InvalidArgumentError(
        StrCat("coordinator.heartbeat_interval_ms (", heartbeat_interval_ms,
               ") must be less than coordinator.node_timeout_ms (", node_timeout_ms, ")"));
  }
  if (node_timeout_ms >= dead_after_ms) {
    return absl::InvalidArgumentError(StrCat("coordinator.node_timeout_ms (", node_timeout_ms,
                                             ") must be less than coordinator.dead_after_ms (",
                                             dead_after_ms, ")"));
  }
  if (data_dir.empty()) return absl::InvalidArgumentError("server.data_dir must not be empty");
  if (!s3_master_key.empty() && !s3_master_key_file.empty()) {
    return absl::InvalidArgumentError(
        "set coordinator.s3_master_key or coordinator.s3_master_key_file, not both");
  }
  RETURN_IF_ERROR(tls.Validate());
  if (serve_s3) RETURN_IF_ERROR(s3.Finalize());

  if (!database.url.empty()) {
    std::string_view url = database.url;
    if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
      database.type = "postgres";
    } else if (url.starts_with("sqlite:")) {
      url.remove_prefix(url.starts_with("sqlite://") ? 9 : 7);
      database.type = "sqlite";
      if (url.empty()) return absl::InvalidArgumentError("database.url: sqlite: needs a path");
      database.path = std::string(url);
    } else {
      return absl::InvalidArgumentError(
          "database.url must start with postgresql://, postgres:// or sqlite:");
    }
  }
  if (database.type == "postgres" && database.url.empty()) {
    return absl::InvalidArgumentError(
        "database.type postgres needs database.url (postgresql://user:password@host:port/dbname)");
  }
  if (database.path.empty()) {
    database.path = (std::filesystem::path(data_dir) / "gale.db").string();
  }
  return absl::OkStatus();
}

}  // namespace gale::coordinator
