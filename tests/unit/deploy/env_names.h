#pragma once

#include <set>
#include <string>

#include "common/config.h"

namespace gale::testing {

// Every environment variable a binary's configuration reads: each key's
// names, and the ones naming the config file.
template <typename Options>
std::set<std::string> EnvNames() {
  Options options;
  common::ConfigSchema schema;
  options.AddToSchema(&schema);
  std::set<std::string> out(common::kConfigPathEnv.begin(), common::kConfigPathEnv.end());
  for (const auto& key : schema.keys()) out.insert(key.env.begin(), key.env.end());
  return out;
}

}  // namespace gale::testing
