#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/config.h"
#include "common/status.h"

namespace gale::common {

// The security keys of config.yaml (section "security"). The node reads the
// join token only; the coordinator reads all. A plain value type.
struct SecurityOptions {
  // The shared secret every node presents to the coordinator, and from which
  // the coordinator signs the chunk write grants nodes check. Empty: none
  // needed (a warning at start-up).
  std::string join_token;
  // Full-access tokens (reads, writes, administration) for REST and client
  // gRPC calls; with none (and no read tokens) calls need no token.
  std::vector<std::string> api_tokens;
  // Tokens that may only read.
  std::vector<std::string> read_tokens;
  // With tokens configured: whether reads are open to callers without one.
  bool anonymous_read = false;

  // Binds the join token only (the node), or every key (the coordinator).
  void AddToSchema(ConfigSchema* schema, bool coordinator);
  bool api_tokens_required() const { return !api_tokens.empty() || !read_tokens.empty(); }
};

// What a call needs.
enum class Access {
  kOpen,   // nothing (health, probes)
  kNode,   // the join token: node registration, heartbeats, reports
  kRead,   // a read or full token, unless anonymous reads are allowed
  kWrite,  // a full token: uploads, deletes, administration
};

// Equality that takes the same time wherever the strings differ, and leaks
// nothing of their lengths (both are hashed first).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// The token of an "Authorization: Bearer <token>" header value, or nullopt.
std::optional<std::string_view> BearerToken(std::string_view authorization);

// Decides whether a caller presenting `token` may make a call needing
// `access`: UNAUTHENTICATED (401) without a valid one, PERMISSION_DENIED
// (403) for a read token on a write. Tokens never appear in messages or
// logs. Immutable; thread-safe.
class Authenticator {
 public:
  explicit Authenticator(SecurityOptions options) : options_(std::move(options)) {}

  // `token`: what the caller presented (a bearer token, or the node's join
  // token header), nullopt for nothing.
  Status Check(Access access, std::optional<std::string_view> token) const;

  const SecurityOptions& options() const { return options_; }

 private:
  bool AnyOf(const std::vector<std::string>& tokens, std::string_view token) const;

  const SecurityOptions options_;
};

// The header and gRPC metadata key carrying the join token (gRPC keys are
// lowercase).
inline constexpr std::string_view kJoinTokenHeader = "x-gale-join-token";
// The HTTP header carrying a chunk write grant to a node's data API.
inline constexpr std::string_view kWriteGrantHeader = "x-gale-write-grant";

// Grants to PUT one chunk to nodes, signed by the coordinator with a key
// derived from the join token (HMAC-SHA256 over the chunk id and an expiry)
// and checked by the nodes, which know the same token: only clients the
// coordinator directed (and operators holding the join token) write chunks.
// A grant is "<expiry unix ms>.<hex signature>". With an empty join token
// grants are "" and every check passes. Immutable; thread-safe.
class ChunkWriteGrants {
 public:
  explicit ChunkWriteGrants(std::string_view join_token);

  bool enabled() const { return !key_.empty(); }
  std::string Issue(std::string_view chunk_id, absl::Time expires) const;
  // PERMISSION_DENIED for a missing, malformed, forged or expired grant (or
  // one for another chunk).
  Status Verify(std::string_view grant, std::string_view chunk_id, absl::Time now) const;

 private:
  std::string Sign(std::string_view chunk_id, int64_t expires_ms) const;

  std::string key_;  // raw HMAC key; empty when disabled
};

}  // namespace gale::common
