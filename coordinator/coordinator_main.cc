// gale-coordinator: parses flags and configuration, runs the Coordinator
// until SIGINT or SIGTERM. `gale-coordinator migrate` (or --migrate-only)
// applies the database migrations and exits.

#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/config_flags.h"
#include "common/process_util.h"
#include "coordinator/coordinator.h"
#include "coordinator/store/store_factory.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace gale;
  coordinator::CoordinatorOptions options;
  bool migrate_only = false;
  auto extend = [&](CLI::App* app) {
    app->add_flag("--migrate-only", migrate_only,
                  "apply the database migrations and exit (for init containers)");
    CLI::App* migrate = app->add_subcommand("migrate", "apply the database migrations and exit");
    migrate->callback([&] { migrate_only = true; });
    migrate->fallthrough();  // flags may follow the subcommand
  };
  if (auto exit_code = common::ConfigureFromCommandLine(
          "gale-coordinator", "tracks nodes, files, chunks and replicas of a Gale cluster",
          &options, argc, argv, extend)) {
    return *exit_code;
  }
  if (migrate_only) {
    auto version = coordinator::MigrateMetadataStore(options.database);
    if (!version.ok()) {
      spdlog::critical("migration failed: {}", version.status().ToString());
      return 1;
    }
    spdlog::info("metadata store ({}) migrated to schema version {}", options.database.type,
                 *version);
    return 0;
  }

  // Lock-order cycles are looked for in the tests (absl's default); a
  // server does not pay for the graph on every lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
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
