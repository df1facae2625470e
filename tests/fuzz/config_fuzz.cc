// Fuzz target: config.yaml parsing for both binaries' schemas, then their
// checks of the values (Finalize).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/config.h"
#include "coordinator/coordinator_options.h"
#include "node/node_options.h"

namespace {

template <typename Options>
void Load(std::string_view yaml) {
  Options options;
  gale::common::ConfigSchema schema;
  options.AddToSchema(&schema);
  if (gale::common::ApplyConfigText(schema, yaml).ok()) (void)options.Finalize();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  Load<gale::coordinator::CoordinatorOptions>(yaml);
  Load<gale::node::NodeOptions>(yaml);
  return 0;
}
