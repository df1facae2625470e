#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gale::common {

// One configuration key: where it lives in config.yaml, which flag and
// environment variables override it, and how its text is applied to the field
// of an Options struct it is bound to.
struct ConfigKey {
  std::string path;              // YAML path, "server.grpc_port"
  std::string flag;              // flag name without dashes, "grpc-port"
  std::vector<std::string> env;  // environment names, most specific first
  std::string help;              // one line, for --help and the docs
  std::string default_value;     // the bound field's value before loading
  std::function<Status(std::string_view)> set;
};

// The configuration keys of one binary, each bound to a field of its Options
// struct (which must outlive the schema). A key "section.name" is overridden
// by the flag --<flag> and by the environment variable GALE_<FLAG> (upper
// case, dashes as underscores) plus any aliases given. Not thread-safe; build
// it, load it, then drop it.
class ConfigSchema {
 public:
  void AddString(std::string path, std::string flag, std::string* field, std::string help,
                 std::vector<std::string> env_aliases = {});
  // Accepts only one of `allowed`.
  void AddEnum(std::string path, std::string flag, std::string* field,
               std::vector<std::string> allowed, std::string help,
               std::vector<std::string> env_aliases = {});
  void AddInt(std::string path, std::string flag, int64_t* field, int64_t min, int64_t max,
              std::string help, std::vector<std::string> env_aliases = {});
  void AddInt(std::string path, std::string flag, int* field, int min, int max, std::string help,
              std::vector<std::string> env_aliases = {});
  // Accepts byte sizes with units ("4MiB"); see ParseByteSize.
  void AddBytes(std::string path, std::string flag, int64_t* field, int64_t min, int64_t max,
                std::string help, std::vector<std::string> env_aliases = {});
  void AddBool(std::string path, std::string flag, bool* field, std::string help,
               std::vector<std::string> env_aliases = {});
  // A YAML sequence, or a comma-separated string from env or flags.
  void AddStringList(std::string path, std::string flag, std::vector<std::string>* field,
                     std::string help, std::vector<std::string> env_aliases = {});

  // Top-level sections of the shared config.yaml that belong to other
  // binaries: skipped rather than rejected as unknown.
  void IgnoreSection(std::string section);
  // One key ("section.key") of a section this binary reads that belongs to
  // another binary.
  void IgnoreKey(std::string path);

  const std::vector<ConfigKey>& keys() const { return keys_; }
  const ConfigKey* FindByPath(std::string_view path) const;
  const ConfigKey* FindByFlag(std::string_view flag) const;
  bool IsIgnoredSection(std::string_view section) const;
  bool IsIgnoredKey(std::string_view path) const;

 private:
  void Add(std::string path, std::string flag, std::string help, std::string default_value,
           std::vector<std::string> env_aliases, std::function<Status(std::string_view)> set);

  std::vector<ConfigKey> keys_;
  std::set<std::string, std::less<>> ignored_sections_;
  std::set<std::string, std::less<>> ignored_keys_;
};

// Where configuration comes from. Lowest to highest precedence: the bound
// fields' defaults, the YAML file, the environment, the flags.
struct ConfigSources {
  std::string file_path;                     // empty: no file
  std::map<std::string, std::string> env;    // the process environment
  std::map<std::string, std::string> flags;  // flag name (no dashes) -> value given
};

// Applies every source to the schema's fields. A bad value, an unknown key in
// the file or an unreadable file is INVALID_ARGUMENT with a message naming the
// key and where the value came from; the fields are then partly applied and
// the caller must stop.
Status LoadConfig(const ConfigSchema& schema, const ConfigSources& sources);

// Applies a config.yaml given as text (tests, the config fuzzer).
Status ApplyConfigText(const ConfigSchema& schema, std::string_view yaml);

// The process environment as a map.
std::map<std::string, std::string> EnvironmentMap();

// The environment variables naming the config file, most specific first.
inline constexpr std::array<const char*, 2> kConfigPathEnv = {"CONFIG_PATH", "GALE_CONFIG"};

// The config file to read: the --config flag if given, else $CONFIG_PATH, else
// $GALE_CONFIG, else none.
std::string ResolveConfigPath(std::string_view flag_value,
                              const std::map<std::string, std::string>& env);

}  // namespace gale::common
