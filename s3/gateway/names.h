#pragma once

// The names S3 accepts for buckets and object keys, checked the same way by
// the gateway (which answers InvalidBucketName / KeyTooLongError) and by the
// backends (INVALID_ARGUMENT). Free functions, thread-safe.

#include <cstddef>
#include <string_view>

#include "common/status.h"

namespace gale::s3 {

inline constexpr size_t kMaxObjectKeyBytes = 1024;

// S3's rules for new buckets: 3 to 63 characters of a-z 0-9 . -, starting and
// ending with a letter or digit, no "..", not an IPv4 address, no "xn--"
// prefix and no "-s3alias" suffix. INVALID_ARGUMENT naming the rule broken.
Status ValidateBucketName(std::string_view name);

// A key: 1 to 1,024 bytes of valid UTF-8. INVALID_ARGUMENT otherwise.
Status ValidateObjectKey(std::string_view key);

}  // namespace gale::s3
