// Fuzz target: the JSON bodies of every REST route (coordinator/rest_requests.h),
// and the domain checks their results meet next. Must never crash, hang or
// leak, whatever the bytes.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/ids.h"
#include "coordinator/api/rest_requests.h"
#include "coordinator/store/file_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gale::coordinator;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto registration = DecodeNodeRegistration(body); registration.ok()) {
    (void)gale::common::ValidateNodeId(registration->node_id);
  }
  (void)DecodeHeartbeat(body);
  (void)DecodeUnregister(body);
  (void)DecodeMaintenance(body);
  if (auto file = DecodeFileRegistration(body); file.ok()) {
    (void)ValidateFileName(file->args.name);
    for (const auto& chunk : file->chunks) (void)gale::common::ValidateChunkId(chunk.chunk_id);
  }
  (void)DecodeChunkLocationsUpdate(body);
  return 0;
}
