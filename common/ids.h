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

// S3 access keys the coordinator issues (`gale s3 keys create`): an id of
// "GALE" and 16 characters of [A-Z2-7] (20 in all, like AWS's, but with a
// prefix of its own, so that secret scanners do not take them for AWS keys),
// and a secret of 40 characters of [A-Za-z0-9+/], from OpenSSL's CSPRNG.
inline constexpr std::string_view kS3AccessKeyPrefix = "GALE";
inline constexpr size_t kS3AccessKeyIdLength = 20;
inline constexpr size_t kS3SecretKeyLength = 40;
std::string NewS3AccessKeyId();
std::string NewS3SecretKey();
// INVALID_ARGUMENT naming `field` unless `id` has the form NewS3AccessKeyId
// gives.
Status ValidateS3AccessKeyId(std::string_view id, std::string_view field = "access_key");

}  // namespace gale::common
