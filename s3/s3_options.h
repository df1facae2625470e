#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "common/tls.h"

namespace gale::s3 {

// What the S3 API serves, wherever it runs (in gale-s3, or in the
// coordinator with server.serve_s3): the keys of the `s3` section but those
// of the gale-s3 process. A plain value type.
struct S3ApiOptions {
  int http_threads = 64;
  int64_t read_timeout_ms = 30000;
  std::string region = "us-east-1";
  std::string domain;  // virtual-host style requests: <bucket>.<domain>
  int64_t max_object_bytes = int64_t{5} << 40;
  int64_t chunk_size_bytes = 8 << 20;
  int replication_factor = 0;  // 0: the coordinator's default
  std::string write_mode;      // "": the coordinator's default
  // A configured access key; its secret from the environment or a file.
  std::string access_key;
  std::string secret_key;
  std::string secret_key_file;
  std::vector<std::string> anonymous_read_buckets;
  // Access keys kept by the coordinator (`gale s3 keys`): how long one looked
  // up is reused (a deleted key keeps working this long), and how long "no
  // such key" is.
  int64_t key_cache_ttl_ms = 30000;
  int64_t key_negative_cache_ttl_ms = 5000;

  // Flags are `flag_prefix` + the key's name ("s3-" in the coordinator,
  // whose own keys use some of the names).
  void AddToSchema(common::ConfigSchema* schema, std::string_view flag_prefix = "");

  // Checks the credentials (a secret for an access key, read from
  // secret_key_file when given). INVALID_ARGUMENT naming the key.
  Status Finalize();
};

// Everything that configures a gale-s3 gateway: the `s3` and `logging`
// sections of config.yaml (see AddToSchema and config.yaml.example). A
// plain value type.
struct S3Options {
  std::string coordinator = "127.0.0.1:8080";  // host:port[,host:port]
  std::string bind_address = "127.0.0.1";
  int port = 9000;
  int metrics_port = 9001;
  std::string info_file;
  std::string coordinator_token;  // API token for the coordinator ("": none)
  S3ApiOptions api;
  common::TlsOptions tls;
  std::string log_level = "info";
  std::string log_format = "text";

  void AddToSchema(common::ConfigSchema* schema);

  // Checks the coordinator list and the API's keys. INVALID_ARGUMENT naming
  // the key.
  Status Finalize();

  // Keys of the `s3` section that only the gale-s3 process reads.
  static void IgnoreProcessKeys(common::ConfigSchema* schema);
};

}  // namespace gale::s3
