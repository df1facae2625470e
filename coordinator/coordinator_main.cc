// gale-coordinator: parses flags and configuration, runs the Coordinator
// until SIGINT or SIGTERM.

#include "common/clock.h"
#include "common/config_flags.h"
#include "common/process_util.h"
#include "coordinator/coordinator.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace gale;
  coordinator::CoordinatorOptions options;
  if (auto exit_code = common::ConfigureFromCommandLine(
          "gale-coordinator", "tracks nodes, files, chunks and replicas of a Gale cluster",
          &options, argc, argv)) {
    return *exit_code;
  }

  common::BlockTerminationSignals();
  coordinator::Coordinator coordinator(options, common::SystemClock::Get());
  Status status = coordinator.Start();
  if (!status.ok()) {
    spdlog::critical("gale-coordinator failed to start: {}", status.ToString());
    return 1;
  }
  int signal = common::WaitForTerminationSignal();
  spdlog::info("signal {} received; shutting down", signal);
  coordinator.Shutdown();
  spdlog::info("gale-coordinator stopped");
  return 0;
}
