#include "node/chunk_paths.h"

#include "common/strings.h"

namespace gale::node {

std::string ChunkPaths::ChunkDir(std::string_view id) const {
  return StrCat(ChunksDir(), "/", id.substr(0, 2), "/", id.substr(2, 2));
}

std::string ChunkPaths::ChunkFile(std::string_view id) const {
  return StrCat(ChunkDir(id), "/", id);
}

std::string ChunkPaths::TmpFile(std::string_view id, uint64_t unique) const {
  return StrCat(TmpDir(), "/", id, ".", unique);
}

std::string ChunkPaths::QuarantineFile(std::string_view id, int64_t unix_ms) const {
  return StrCat(QuarantineDir(), "/", id, ".", unix_ms);
}

}  // namespace gale::node
