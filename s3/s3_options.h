#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "common/tls.h"

namespace gale::s3 {

// Everything that configures a gale-s3 gateway: the `s3` and `logging`
// sections of config.yaml (see AddToSchema and config.yaml.example). A
// plain value type.
struct S3Options {
  std::string coordinator = "127.0.0.1:8080";  // host:port[,host:port]
  std::string bind_address = "127.0.0.1";
  int port = 9000;
  int metrics_port = 9001;
  std::string info_file;
  int http_threads = 64;
  int64_t read_timeout_ms = 30000;
  std::string region = "us-east-1";
  std::string domain;  // virtual-host style requests: <bucket>.<domain>
  int64_t max_object_bytes = int64_t{5} << 40;
  int64_t chunk_size_bytes = 8 << 20;
  int replication_factor = 0;  // 0: the coordinator's default
  std::string write_mode;      // "": the coordinator's default
  // The gateway's own access key; its secret from the environment or a file.
  std::string access_key;
  std::string secret_key;
  std::string secret_key_file;
  std::vector<std::string> anonymous_read_buckets;
  std::string coordinator_token;  // API token for the coordinator ("": none)
  // Access keys kept by the coordinator (`gale s3 keys`): how long one looked
  // up is reused (a deleted key keeps working this long), and how long "no
  // such key" is.
  int64_t key_cache_ttl_ms = 30000;
  int64_t key_negative_cache_ttl_ms = 5000;
  common::TlsOptions tls;
  std::string log_level = "info";
  std::string log_format = "text";

  void AddToSchema(common::ConfigSchema* schema);

  // Checks the coordinator list and the credentials (a secret for an access
  // key, read from secret_key_file when given). INVALID_ARGUMENT naming the
  // key.
  Status Finalize();
};

}  // namespace gale::s3
