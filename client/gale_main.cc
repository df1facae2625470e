// gale: the command-line client of a Gale cluster.
//
//   gale put PATH|- [--name NAME] [--replicas N] [--mode sync|quorum|async]
//                   [--chunk-size SIZE] [--overwrite]
//   gale get ID|NAME [-o PATH|-]
//   gale ls [PREFIX] [--sort name|time] [--limit N]
//   gale stat ID|NAME
//   gale rm ID|NAME
//   gale nodes
//   gale status
//   gale drain NODE
//   gale maintenance NODE on|off
//   gale s3 keys create [--owner OWNER] [--read-only] [--bucket BUCKET]...
//   gale s3 keys list
//   gale s3 keys delete ACCESS_KEY
//
// The coordinator comes from --coordinator or GALE_COORDINATOR (default
// 127.0.0.1:8080), the API token from --token or GALE_TOKEN, TLS from --ca-file
// (GALE_CA_FILE) and, for mutual TLS, --cert-file and --key-file. Listing commands take --json.
// Exit codes: 0 ok, 1 error, 2 usage.

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/time/time.h"
#include "client/gale_client.h"
#include "client/grpc_s3_key_api.h"
#include "client/progress_bar.h"
#include "common/file_util.h"
#include "common/request_metrics.h"
#include "common/strings.h"
#include "common/units.h"
#include "nlohmann/json.hpp"

namespace {

using gale::Result;
using gale::Status;
using gale::StrCat;
using gale::client::FileInfo;
using gale::client::GaleClient;
using nlohmann::json;

constexpr int kOk = 0;
constexpr int kError = 1;
constexpr int kUsage = 2;

// Prints a failure so that it says what failed and what to do about it.
int Fail(std::string_view what, const Status& status, const std::string& coordinator,
         std::string_view not_found_hint = "check the id or name with `gale ls`") {
  std::string advice;
  const std::string message(status.message());
  if (message.find("no coordinator answered") != std::string::npos) {
    advice = StrCat("is gale-coordinator running at ", coordinator,
                    "? Set --coordinator or GALE_COORDINATOR");
  } else if (message.find("active nodes") != std::string::npos) {
    advice = "start gale-node or check `gale nodes`";
  } else if (absl::IsNotFound(status)) {
    advice = std::string(not_found_hint);
  } else if (absl::IsAlreadyExists(status)) {
    advice = "use --overwrite to replace it";
  } else if (absl::IsUnauthenticated(status)) {
    advice = "set GALE_TOKEN or --token to one of the cluster's security.api_tokens";
  } else if (absl::IsPermissionDenied(status)) {
    advice = "this token may only read; use a full-access token";
  }
  std::fprintf(stderr, "gale: %s failed: %s%s%s\n", std::string(what).c_str(), message.c_str(),
               advice.empty() ? "" : "\n  hint: ", advice.c_str());
  return kError;
}

// An estimate in seconds as "about 3m20s"; negative: none yet.
std::string FormatEta(double seconds) {
  if (seconds < 0) return "no estimate yet: nothing copied lately";
  const absl::Duration d = absl::Seconds(static_cast<int64_t>(seconds + 0.5));
  return StrCat("about ", absl::FormatDuration(d));
}

std::string DrainText(const gale::v1::DrainProgress& drain) {
  return StrCat(drain.chunks_left(), " chunks (", gale::common::FormatBytes(drain.bytes_left()),
                ") left to copy (", FormatEta(drain.eta_seconds()), ")");
}

json DrainJson(const gale::v1::DrainProgress& drain) {
  return {{"chunks_left", drain.chunks_left()},
          {"bytes_left", drain.bytes_left()},
          {"eta_seconds", drain.eta_seconds()}};
}

std::string FormatTime(int64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMillis(unix_ms),
                          absl::LocalTimeZone());
}

json FileJson(const FileInfo& f) {
  json out = {{"file_id", f.id},
              {"name", f.name},
              {"size", f.size},
              {"sha256", f.sha256},
              {"chunk_size", f.chunk_size},
              {"chunk_count", f.chunk_count},
              {"replication_factor", f.replication_factor},
              {"write_mode", f.write_mode},
              {"state", f.state},
              {"created_at_ms", f.created_at_ms}};
  if (!f.chunks.empty()) {
    json chunks = json::array();
    for (const auto& c : f.chunks) {
      json replicas = json::array();
      for (const auto& r : c.replicas) {
        replicas.push_back(
            {{"node_id", r.node_id}, {"address", r.address}, {"node_state", r.node_state}});
      }
      chunks.push_back(
          {{"index", c.index}, {"chunk_id", c.id}, {"size", c.size}, {"replicas", replicas}});
    }
    out["chunks"] = chunks;
  }
  return out;
}

struct Globals {
  std::string coordinator;
  std::string token;
  gale::common::TlsOptions tls;
  bool json = false;
  int parallelism = 4;
};

Result<std::unique_ptr<GaleClient>> Connect(const Globals& g) {
  gale::client::ClientOptions options;
  options.coordinators = g.coordinator;
  options.parallelism = g.parallelism;
  options.token = g.token;
  options.tls = g.tls;
  return GaleClient::Connect(options);
}

int Put(const Globals& g, const std::string& path, std::string name, int replicas,
        const std::string& mode, const std::string& chunk_size, bool overwrite) {
  if (name.empty()) {
    if (path == "-") {
      std::fprintf(stderr, "gale put -: give the file a name with --name\n");
      return kUsage;
    }
    name = std::filesystem::path(path).filename().string();
  }
  auto size = gale::common::ParseByteSize(chunk_size);
  if (!size.ok()) {
    std::fprintf(stderr, "gale put: --chunk-size: %s\n",
                 std::string(size.status().message()).c_str());
    return kUsage;
  }
  auto client = Connect(g);
  if (!client.ok()) return Fail("connect", client.status(), g.coordinator);
  gale::client::CreateFileArgs args;
  args.name = name;
  args.replication_factor = replicas;
  args.write_mode = mode;
  args.chunk_size = *size;
  args.overwrite = overwrite;
  int64_t total = -1;
  if (path != "-") {
    std::error_code ec;
    auto file_size = std::filesystem::file_size(path, ec);
    if (ec) {
      return Fail(StrCat("put ", path), gale::common::ErrnoStatus(ec.value(), path), g.coordinator);
    }
    total = static_cast<int64_t>(file_size);
  }
  gale::client::ProgressBar bar(StrCat("put ", name), total);
  auto progress = [&](int64_t bytes) { bar.Update(bytes); };
  auto info = path == "-" ? (*client)->Upload(args, stdin, progress)
                          : (*client)->UploadPath(args, path, progress);
  bar.Finish();
  if (!info.ok()) return Fail(StrCat("put ", name), info.status(), g.coordinator);
  if (g.json) {
    info = (*client)->Stat(info->id);  // with where the chunks went
    if (!info.ok()) return Fail(StrCat("stat ", name), info.status(), g.coordinator);
    std::printf("%s\n", FileJson(*info).dump(2).c_str());
  } else {
    std::printf("%s\n", info->id.c_str());
  }
  return kOk;
}

int Get(const Globals& g, const std::string& file, std::string output) {
  auto client = Connect(g);
  if (!client.ok()) return Fail("connect", client.status(), g.coordinator);
  auto stat = (*client)->Stat(file);
  if (!stat.ok()) return Fail(StrCat("get ", file), stat.status(), g.coordinator);
  if (output.empty()) {
    output = std::filesystem::path(stat->name).filename().string();
    if (std::filesystem::exists(output)) {
      std::fprintf(stderr, "gale get: %s exists here; choose a path with -o (or -o - for stdout)\n",
                   output.c_str());
      return kError;
    }
  }
  gale::client::ProgressBar bar(StrCat("get ", stat->name), stat->size);
  auto progress = [&](int64_t bytes) { bar.Update(bytes); };
  auto info = output == "-" ? (*client)->DownloadToStream(stat->id, stdout, progress)
                            : (*client)->DownloadToPath(stat->id, output, progress);
  bar.Finish();
  if (!info.ok()) return Fail(StrCat("get ", file), info.status(), g.coordinator);
  if (output != "-") std::fprintf(stderr, "%s -> %s\n", info->name.c_str(), output.c_str());
  return kOk;
}

int Ls(const Globals& g, const std::string& prefix, const std::string& sort, int limit) {
  auto client = Connect(g);
  if (!client.ok()) return Fail("connect", client.status(), g.coordinator);
  std::vector<FileInfo> files;
  std::string cursor;
  do {  // page through until `limit` files (0: all)
    int page = limit > 0 ? std::min(1000, limit - static_cast<int>(files.size())) : 1000;
    auto list = (*client)->List(prefix, page, cursor, sort);
    if (!list.ok()) return Fail("ls", list.status(), g.coordinator);
    for (const auto& f : list->files()) files.push_back(gale::client::FromProto(f));
    cursor = list->next_cursor();
  } while (!cursor.empty() && (limit == 0 || static_cast<int>(files.size()) < limit));
  if (g.json) {
    json out = json::array();
    for (const auto& f : files) out.push_back(FileJson(f));
    std::printf("%s\n", out.dump(2).c_str());
    return kOk;
  }
  std::printf("%-36s  %10s  %-19s  %s\n", "ID", "SIZE", "CREATED", "NAME");
  for (const auto& f : files) {
    std::printf("%-36s  %10s  %-19s  %s\n", f.id.c_str(), gale::common::FormatBytes(f.size).c_str(),
                FormatTime(f.created_at_ms).c_str(), f.name.c_str());
  }
  return kOk;
}

int Stat(const Globals& g, const std::string& file) {
  auto client = Connect(g);
  if (!client.ok()) return Fail("connect", client.status(), g.coordinator);
  auto info = (*client)->Stat(file);
  if (!info.ok()) return Fail(StrCat("stat ", file), info.status(), g.coordinator);
  if (g.json) {
    std::printf("%s\n", FileJson(*info).dump(2).c_str());
    return kOk;
  }
  std::printf(
      "name:        %s\nid:          %s\nstate:       %s\nsize:        %s (%lld bytes)\n"
      "sha256:      %s\nchunks:      %lld of %s\nreplication: %d (%s)\ncreated:     %s\n",
      info->name.c_str(), info->id.c_str(), info->state.c_str(),
      gale::common::FormatBytes(info->size).c_str(), static_cast<long long>(info->size),
      info->sha256.c_str(), static_cast<long long>(info->chunk_count),
      gale::common::FormatBytes(info->chunk_size).c_str(), info->replication_factor,
      info->write_mode.c_str(), FormatTime(info->created_at_ms).c_str());
  std::printf("\n%6s  %10s  %-16s  %s\n", "INDEX", "SIZE", "CHUNK", "REPLICAS (node:state)");
  for (const auto& c : info->chunks) {
    std::string replicas;
    for (const auto& r : c.replicas) {
      replicas += StrCat(replicas.empty() ? "" : " ", r.node_id.substr(0, 8), ":", r.node_state);
    }
    if (replicas.empty()) replicas = "none live";
    const bool under = static_cast<int>(c.replicas.size()) < info->replication_factor;
    std::printf("%6lld  %10s  %-16s  %s%s\n", static_cast<long long>(c.index),
                gale::common::FormatBytes(c.size).c_str(), c.id.substr(0, 16).c_str(),
                replicas.c_str(), under ? "  (under-replicated)" : "");
  }
  return kOk;
}

int Rm(const Globals& g, const std::string& file) {
  auto client = Connect(g);
  if (!client.ok()) return Fail("connect", client.status(), g.coordinator);
  auto info = (*client)->Stat(file);
  if (!info.ok()) return Fail(StrCat("rm ", file), info.status(), g.coordinator);
  Status status = (*client)->Delete(info->id);
  if (!status.ok()) return Fail(StrCat("rm ", file), status, g.coordinator);
  std::printf("deleted %s (%s)\n", info->name.c_str(), info->id.c_str());
  return kOk;
}

int Nodes(const Globals& g) {
  auto client = Connect(g);
  if (!client.ok()) return Fail("connect", client.status(), g.coordinator);
  auto nodes = (*client)->Nodes();
  if (!nodes.ok()) return Fail("nodes", nodes.status(), g.coordinator);
  if (g.json) {
    json out = json::array();
    for (const auto& n : nodes->nodes()) {
      out.push_back(
          {{"node_id", n.node_id()},
           {"addresses", std::vector<std::string>(n.addresses().begin(), n.addresses().end())},
           {"zone", n.zone()},
           {"state", gale::client::NodeStateText(n.state())},
           {"storage_capacity", n.storage_capacity()},
           {"storage_used", n.stats().storage_used()},
           {"storage_available", n.stats().storage_available()},
           {"chunks_stored", n.stats().chunks_stored()},
           {"last_heartbeat_ms", n.last_heartbeat_ms()},
           {"drain", n.has_drain() ? DrainJson(n.drain()) : json(nullptr)}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return kOk;
  }
  std::printf("%-36s  %-21s  %-10s  %-11s  %10s  %10s  %8s  %s\n", "NODE", "ADDRESS", "ZONE",
              "STATE", "USED", "AVAILABLE", "CHUNKS", "LAST HEARTBEAT");
  for (const auto& n : nodes->nodes()) {
    std::printf("%-36s  %-21s  %-10s  %-11s  %10s  %10s  %8lld  %s\n", n.node_id().c_str(),
                n.addresses().empty() ? "" : n.addresses(0).c_str(), n.zone().c_str(),
                gale::client::NodeStateText(n.state()).c_str(),
                gale::common::FormatBytes(n.stats().storage_used()).c_str(),
                gale::common::FormatBytes(n.stats().storage_available()).c_str(),
                static_cast<long long>(n.stats().chunks_stored()),
                FormatTime(n.last_heartbeat_ms()).c_str());
  }
  for (const auto& n : nodes->nodes()) {
    if (n.has_drain())
      std::printf("draining %s: %s\n", n.node_id().c_str(), DrainText(n.drain()).c_str());
  }
  return kOk;
}

int Drain(const Globals& g, const std::string& node_id) {
  auto client = Connect(g);
  if (!client.ok()) return Fail("connect", client.status(), g.coordinator);
  auto node = (*client)->Drain(node_id);
  if (!node.ok()) return Fail("drain", node.status(), g.coordinator);
  if (node->state() == gale::v1::NODE_STATE_DECOMMISSIONED) {
    std::printf(
        "node %s is decommissioned: it holds nothing the cluster needs; stop it and "
        "remove it\n",
        node_id.c_str());
  } else if (node->has_drain()) {
    std::printf("node %s is draining: %s\n", node_id.c_str(), DrainText(node->drain()).c_str());
  } else {
    std::printf(
        "node %s is draining: its chunks are being copied to other nodes; follow it "
        "with `gale nodes`\n",
        node_id.c_str());
  }
  return kOk;
}

int Maintenance(const Globals& g, const std::string& node_id, const std::string& mode) {
  auto client = Connect(g);
  if (!client.ok()) return Fail("connect", client.status(), g.coordinator);
  auto node = (*client)->SetMaintenance(node_id, mode == "on");
  if (!node.ok()) return Fail("maintenance", node.status(), g.coordinator);
  std::printf("node %s is %s\n", node_id.c_str(),
              gale::client::NodeStateText(node->state()).c_str());
  return kOk;
}

int StatusCommand(const Globals& g) {
  auto client = Connect(g);
  if (!client.ok()) return Fail("connect", client.status(), g.coordinator);
  auto status = (*client)->ClusterStatus();
  if (!status.ok()) return Fail("status", status.status(), g.coordinator);
  const auto& s = status->network_stats();
  const auto& r = status->replication();
  if (g.json) {
    json drains = json::object();
    for (const auto& [node_id, drain] : r.drains()) drains[node_id] = DrainJson(drain);
    json by_state = json::object();
    for (const auto& [state, count] : s.nodes_by_state()) by_state[state] = count;
    std::printf("%s\n", json{{"cluster_id", status->cluster_id()},
                             {"coordinator", status->coordinator()},
                             {"leader", status->leader()},
                             {"total_nodes", s.total_nodes()},
                             {"active_nodes", s.active_nodes()},
                             {"nodes_by_state", by_state},
                             {"total_storage_capacity", s.total_storage_capacity()},
                             {"total_storage_used", s.total_storage_used()},
                             {"total_files", s.total_files()},
                             {"total_chunks", s.total_chunks()},
                             {"replication",
                              {{"chunks_under_replicated", r.under_replicated()},
                               {"chunks_over_replicated", r.over_replicated()},
                               {"chunks_lost", r.lost()},
                               {"replicas_corrupt", r.corrupt_replicas()},
                               {"missing_bytes", r.missing_bytes()},
                               {"tasks_pending", r.tasks_pending()},
                               {"tasks_running", r.tasks_running()},
                               {"tasks_failed", r.tasks_failed()},
                               {"repair_bytes_per_second", r.repair_bytes_per_second()},
                               {"seconds_to_redundancy", r.seconds_to_redundancy()},
                               {"drains", drains}}}}
                            .dump(2)
                            .c_str());
    return kOk;
  }
  std::printf("cluster:  %s\n", status->cluster_id().c_str());
  std::printf("leader:   %s%s\n",
              status->leader().empty() ? "(none elected)" : status->leader().c_str(),
              status->leader() == status->coordinator() ? " (answering)" : "");
  std::printf("nodes:    %d active of %d (", s.active_nodes(), s.total_nodes());
  bool first = true;
  for (const auto& [state, count] : s.nodes_by_state()) {
    if (count == 0) continue;
    std::printf("%s%s %d", first ? "" : ", ", state.c_str(), count);
    first = false;
  }
  std::printf(")\nstorage:  %s used of %s on active nodes\nfiles:    %lld\nchunks:   %lld\n",
              gale::common::FormatBytes(s.total_storage_used()).c_str(),
              gale::common::FormatBytes(s.total_storage_capacity()).c_str(),
              static_cast<long long>(s.total_files()), static_cast<long long>(s.total_chunks()));
  if (r.under_replicated() == 0 && r.over_replicated() == 0 && r.corrupt_replicas() == 0) {
    std::printf("health:   every chunk at its replication factor\n");
  } else {
    std::printf(
        "health:   %lld chunks under-replicated (%s to copy), %lld lost, %lld "
        "over-replicated, %lld replicas suspected corrupt\n",
        static_cast<long long>(r.under_replicated()),
        gale::common::FormatBytes(r.missing_bytes()).c_str(), static_cast<long long>(r.lost()),
        static_cast<long long>(r.over_replicated()), static_cast<long long>(r.corrupt_replicas()));
  }
  std::printf("repair:   %s/s; tasks %lld pending, %lld running, %lld failed",
              gale::common::FormatBytes(static_cast<int64_t>(r.repair_bytes_per_second())).c_str(),
              static_cast<long long>(r.tasks_pending()), static_cast<long long>(r.tasks_running()),
              static_cast<long long>(r.tasks_failed()));
  if (r.seconds_to_redundancy() != 0) {
    std::printf("; time to full redundancy: %s", FormatEta(r.seconds_to_redundancy()).c_str());
  }
  std::printf("\n");
  for (const auto& [node_id, drain] : r.drains()) {
    std::printf("draining %s: %s\n", node_id.c_str(), DrainText(drain).c_str());
  }
  if (r.lost() > 0) {
    std::printf(
        "warning:  %lld chunks have no readable replica: bring back the dead nodes that "
        "hold them (`gale nodes`)\n",
        static_cast<long long>(r.lost()));
  }
  return kOk;
}

json S3KeyJson(const gale::client::S3KeyInfo& key) {
  json out = {{"access_key", key.access_key}};
  if (!key.secret_key.empty()) out["secret_key"] = key.secret_key;
  out.update({{"owner", key.owner},
              {"read_only", key.read_only},
              {"buckets", key.buckets},
              {"created_at_ms", key.created_at_ms}});
  return out;
}

std::string BucketsText(const std::vector<std::string>& buckets) {
  if (buckets.empty()) return "(all)";
  std::string out;
  for (const std::string& bucket : buckets) out += (out.empty() ? "" : ",") + bucket;
  return out;
}

// `gale s3 keys ...`: an S3 access key for the cluster's gale-s3 gateways.
int S3KeysCreate(const Globals& g, const gale::client::S3KeyOptions& options) {
  auto client = Connect(g);
  if (!client.ok()) return Fail("connect", client.status(), g.coordinator);
  gale::client::GrpcS3KeyApi api((*client)->coordinator());
  auto key = api.CreateS3Key(options);
  if (!key.ok()) return Fail("s3 keys create", key.status(), g.coordinator);
  if (g.json) {
    std::printf("%s\n", S3KeyJson(*key).dump(2).c_str());
  } else {
    std::printf("access key: %s\nsecret key: %s\nowner:      %s\naccess:     %s\nbuckets:    %s\n",
                key->access_key.c_str(), key->secret_key.c_str(),
                key->owner.empty() ? "(the access key)" : key->owner.c_str(),
                key->read_only ? "read-only" : "read-write", BucketsText(key->buckets).c_str());
  }
  std::fprintf(stderr, "gale: the secret key is shown this once only: keep it safe\n");
  return kOk;
}

int S3KeysList(const Globals& g) {
  auto client = Connect(g);
  if (!client.ok()) return Fail("connect", client.status(), g.coordinator);
  gale::client::GrpcS3KeyApi api((*client)->coordinator());
  auto keys = api.ListS3Keys();
  if (!keys.ok()) return Fail("s3 keys list", keys.status(), g.coordinator);
  if (g.json) {
    json out = json::array();
    for (const auto& key : *keys) out.push_back(S3KeyJson(key));
    std::printf("%s\n", out.dump(2).c_str());
    return kOk;
  }
  std::printf("%-20s  %-20s  %-10s  %-19s  %s\n", "ACCESS KEY", "OWNER", "ACCESS", "CREATED",
              "BUCKETS");
  for (const auto& key : *keys) {
    std::printf("%-20s  %-20s  %-10s  %-19s  %s\n", key.access_key.c_str(),
                key.owner.empty() ? "-" : key.owner.c_str(),
                key.read_only ? "read-only" : "read-write", FormatTime(key.created_at_ms).c_str(),
                BucketsText(key.buckets).c_str());
  }
  return kOk;
}

int S3KeysDelete(const Globals& g, const std::string& access_key) {
  auto client = Connect(g);
  if (!client.ok()) return Fail("connect", client.status(), g.coordinator);
  gale::client::GrpcS3KeyApi api((*client)->coordinator());
  Status status = api.DeleteS3Key(access_key);
  if (!status.ok()) {
    return Fail(StrCat("s3 keys delete ", access_key), status, g.coordinator,
                "list the keys with `gale s3 keys list`");
  }
  std::printf(
      "deleted S3 access key %s (gateways that cached it refuse it within their "
      "s3.key_cache_ttl_ms)\n",
      access_key.c_str());
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a node closing mid-transfer is an error, not a crash
  Globals g;
  const char* env = std::getenv("GALE_COORDINATOR");
  g.coordinator = env != nullptr && *env != '\0' ? env : "127.0.0.1:8080";
  if (const char* token = std::getenv("GALE_TOKEN"); token != nullptr) g.token = token;
  for (auto [name, field] :
       {std::pair{"GALE_CA_FILE", &g.tls.ca_file}, std::pair{"GALE_CERT_FILE", &g.tls.cert_file},
        std::pair{"GALE_KEY_FILE", &g.tls.key_file}}) {
    if (const char* value = std::getenv(name); value != nullptr) *field = value;
  }

  CLI::App app{"gale: store and fetch files in a Gale cluster"};
  app.set_version_flag("--version", std::string(gale::common::GaleVersion()));
  app.require_subcommand(1);
  app.add_option("--coordinator", g.coordinator,
                 "coordinator gRPC address(es), host:port[,host:port] (env GALE_COORDINATOR)");
  app.add_option("--token", g.token,
                 "API token for a cluster with security.api_tokens (env GALE_TOKEN; the flag "
                 "is visible to other local users, prefer the variable)");
  app.add_option("--ca-file", g.tls.ca_file,
                 "CA to verify coordinators and nodes with: talk TLS (env GALE_CA_FILE)");
  app.add_option("--cert-file", g.tls.cert_file,
                 "client certificate for mutual TLS (env GALE_CERT_FILE)");
  app.add_option("--key-file", g.tls.key_file, "its private key (env GALE_KEY_FILE)");
  app.add_option("--parallelism", g.parallelism, "chunks in flight per transfer")
      ->check(CLI::Range(1, 64));

  std::string path, name, mode, chunk_size = "4MiB", file, output, prefix, sort = "name";
  int replicas = 0, limit = 0;
  bool overwrite = false;

  auto* put = app.add_subcommand("put", "upload a file (PATH, or - for stdin); prints its id");
  put->add_option("path", path, "file to upload, or - for stdin")->required();
  put->add_option("--name", name, "name in Gale (default: the file's name)");
  put->add_option("--replicas", replicas, "replication factor (default: the cluster's)")
      ->check(CLI::Range(1, 16));
  put->add_option("--mode", mode, "sync | quorum | async (default: the cluster's)")
      ->check(CLI::IsMember({"sync", "quorum", "async"}));
  put->add_option("--chunk-size", chunk_size, "chunk size, e.g. 4MiB");
  put->add_flag("--overwrite", overwrite, "replace a file with the same name");
  put->add_flag("--json", g.json, "print the file record as JSON");

  auto* get = app.add_subcommand("get", "download a file, verified");
  get->add_option("file", file, "file id or name")->required();
  get->add_option("-o,--output", output, "where to write it (- for stdout; default: its name)");

  auto* ls = app.add_subcommand("ls", "list files");
  ls->add_option("prefix", prefix, "only names starting with this");
  ls->add_option("--sort", sort, "name | time")->check(CLI::IsMember({"name", "time"}));
  ls->add_option("--limit", limit, "at most this many (default: all)")
      ->check(CLI::Range(0, 1 << 30));
  ls->add_flag("--json", g.json, "print JSON");

  auto* stat = app.add_subcommand("stat", "show a file, its chunks and their replicas");
  stat->add_option("file", file, "file id or name")->required();
  stat->add_flag("--json", g.json, "print JSON");

  auto* rm = app.add_subcommand("rm", "delete a file");
  rm->add_option("file", file, "file id or name")->required();

  auto* nodes = app.add_subcommand("nodes", "list the storage nodes");
  nodes->add_flag("--json", g.json, "print JSON");

  auto* status = app.add_subcommand("status", "summarize the cluster and its health");
  status->add_flag("--json", g.json, "print JSON");

  std::string node_id, switch_to;
  auto* drain = app.add_subcommand(
      "drain", "copy everything off a node, then mark it decommissioned (safe to remove)");
  drain->add_option("node", node_id, "node id")->required();

  auto* maintenance = app.add_subcommand(
      "maintenance", "no placements on a node and no re-replication of it while it is down");
  maintenance->add_option("node", node_id, "node id")->required();
  maintenance->add_option("switch", switch_to, "on | off")
      ->required()
      ->check(CLI::IsMember({"on", "off"}));

  auto* s3 = app.add_subcommand("s3", "the cluster's S3 gateways (gale-s3)");
  s3->require_subcommand(1);
  auto* s3_keys = s3->add_subcommand(
      "keys", "access keys the gateways accept, kept (secrets encrypted) by the coordinator");
  s3_keys->require_subcommand(1);
  gale::client::S3KeyOptions key_options;
  std::string access_key;
  auto* keys_create =
      s3_keys->add_subcommand("create", "make a key; prints its secret, this once only");
  keys_create->add_option("--owner", key_options.owner,
                          "owner recorded on buckets it creates (default: the access key)");
  keys_create->add_flag("--read-only", key_options.read_only, "reads only: writes are refused");
  keys_create->add_option("--bucket", key_options.buckets,
                          "a bucket it may use (repeat for more; default: every bucket)");
  keys_create->add_flag("--json", g.json,
                        "print {\"access_key\",\"secret_key\",\"owner\",\"read_only\",...}");
  auto* keys_list = s3_keys->add_subcommand("list", "list the keys (never their secrets)");
  keys_list->add_flag("--json", g.json, "print JSON");
  auto* keys_delete = s3_keys->add_subcommand(
      "delete", "delete a key: gateways refuse it once their cache of it expires");
  keys_delete->add_option("access_key", access_key, "the access key id")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kOk : kUsage;
  }
  if (*put) return Put(g, path, name, replicas, mode, chunk_size, overwrite);
  if (*get) return Get(g, file, output);
  if (*ls) return Ls(g, prefix, sort, limit);
  if (*stat) return Stat(g, file);
  if (*rm) return Rm(g, file);
  if (*nodes) return Nodes(g);
  if (*status) return StatusCommand(g);
  if (*drain) return Drain(g, node_id);
  if (*maintenance) return Maintenance(g, node_id, switch_to);
  if (*keys_create) return S3KeysCreate(g, key_options);
  if (*keys_list) return S3KeysList(g);
  if (*keys_delete) return S3KeysDelete(g, access_key);
  return kUsage;
}
