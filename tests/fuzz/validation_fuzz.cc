// Fuzz target: every check an id, name or address passes before it is used
// (chunk ids before they touch a path, file names, node ids, host:port
// lists), plus the bearer-token and write-grant parsers.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/time/clock.h"
#include "common/ids.h"
#include "common/net_address.h"
#include "common/security.h"
#include "coordinator/store/file_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gale;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (common::ValidateChunkId(text).ok() && text.size() != 64) __builtin_trap();
  (void)coordinator::ValidateFileName(text);
  (void)common::ValidateNodeId(text);
  (void)common::ParseHostPortList(text, "address");
  (void)common::BearerToken(text);
  static const common::ChunkWriteGrants grants("fuzz-join-token");
  const std::string_view chunk = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  (void)grants.Verify(text, chunk, absl::FromUnixSeconds(1'800'000'000));
  return 0;
}
