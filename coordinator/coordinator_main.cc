// gale-coordinator: parses flags and configuration, runs the Coordinator
// until SIGINT or SIGTERM.

#include <cstdio>

#include "CLI/CLI.hpp"
#include "common/clock.h"
#include "common/config.h"
#include "common/config_flags.h"
#include "common/logging.h"
#include "common/process_util.h"
#include "common/request_metrics.h"
#include "coordinator/coordinator.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace gale;
  coordinator::CoordinatorOptions options;
  common::ConfigSchema schema;
  options.AddToSchema(&schema);

  CLI::App app{"gale-coordinator: tracks nodes, files, chunks and replicas of a Gale cluster"};
  app.set_version_flag("--version", std::string(common::GaleVersion()));
  common::ConfigFlags flags(&app, schema);
  CLI11_PARSE(app, argc, argv);

  common::ConfigSources sources;
  sources.env = common::EnvironmentMap();
  sources.file_path = common::ResolveConfigPath(flags.config_path(), sources.env);
  sources.flags = flags.Given();
  Status status = common::LoadConfig(schema, sources);
  if (status.ok()) status = options.Finalize();
  if (status.ok()) status = common::InitLogging(options.log_level, options.log_format);
  if (!status.ok()) {
    std::fprintf(stderr, "gale-coordinator: configuration error: %s\n",
                 std::string(status.message()).c_str());
    return 2;
  }

  common::BlockTerminationSignals();
  coordinator::Coordinator coordinator(options, common::SystemClock::Get());
  status = coordinator.Start();
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
