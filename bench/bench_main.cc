// gale-bench: Gale's benchmarks. Each scenario prints a table of figures
// (min / median / max over --runs), ratios against baselines measured in the
// same run, and PASS or MISS per goal; --json writes the same. A MISS is a
// finding to profile, not a failure: the exit code is 0 unless a scenario
// could not run.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "CLI/CLI.hpp"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/machine.h"
#include "bench/report.h"
#include "bench/scenario.h"
#include "common/logging.h"
#include "common/strings.h"

int main(int argc, char** argv) {
  using namespace gale::bench;
  const std::vector<std::pair<std::string, Scenario>> kScenarios = {
      {"control", RunControl},   {"metadata", RunMetadata}, {"mixed", RunMixed}, {"data", RunData},
      {"recovery", RunRecovery}, {"scale", RunScale},       {"s3", RunS3}};

  CLI::App app{"gale-bench: Gale's benchmarks, with baselines measured in the same run"};
  std::string scenarios = "control,metadata,mixed,data,recovery,scale,s3";
  BenchOptions options;
  std::string json_path;
  const char* tmp = std::getenv("TMPDIR");
  options.work_dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  app.add_option("--scenario", scenarios,
                 "comma-separated: control, metadata, mixed, data, recovery, scale, s3")
      ->capture_default_str();
  app.add_option("--runs", options.runs, "measure each figure this many times")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_flag("--short", options.short_form, "smaller sizes and shorter loads (make bench)");
  app.add_option("--json", json_path, "also write the results as JSON here");
  app.add_option("--work-dir", options.work_dir, "where clusters and baselines write")
      ->capture_default_str();
  app.add_option("--coordinator", options.coordinator,
                 "load this cluster (gRPC host:port) instead of starting one; control, "
                 "metadata and mixed only");
  app.add_option("--coordinator-rest", options.coordinator_rest,
                 "with --coordinator: its REST host:port");
  CLI11_PARSE(app, argc, argv);
  if (!options.coordinator.empty() && options.coordinator_rest.empty()) {
    std::fprintf(stderr, "gale-bench: --coordinator needs --coordinator-rest\n");
    return 2;
  }
  options.source_dir = GALE_SOURCE_DIR;
  std::vector<std::pair<std::string, Scenario>> chosen;
  for (const std::string& name :
       std::vector<std::string>(absl::StrSplit(scenarios, ',', absl::SkipEmpty()))) {
    auto it = std::find_if(kScenarios.begin(), kScenarios.end(),
                           [&](const auto& s) { return s.first == name; });
    if (it == kScenarios.end()) {
      std::fprintf(stderr, "gale-bench: unknown scenario '%s'\n", name.c_str());
      return 2;
    }
    chosen.push_back(*it);
  }
  std::signal(SIGPIPE, SIG_IGN);
  // Retries are expected here: the client library's warnings only with
  // GALE_BENCH_LOG=warn (when a load fails, to see what it retried).
  const char* log_level = std::getenv("GALE_BENCH_LOG");
  (void)gale::common::InitLogging(log_level != nullptr ? log_level : "error", "text");
  std::error_code made;
  std::filesystem::create_directories(options.work_dir, made);
  if (made) {
    std::fprintf(stderr, "gale-bench: cannot make the work directory %s: %s\n",
                 options.work_dir.c_str(), made.message().c_str());
    return 2;
  }
  // The mini clusters make their temp roots under $TMPDIR.
  ::setenv("TMPDIR", options.work_dir.c_str(), 1);

  const MachineFacts machine = ReadMachineFacts(options.work_dir);
  std::printf("gale-bench: %s form, %d runs\nmachine: %s\n", options.short_form ? "short" : "full",
              options.runs, machine.ToString().c_str());
  Report report;
  int failed = 0;
  for (const auto& [name, run] : chosen) {
    std::printf("\nrunning %s...\n", name.c_str());
    std::fflush(stdout);
    const absl::Time start = absl::Now();
    gale::Status status = run(options, &report);
    if (!status.ok()) {
      ++failed;
      report.Note(name, "DID NOT RUN: " + status.ToString());
    }
    report.Note(name, gale::StrCat("took ", absl::FormatDuration(absl::Trunc(absl::Now() - start,
                                                                             absl::Seconds(1)))));
    report.Print(name, stdout);
    std::fflush(stdout);
  }
  std::printf("\n%d goal(s) missed; %d scenario(s) could not run\n", report.Misses(), failed);
  if (!json_path.empty()) {
    nlohmann::json json = report.ToJson();
    json["machine"] = machine.ToJson();
    json["runs"] = options.runs;
    json["short"] = options.short_form;
    std::ofstream out(json_path);
    out << json.dump(2) << "\n";
    if (!out) {
      std::fprintf(stderr, "gale-bench: cannot write %s\n", json_path.c_str());
      return 1;
    }
  }
  return failed == 0 ? 0 : 1;
}
