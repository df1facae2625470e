#pragma once

#include <string>

#include "nlohmann/json.hpp"

namespace gale::bench {

// What the figures were measured on.
struct MachineFacts {
  int cores = 0;
  std::string cpu_model;
  std::string kernel;
  int64_t memory_bytes = 0;
  std::string disk;  // the device and filesystem under the work directory

  nlohmann::json ToJson() const;
  std::string ToString() const;  // one line
};

// Reads /proc, uname and the mount table; `work_dir` is where the benchmark
// writes.
MachineFacts ReadMachineFacts(const std::string& work_dir);

}  // namespace gale::bench
