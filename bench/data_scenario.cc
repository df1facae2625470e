// data: uploads and downloads through the client library on three real
// nodes, at factor 1 and 3, chunks of 4 and 16 MiB, 1 and 4 client streams,
// plus many small files; against write+fdatasync of the same bytes (one copy
// and three), reading them back, and a loopback TCP copy.

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/time/clock.h"
#include "bench/baselines.h"
#include "bench/cluster.h"
#include "bench/cpu_meter.h"
#include "bench/scenario.h"
#include "bench/transfers.h"
#include "client/gale_client.h"
#include "common/sha256.h"
#include "common/strings.h"

namespace gale::bench {
namespace {

constexpr char kScenario[] = "data";

Status DeleteFiles(client::GaleClient* client, const std::string& prefix, int count) {
  for (int i = 0; i < count; ++i) RETURN_IF_ERROR(client->Delete(StrCat(prefix, i)));
  return absl::OkStatus();
}

struct Baselines {
  double disk_write_1 = 0, disk_write_3 = 0, disk_read = 0, tcp = 0;
};

Result<Baselines> MeasureBaselines(const BenchOptions& options, std::string_view data,
                                   int streams) {
  const std::string dir = StrCat(options.work_dir, "/gale-bench-disk-", ::getpid());
  Baselines b;
  ASSIGN_OR_RETURN(DiskFigures one, DiskBaseline(data, 4 << 20, 1, streams, dir));
  ASSIGN_OR_RETURN(DiskFigures three, DiskBaseline(data, 4 << 20, 3, streams, dir));
  ASSIGN_OR_RETURN(b.tcp, TcpCopyMibPerSecond(data, 4 << 20, streams));
  b.disk_write_1 = one.write_mib_per_second;
  b.disk_write_3 = three.write_mib_per_second;
  b.disk_read = one.read_mib_per_second;
  return b;
}

// Many small files at `factor` on 4 streams: uploads and downloads per
// second, each file's bytes checked.
Status SmallFiles(client::GaleClient* client, std::string_view data, int count, int factor,
                  uint64_t generation, Report* report) {
  constexpr int kStreams = 4;
  const std::string prefix = StrCat("small/", generation, "/");
  auto file_bytes = [&](int i) {
    std::string bytes(data.substr(0, kSmallFileBytes));
    uint64_t words[2] = {generation, static_cast<uint64_t>(i)};
    std::memcpy(bytes.data(), words, sizeof(words));
    return bytes;
  };
  absl::Time start = absl::Now();
  RETURN_IF_ERROR(OnStreams(kStreams, [&](int s) -> Status {
    for (int i = s; i < count; i += kStreams) {
      std::string bytes = file_bytes(i);
      std::FILE* in = ::fmemopen(bytes.data(), bytes.size(), "r");
      client::CreateFileArgs args;
      args.name = StrCat(prefix, i);
      args.size = kSmallFileBytes;
      args.replication_factor = factor;
      args.write_mode = "sync";
      auto info = client->Upload(args, in);
      std::fclose(in);
      RETURN_IF_ERROR(info.status());
    }
    return absl::OkStatus();
  }));
  const double up = count / absl::ToDoubleSeconds(absl::Now() - start);
  start = absl::Now();
  RETURN_IF_ERROR(OnStreams(kStreams, [&](int s) -> Status {
    for (int i = s; i < count; i += kStreams) {
      std::FILE* out = std::fopen("/dev/null", "w");
      auto info = client->DownloadToStream(StrCat(prefix, i), out);
      std::fclose(out);
      RETURN_IF_ERROR(info.status());
      if (info->sha256 != common::Sha256::Hex(file_bytes(i))) {
        return absl::DataLossError(StrCat("small file ", i, " read back with another SHA-256"));
      }
    }
    return absl::OkStatus();
  }));
  const double down = count / absl::ToDoubleSeconds(absl::Now() - start);
  report->Add(kScenario, StrCat("small_files.f", factor), "files/s", up);
  report->Add(kScenario, StrCat("small_files_read.f", factor), "files/s", down);
  return DeleteFiles(client, prefix, count);
}

}  // namespace

Status RunData(const BenchOptions& options, Report* report) {
  ClusterSpec spec;
  spec.nodes = 3;
  spec.given_ok = false;  // it reads the processes' CPU time
  spec.coordinator_flags = {"--heartbeat-interval-ms", "1000", "--gc-interval-ms", "1000",
                            "--gc-grace-ms",           "1000"};
  spec.node_flags = {"--scrub-bytes-per-sec", "0"};
  ASSIGN_OR_RETURN(BenchCluster cluster, StartCluster(options, spec));
  ASSIGN_OR_RETURN(auto client, cluster.cluster->Client());

  const int64_t total = options.short_form ? int64_t{256} << 20 : int64_t{1} << 30;
  const int small_files = options.short_form ? 1000 : 10000;
  std::string data = RandomBytes(static_cast<size_t>(total));
  report->Note(kScenario,
               StrCat(total >> 20, " MiB per transfer on 3 nodes, write mode sync, ", small_files,
                      " files of 64 KiB on 4 streams; client "
                      "parallelism 4 chunks per stream"));
  uint64_t generation = static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()));

  for (int run = 0; run < options.runs; ++run) {
    for (int streams : {1, 4}) {
      ASSIGN_OR_RETURN(Baselines base, MeasureBaselines(options, data, streams));
      const std::string s = StrCat(".s", streams);
      report->Add(kScenario, "baseline.disk_write_1copy" + s, "MiB/s", base.disk_write_1);
      report->Add(kScenario, "baseline.disk_write_3copies" + s, "MiB/s", base.disk_write_3);
      report->Add(kScenario, "baseline.disk_read" + s, "MiB/s", base.disk_read);
      report->Add(kScenario, "baseline.tcp" + s, "MiB/s", base.tcp);
      const double read_base = std::min(base.disk_read, base.tcp);
      for (int factor : {1, 3}) {
        for (int64_t chunk_mib : {4, 16}) {
          Restamp(&data, ++generation);
          const std::vector<std::string> hashes = SliceHashes(data, streams);
          const std::string name = StrCat(".f", factor, ".c", chunk_mib, "m", s);
          const std::string prefix = StrCat("data/", generation, "/");
          CpuMeter up_cpu(&cluster);
          ASSIGN_OR_RETURN(double up,
                           Upload(client.get(), data, streams, factor, chunk_mib << 20, prefix));
          const CpuPerGiB up_per_gib = up_cpu.PerGiB(total);
          CpuMeter down_cpu(&cluster);
          ASSIGN_OR_RETURN(double down, Download(client.get(), streams, prefix, hashes, total));
          const CpuPerGiB down_per_gib = down_cpu.PerGiB(total);
          const double disk = factor == 1 ? base.disk_write_1 : base.disk_write_3;
          report->Add(kScenario, "upload" + name, "MiB/s", up);
          report->Add(kScenario, "upload" + name + ".vs_disk", "x", up / disk,
                      factor == 3 ? AtLeast(0.6, ">= 0.60 x disk 3 copies") : Goal{});
          report->Add(kScenario, "download" + name, "MiB/s", down);
          report->Add(kScenario, "download" + name + ".vs_base", "x", down / read_base,
                      AtLeast(0.7, ">= 0.70 x min(disk read, TCP)"));
          if (chunk_mib == 4 && streams == 1) {
            const std::pair<const char*, double CpuPerGiB::*> who[3] = {
                {"client", &CpuPerGiB::client},
                {"nodes", &CpuPerGiB::nodes},
                {"coordinator", &CpuPerGiB::coordinator}};
            for (const auto& [name, field] : who) {
              report->Add(kScenario, StrCat("cpu.upload.f", factor, ".", name), "s/GiB",
                          up_per_gib.*field);
              report->Add(kScenario, StrCat("cpu.download.f", factor, ".", name), "s/GiB",
                          down_per_gib.*field);
            }
          }
          RETURN_IF_ERROR(DeleteFiles(client.get(), prefix, streams));
        }
      }
    }
    for (int factor : {1, 3}) {
      RETURN_IF_ERROR(SmallFiles(client.get(), data, small_files, factor, ++generation, report));
    }
  }
  return absl::OkStatus();
}

}  // namespace gale::bench
