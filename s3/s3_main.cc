// gale-s3: parses flags and configuration, runs the S3 gateway until SIGINT
// or SIGTERM.

#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/config_flags.h"
#include "common/process_util.h"
#include "s3/s3_server.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace gale;
  s3::S3Options options;
  if (auto exit_code = common::ConfigureFromCommandLine(
          "gale-s3", "an S3-compatible gateway to a Gale cluster", &options, argc, argv)) {
    return *exit_code;
  }
  // Lock-order cycles are looked for in the tests; a server does not pay for
  // the graph on every lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  common::BlockTerminationSignals();
  s3::S3Server server(options, common::SystemClock::Get());
  if (Status status = server.Start(); !status.ok()) {
    spdlog::critical("gale-s3 failed to start: {}", status.ToString());
    return 1;
  }
  int signal = common::WaitForTerminationSignal();
  spdlog::info("signal {} received; shutting down", signal);
  server.Shutdown();
  spdlog::info("gale-s3 stopped");
  return 0;
}
