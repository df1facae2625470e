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

  s->AddEnum("database.type", "database-type", &database_type, {"sqlite", "postgres"},
             "metadata database: sqlite (embedded) or postgres");
  s->AddString("database.url", "database-url", &database_url,
               "postgresql://user:pass@host/db selects PostgreSQL; sqlite:PATH an SQLite file",
               {"DATABASE_URL"});
  s->AddString("database.path", "database-path", &database_path,
               "SQLite database file (default: <data_dir>/gale.db)");

  s->AddInt("coordinator.heartbeat_interval_ms", "heartbeat-interval-ms", &heartbeat_interval_ms,
            10, kHour, "how often nodes are told to heartbeat");
  s->AddInt("coordinator.node_timeout_ms", "node-timeout-ms", &node_timeout_ms, 20, 24 * kHour,
            "no heartbeat for this long: the node turns suspect (no new placements)");
  s->AddInt("coordinator.dead_after_ms", "dead-after-ms", &dead_after_ms, 30, 7 * 24 * kHour,
            "no heartbeat for this long: the node is dead (its replicas count as lost)");
  s->AddInt("coordinator.liveness_flush_interval_ms", "liveness-flush-interval-ms",
            &liveness_flush_interval_ms, 10, 60 * 1000,
            "how often liveness transitions are applied and heartbeat state is flushed");

  common::AddLoggingToSchema(s, &log_level, &log_format);

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

  if (!database_url.empty()) {
    std::string_view url = database_url;
    if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
      database_type = "postgres";
    } else if (url.starts_with("sqlite:")) {
      url.remove_prefix(url.starts_with("sqlite://") ? 9 : 7);
      database_type = "sqlite";
      if (url.empty()) return absl::InvalidArgumentError("database.url: sqlite: needs a path");
      database_path = std::string(url);
    } else {
      return absl::InvalidArgumentError(
          "database.url must start with postgresql://, postgres:// or sqlite:");
    }
  }
  if (database_type == "postgres") {
    return absl::InvalidArgumentError(
        "database.type: postgres is not available in this build yet; use sqlite");
  }
  if (database_path.empty()) {
    database_path = (std::filesystem::path(data_dir) / "gale.db").string();
  }
  return absl::OkStatus();
}

}  // namespace gale::coordinator
