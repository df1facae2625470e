#include "common/config.h"

#include <unistd.h>

#include <cmath>

#include "common/strings.h"
#include "common/units.h"
#include "yaml-cpp/yaml.h"

extern char** environ;

namespace gale::common {
namespace {

std::string EnvNameForFlag(std::string_view flag) {
  std::string name = StrCat("GALE_", AsciiUpper(flag));
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

Result<int64_t> ParseInt(std::string_view text, int64_t min, int64_t max) {
  std::optional<int64_t> parsed = ParseInt64(TrimWhitespace(text));
  if (!parsed) return absl::InvalidArgumentError(StrCat("'", text, "' is not an integer"));
  int64_t value = *parsed;
  if (value < min || value > max) {
    return absl::InvalidArgumentError(StrCat(value, " is out of range [", min, ", ", max, "]"));
  }
  return value;
}

Result<bool> ParseBool(std::string_view text) {
  std::string lower = AsciiLower(TrimWhitespace(text));
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
  return absl::InvalidArgumentError(StrCat("'", text, "' is not a boolean (true/false)"));
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view part : SplitTrimmed(text, ',')) out.emplace_back(part);
  return out;
}

Status ApplyValue(const ConfigKey& key, std::string_view value, std::string_view source) {
  Status status = key.set(value);
  if (status.ok()) return status;
  return absl::InvalidArgumentError(
      StrCat("invalid value for ", key.path, " (from ", source, "): ", status.message()));
}

// Collects the leaves of a YAML mapping as "a.b.c" -> text. Sequences are
// leaves, joined with commas (list-valued keys split them again).
Status FlattenYaml(const YAML::Node& node, const std::string& prefix,
                   std::vector<std::pair<std::string, std::string>>* out) {
  if (node.IsMap()) {
    for (const auto& entry : node) {
      std::string key = entry.first.as<std::string>();
      std::string path = prefix.empty() ? key : StrCat(prefix, ".", key);
      RETURN_IF_ERROR(FlattenYaml(entry.second, path, out));
    }
    return absl::OkStatus();
  }
  if (prefix.empty()) {
    if (node.IsNull()) return absl::OkStatus();  // an empty file
    return absl::InvalidArgumentError("the config file must be a YAML mapping of sections");
  }
  if (node.IsSequence()) {
    std::vector<std::string> items;
    for (const auto& item : node) {
      if (!item.IsScalar()) {
        return absl::InvalidArgumentError(StrCat(prefix, ": list items must be values"));
      }
      items.push_back(item.Scalar());
    }
    out->emplace_back(prefix, fmt::format("{}", fmt::join(items, ",")));
    return absl::OkStatus();
  }
  out->emplace_back(prefix, node.IsNull() ? "" : node.Scalar());
  return absl::OkStatus();
}

// Applies the keys of a parsed config.yaml; `path` names it in errors.
Status ApplyYaml(const ConfigSchema& schema, const YAML::Node& root, const std::string& path) {
  std::vector<std::pair<std::string, std::string>> leaves;
  try {
    RETURN_IF_ERROR(FlattenYaml(root, "", &leaves));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(StrCat("config file ", path, ": ", e.what()));
  }
  for (const auto& [key_path, value] : leaves) {
    std::string_view section = std::string_view(key_path).substr(0, key_path.find('.'));
    const ConfigKey* key = schema.FindByPath(key_path);
    if (key == nullptr) {
      if (schema.IsIgnoredSection(section) || schema.IsIgnoredKey(key_path)) continue;
      return absl::InvalidArgumentError(
          StrCat("config file ", path, ": unknown key '", key_path, "'"));
    }
    RETURN_IF_ERROR(ApplyValue(*key, value, StrCat("config file ", path)));
  }
  return absl::OkStatus();
}

}  // namespace

void ConfigSchema::Add(std::string path, std::string flag, std::string help,
                       std::string default_value, std::vector<std::string> env_aliases,
                       std::function<Status(std::string_view)> set) {
  ConfigKey key;
  key.env.push_back(EnvNameForFlag(flag));
  for (auto& alias : env_aliases) key.env.push_back(std::move(alias));
  key.path = std::move(path);
  key.flag = std::move(flag);
  key.help = std::move(help);
  key.default_value = std::move(default_value);
  key.set = std::move(set);
  keys_.push_back(std::move(key));
}

void ConfigSchema::AddString(std::string path, std::string flag, std::string* field,
                             std::string help, std::vector<std::string> env_aliases) {
  Add(std::move(path), std::move(flag), std::move(help), *field, std::move(env_aliases),
      [field](std::string_view v) {
        *field = std::string(v);
        return absl::OkStatus();
      });
}

void ConfigSchema::AddEnum(std::string path, std::string flag, std::string* field,
                           std::vector<std::string> allowed, std::string help,
                           std::vector<std::string> env_aliases) {
  Add(std::move(path), std::move(flag), std::move(help), *field, std::move(env_aliases),
      [field, allowed](std::string_view v) -> Status {
        std::string value = AsciiLower(TrimWhitespace(v));
        for (const auto& a : allowed) {
          if (value == a) {
            *field = value;
            return absl::OkStatus();
          }
        }
        return absl::InvalidArgumentError(
            StrCat("'", v, "' is not one of: ", fmt::format("{}", fmt::join(allowed, ", "))));
      });
}

void ConfigSchema::AddInt(std::string path, std::string flag, int64_t* field, int64_t min,
                          int64_t max, std::string help, std::vector<std::string> env_aliases) {
  Add(std::move(path), std::move(flag), std::move(help), StrCat(*field), std::move(env_aliases),
      [field, min, max](std::string_view v) -> Status {
        ASSIGN_OR_RETURN(*field, ParseInt(v, min, max));
        return absl::OkStatus();
      });
}

void ConfigSchema::AddInt(std::string path, std::string flag, int* field, int min, int max,
                          std::string help, std::vector<std::string> env_aliases) {
  Add(std::move(path), std::move(flag), std::move(help), StrCat(*field), std::move(env_aliases),
      [field, min, max](std::string_view v) -> Status {
        ASSIGN_OR_RETURN(int64_t value, ParseInt(v, min, max));
        *field = static_cast<int>(value);
        return absl::OkStatus();
      });
}

void ConfigSchema::AddBytes(std::string path, std::string flag, int64_t* field, int64_t min,
                            int64_t max, std::string help, std::vector<std::string> env_aliases) {
  Add(std::move(path), std::move(flag), std::move(help), StrCat(*field), std::move(env_aliases),
      [field, min, max](std::string_view v) -> Status {
        ASSIGN_OR_RETURN(int64_t value, ParseByteSize(v));
        if (value < min || value > max) {
          return absl::InvalidArgumentError(
              StrCat(value, " bytes is out of range [", min, ", ", max, "]"));
        }
        *field = value;
        return absl::OkStatus();
      });
}

void ConfigSchema::AddBool(std::string path, std::string flag, bool* field, std::string help,
                           std::vector<std::string> env_aliases) {
  Add(std::move(path), std::move(flag), std::move(help), *field ? "true" : "false",
      std::move(env_aliases), [field](std::string_view v) -> Status {
        ASSIGN_OR_RETURN(*field, ParseBool(v));
        return absl::OkStatus();
      });
}

void ConfigSchema::AddStringList(std::string path, std::string flag,
                                 std::vector<std::string>* field, std::string help,
                                 std::vector<std::string> env_aliases) {
  Add(std::move(path), std::move(flag), std::move(help), fmt::format("{}", fmt::join(*field, ",")),
      std::move(env_aliases), [field](std::string_view v) {
        *field = SplitList(v);
        return absl::OkStatus();
      });
}

void ConfigSchema::IgnoreSection(std::string section) {
  ignored_sections_.insert(std::move(section));
}

const ConfigKey* ConfigSchema::FindByPath(std::string_view path) const {
  for (const auto& key : keys_) {
    if (key.path == path) return &key;
  }
  return nullptr;
}

const ConfigKey* ConfigSchema::FindByFlag(std::string_view flag) const {
  for (const auto& key : keys_) {
    if (key.flag == flag) return &key;
  }
  return nullptr;
}

bool ConfigSchema::IsIgnoredSection(std::string_view section) const {
  return ignored_sections_.contains(section);
}

void ConfigSchema::IgnoreKey(std::string path) { ignored_keys_.insert(std::move(path)); }

bool ConfigSchema::IsIgnoredKey(std::string_view path) const {
  return ignored_keys_.contains(path);
}

namespace {

Status ApplyFile(const ConfigSchema& schema, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return absl::InvalidArgumentError(StrCat("cannot read config file ", path));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(StrCat("config file ", path, ": ", e.what()));
  }
  return ApplyYaml(schema, root, path);
}

}  // namespace

Status ApplyConfigText(const ConfigSchema& schema, std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(StrCat("config text: ", e.what()));
  }
  return ApplyYaml(schema, root, "text");
}

Status LoadConfig(const ConfigSchema& schema, const ConfigSources& sources) {
  if (!sources.file_path.empty()) RETURN_IF_ERROR(ApplyFile(schema, sources.file_path));

  for (const ConfigKey& key : schema.keys()) {
    // The most specific name wins: GALE_<FLAG> before aliases such as GRPC_PORT.
    for (const std::string& name : key.env) {
      auto it = sources.env.find(name);
      if (it == sources.env.end() || it->second.empty()) continue;
      RETURN_IF_ERROR(ApplyValue(key, it->second, StrCat("environment ", name)));
      break;
    }
  }

  for (const auto& [flag, value] : sources.flags) {
    const ConfigKey* key = schema.FindByFlag(flag);
    if (key == nullptr) return absl::InvalidArgumentError(StrCat("unknown flag --", flag));
    RETURN_IF_ERROR(ApplyValue(*key, value, StrCat("flag --", flag)));
  }
  return absl::OkStatus();
}

std::map<std::string, std::string> EnvironmentMap() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

std::string ResolveConfigPath(std::string_view flag_value,
                              const std::map<std::string, std::string>& env) {
  if (!flag_value.empty()) return std::string(flag_value);
  for (const char* name : kConfigPathEnv) {
    auto it = env.find(name);
    if (it != env.end() && !it->second.empty()) return it->second;
  }
  return "";
}

}  // namespace gale::common
