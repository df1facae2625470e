#pragma once

// CLI11 glue for the *_main.cc files only: CLI11 is slow to compile, so no
// other translation unit includes this header.

#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "CLI/CLI.hpp"
#include "common/config.h"
#include "common/logging.h"
#include "common/request_metrics.h"
#include "common/strings.h"

namespace gale::common {

// Configures a binary from its command line, the environment and the config
// file: builds flags from the schema of `options` (which must have
// AddToSchema, Finalize, log_level and log_format), loads every source,
// finalizes and sets up logging. Returns an exit code when the process must
// stop now (--help, --version: 0; bad flags or configuration: 2, with the
// reason on stderr), or nullopt to go on. `extend`, when given, adds the
// binary's own flags and subcommands before parsing.
template <typename Options>
std::optional<int> ConfigureFromCommandLine(
    std::string_view binary, std::string_view about, Options* options, int argc, char** argv,
    const std::function<void(CLI::App*)>& extend = nullptr) {
  ConfigSchema schema;
  options->AddToSchema(&schema);
  CLI::App app{StrCat(binary, ": ", about)};
  app.set_version_flag("--version", std::string(GaleVersion()));
  std::string config_path;
  app.add_option("--config", config_path, "config.yaml to read (env CONFIG_PATH)");
  std::map<std::string, std::string> values;
  std::map<std::string, CLI::Option*> flags;
  for (const ConfigKey& key : schema.keys()) {
    std::string help =
        StrCat(key.help, " [", key.path, "; env ", fmt::format("{}", fmt::join(key.env, ", ")),
               "; default '", key.default_value, "']");
    flags[key.flag] = app.add_option(StrCat("--", key.flag), values[key.flag], help);
  }
  if (extend) extend(&app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help and --version are not errors
  }

  ConfigSources sources;
  sources.env = EnvironmentMap();
  sources.file_path = ResolveConfigPath(config_path, sources.env);
  for (const auto& [flag, option] : flags) {
    if (option->count() > 0) sources.flags[flag] = values[flag];
  }
  Status status = LoadConfig(schema, sources);
  if (status.ok()) status = options->Finalize();
  if (status.ok()) status = InitLogging(options->log_level, options->log_format);
  if (!status.ok()) {
    std::fprintf(stderr, "%s: configuration error: %s\n", std::string(binary).c_str(),
                 std::string(status.message()).c_str());
    return 2;
  }
  return std::nullopt;
}

}  // namespace gale::common
