#include "bench/cluster.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/file_util.h"
#include "common/grpc_util.h"
#include "common/strings.h"

namespace gale::bench {

int BenchCluster::coordinator_pid() {
  if (cluster == nullptr || cluster->coordinator() == nullptr) return 0;
  return cluster->coordinator()->pid();
}

Result<BenchCluster> StartCluster(const BenchOptions& options, const ClusterSpec& spec) {
  BenchCluster out;
  if (!options.coordinator.empty()) {
    if (!spec.given_ok) {
      return absl::FailedPreconditionError(
          "this scenario starts and kills processes of its own; run it without --coordinator");
    }
    out.grpc_address = options.coordinator;
    size_t colon = options.coordinator_rest.rfind(':');
    if (colon == std::string::npos) {
      return absl::InvalidArgumentError("--coordinator-rest must be host:port");
    }
    out.rest_host = options.coordinator_rest.substr(0, colon);
    out.rest_port = std::atoi(options.coordinator_rest.c_str() + colon + 1);
  } else {
    testing::MiniClusterOptions mini;
    mini.num_nodes = spec.nodes;
    mini.database_url = spec.database_url;
    mini.coordinator_flags = spec.coordinator_flags;
    mini.node_flags = spec.node_flags;
    out.cluster = std::make_unique<testing::MiniCluster>(mini);
    RETURN_IF_ERROR(out.cluster->Start());
    out.grpc_address = out.cluster->coordinator_grpc_address();
    out.rest_host = "127.0.0.1";
    out.rest_port = out.cluster->coordinator_http_port();
  }
  out.channel = common::CreateCoordinatorChannel(out.grpc_address);
  out.stub = v1::Coordinator::NewStub(out.channel);
  return out;
}

BenchPostgres::BenchPostgres(std::string script, std::string dir, std::string url)
    : script_(std::move(script)), dir_(std::move(dir)), url_(std::move(url)) {}

Result<std::unique_ptr<BenchPostgres>> BenchPostgres::Start(const BenchOptions& options) {
  const std::string script = options.source_dir + "/scripts/test-postgres.sh";
  const std::string dir = StrCat(options.work_dir, "/gale-bench-postgres-", ::getpid());
  // PostgreSQL's durable defaults, as the goals ask (the tests' server
  // runs without fsync).
  const std::string command =
      StrCat("GALE_PG_DURABLE=1 ", script, " start ", dir, " >", dir, ".log 2>&1");
  if (std::system(command.c_str()) != 0) {
    return absl::UnavailableError(StrCat("cannot start PostgreSQL; see ", dir, ".log"));
  }
  auto url = common::ReadFileToString(dir + "/url");
  if (!url.ok()) {
    return absl::NotFoundError("no PostgreSQL server binaries on this machine");
  }
  std::string trimmed = *url;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) {
    trimmed.pop_back();
  }
  return std::unique_ptr<BenchPostgres>(new BenchPostgres(script, dir, trimmed));
}

BenchPostgres::~BenchPostgres() {
  (void)std::system(StrCat(script_, " stop ", dir_, " >>", dir_, ".log 2>&1").c_str());
  // The script leaves the emptied directory (and the log, for a failed start).
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
  std::filesystem::remove(dir_ + ".log", ignored);
}

double ProcessCpuSeconds(int pid) {
  std::ifstream in(StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  // After the command: state (3) ... utime is field 14, stime 15.
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::atof(field.c_str());
    if (i == 15) stime = std::atof(field.c_str());
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

int64_t ProcessRssBytes(int pid) {
  std::ifstream in(StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6) * 1024;
  }
  return 0;
}

}  // namespace gale::bench
