#pragma once

// CLI11 glue for the *_main.cc files only: CLI11 is slow to compile, so no
// other translation unit includes this header.

#include <map>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "common/config.h"
#include "common/strings.h"

namespace gale::common {

// Adds --config and one --<flag> per schema key to `app`. After parsing,
// Given() returns the flags that were set on the command line.
class ConfigFlags {
 public:
  ConfigFlags(CLI::App* app, const ConfigSchema& schema) {
    app->add_option("--config", config_path_, "config.yaml to read (env CONFIG_PATH)");
    for (const ConfigKey& key : schema.keys()) {
      auto& value = values_[key.flag];
      std::string help =
          StrCat(key.help, " [", key.path, "; env ", fmt::format("{}", fmt::join(key.env, ", ")),
                 "; default '", key.default_value, "']");
      options_[key.flag] = app->add_option(StrCat("--", key.flag), value, help);
    }
  }

  const std::string& config_path() const { return config_path_; }

  std::map<std::string, std::string> Given() const {
    std::map<std::string, std::string> given;
    for (const auto& [flag, option] : options_) {
      if (option->count() > 0) given[flag] = values_.at(flag);
    }
    return given;
  }

 private:
  std::string config_path_;
  std::map<std::string, std::string> values_;
  std::map<std::string, CLI::Option*> options_;
};

}  // namespace gale::common
