#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace gale::common {

// A random (version 4) UUID in canonical lowercase form, from OpenSSL's CSPRNG.
std::string NewUuid();

// Node ids are chosen by the coordinator (UUIDs) or by operators: 1-128
// characters of [A-Za-z0-9._-], not starting with '.'. INVALID_ARGUMENT
// naming `field` otherwise.
Status ValidateNodeId(std::string_view id, std::string_view field = "node_id");

// Chunk ids are the lowercase hex SHA-256 of the chunk's bytes: exactly 64
// characters of [0-9a-f]. Checked before an id touches a path.
// INVALID_ARGUMENT naming `field` otherwise.
Status ValidateChunkId(std::string_view id, std::string_view field = "chunk_id");

}  // namespace gale::common
