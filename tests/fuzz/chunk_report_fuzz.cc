// Fuzz target: nodes' chunk reports as they arrive on the wire (protobuf
// bytes of ReportChunkChanges and of a ReportChunks batch), decoded and
// checked as the coordinator does before anything reaches the store.

#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>

#include "coordinator/api/chunk_report_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gale;
  // Invalid UTF-8 in string fields is an expected parse failure, not news.
  [[maybe_unused]] static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  v1::ReportChunkChangesRequest changes;
  if (changes.ParseFromArray(data, static_cast<int>(size))) {
    const coordinator::ChunkChanges decoded = coordinator::DecodeChunkChanges(changes);
    (void)coordinator::ValidateChunkChanges(decoded.received, decoded.deleted, decoded.corrupt);
  }
  v1::ReportChunksRequest batch;
  if (batch.ParseFromArray(data, static_cast<int>(size))) {
    std::vector<coordinator::ChunkReplica> chunks;
    coordinator::AppendReportBatch(batch, &chunks);
    (void)coordinator::ValidateReplicas(chunks);
  }
  return 0;
}
