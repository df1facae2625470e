// gale-node: parses flags and configuration, runs the NodeAgent until SIGINT
// or SIGTERM (or a fatal error such as a data directory of another cluster).

#include <atomic>

#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/config_flags.h"
#include "common/process_util.h"
#include "node/node_agent.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace gale;
  node::NodeOptions options;
  if (auto exit_code = common::ConfigureFromCommandLine(
          "gale-node", "stores chunks of a Gale cluster on local disk", &options, argc, argv)) {
    return *exit_code;
  }

  // Lock-order cycles are looked for in the tests (absl's default); a
  // server does not pay for the graph on every lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  common::BlockTerminationSignals();
  std::atomic<bool> fatal{false};
  node::NodeAgent agent(options, common::SystemClock::Get(), [&](const Status&) {
    fatal = true;
    common::RequestShutdown();
  });
  Status status = agent.Start();
  if (!status.ok()) {
    spdlog::critical("gale-node failed to start: {}", status.ToString());
    return 1;
  }
  int signal = common::WaitForTerminationSignal();
  if (!fatal) spdlog::info("signal {} received; shutting down", signal);
  agent.Shutdown();
  spdlog::info("gale-node stopped");
  return fatal ? 1 : 0;
}
