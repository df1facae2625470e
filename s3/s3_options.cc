#include "s3/s3_options.h"

#include "common/file_util.h"
#include "common/logging.h"
#include "common/net_address.h"
#include "common/strings.h"

namespace gale::s3 {

namespace {

// The keys only gale-s3 reads, besides its tls and logging sections.
constexpr const char* kProcessKeys[] = {"s3.coordinator", "s3.bind_address",
                                        "s3.port",        "s3.metrics_port",
                                        "s3.info_file",   "s3.coordinator_token"};

}  // namespace

void S3ApiOptions::AddToSchema(common::ConfigSchema* s, std::string_view flag_prefix) {
  constexpr int64_t kHour = 3600 * 1000;
  auto flag = [flag_prefix](std::string_view name) { return StrCat(flag_prefix, name); };
  s->AddInt("s3.http_threads", flag("http-threads"), &http_threads, 2, 4096,
            "S3 API worker threads (each keep-alive connection holds one)");
  s->AddInt("s3.read_timeout_ms", flag("read-timeout-ms"), &read_timeout_ms, 100, kHour,
            "an S3 client that sends nothing for this long is cut off (slow clients)");
  s->AddString("s3.region", flag("region"), &region, "the region clients sign for");
  s->AddString("s3.domain", flag("domain"), &domain,
               "serve virtual-host style requests for <bucket>.<domain> (empty: path style only)");
  s->AddBytes("s3.max_object_bytes", flag("max-object-bytes"), &max_object_bytes, 0, INT64_MAX,
              "largest object accepted (larger uploads get EntityTooLarge)");
  s->AddBytes("s3.chunk_size_bytes", flag("chunk-size-bytes"), &chunk_size_bytes, 1,
              int64_t{64} << 20, "objects are stored in chunks of this size");
  s->AddInt("s3.replication_factor", flag("replication-factor"), &replication_factor, 0, 16,
            "copies of each object's chunks (0: the coordinator's default)");
  s->AddEnum("s3.write_mode", flag("write-mode"), &write_mode, {"", "sync", "quorum", "async"},
             "when an upload returns (empty: the coordinator's default)");
  s->AddString("s3.access_key", flag("access-key"), &access_key,
               "an access key clients sign with, besides those of `gale s3 keys`",
               {"GALE_S3_ACCESS_KEY"});
  s->AddString("s3.secret_key", flag("secret-key"), &secret_key,
               "its secret; keep it out of files: set GALE_S3_SECRET_KEY", {"GALE_S3_SECRET_KEY"});
  s->AddString("s3.secret_key_file", flag("secret-key-file"), &secret_key_file,
               "a file holding the secret (instead of secret_key)");
  s->AddStringList("s3.anonymous_read_buckets", flag("anonymous-read-buckets"),
                   &anonymous_read_buckets, "buckets anyone may read without signing");
  s->AddInt("s3.key_cache_ttl_ms", flag("key-cache-ttl-ms"), &key_cache_ttl_ms, 0, kHour,
            "an access key looked up at the coordinator is reused this long (a deleted key "
            "keeps working as long)");
  s->AddInt("s3.key_negative_cache_ttl_ms", flag("key-negative-cache-ttl-ms"),
            &key_negative_cache_ttl_ms, 0, kHour,
            "an access key the coordinator does not know is refused this long without asking");
}

Status S3ApiOptions::Finalize() {
  if (!secret_key_file.empty()) {
    if (!secret_key.empty()) {
      return absl::InvalidArgumentError("set s3.secret_key or s3.secret_key_file, not both");
    }
    ASSIGN_OR_RETURN(secret_key, common::ReadFileToString(secret_key_file));
    while (!secret_key.empty() && (secret_key.back() == '\n' || secret_key.back() == '\r')) {
      secret_key.pop_back();
    }
  }
  if (access_key.empty() != secret_key.empty()) {
    return absl::InvalidArgumentError(
        "s3.access_key and its secret (s3.secret_key, GALE_S3_SECRET_KEY or "
        "s3.secret_key_file) go together");
  }
  return absl::OkStatus();
}

void S3Options::AddToSchema(common::ConfigSchema* s) {
  s->AddString("s3.coordinator", "coordinator", &coordinator,
               "coordinator gRPC address(es), host:port[,host:port]; the gateway fails over");
  s->AddString("s3.bind_address", "bind-address", &bind_address,
               "address the S3 and metrics servers listen on");
  s->AddInt("s3.port", "port", &port, 0, 65535, "S3 API port (0: pick a free port)");
  s->AddInt("s3.metrics_port", "metrics-port", &metrics_port, 0, 65535,
            "port of /metrics, /health, /ready, /live (0: pick a free port)");
  s->AddString("s3.info_file", "info-file", &info_file,
               "write the bound ports and pid here as JSON");
  s->AddString("s3.coordinator_token", "coordinator-token", &coordinator_token,
               "API token for the coordinator, when it requires one", {"GALE_TOKEN"});
  api.AddToSchema(s);
  tls.AddToSchema(s);
  common::AddLoggingToSchema(s, &log_level, &log_format);
  for (const char* section :
       {"server", "database", "coordinator", "client", "replication", "node", "security"}) {
    s->IgnoreSection(section);
  }
}

Status S3Options::Finalize() {
  RETURN_IF_ERROR(common::ParseHostPortList(coordinator, "s3.coordinator").status());
  RETURN_IF_ERROR(tls.Validate());
  return api.Finalize();
}

void S3Options::IgnoreProcessKeys(common::ConfigSchema* schema) {
  for (const char* key : kProcessKeys) schema->IgnoreKey(key);
}

}  // namespace gale::s3
