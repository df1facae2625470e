#include "common/security.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>

#include "common/strings.h"

namespace gale::common {
namespace {

std::string RawSha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace

void SecurityOptions::AddToSchema(ConfigSchema* s, bool coordinator) {
  s->AddString("security.join_token", "join-token", &join_token,
               "shared secret of the nodes and the coordinator (empty: none needed)");
  if (!coordinator) {
    for (const char* key :
         {"security.api_tokens", "security.read_tokens", "security.anonymous_read"}) {
      s->IgnoreKey(key);
    }
    return;
  }
  s->AddStringList("security.api_tokens", "api-tokens", &api_tokens,
                   "full-access tokens for REST and client gRPC (empty: no token needed)");
  s->AddStringList("security.read_tokens", "read-tokens", &read_tokens,
                   "read-only tokens for REST and client gRPC");
  s->AddBool("security.anonymous_read", "anonymous-read", &anonymous_read,
             "with tokens configured, let callers without one read");
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  const std::string ha = RawSha256(a);
  const std::string hb = RawSha256(b);
  return CRYPTO_memcmp(ha.data(), hb.data(), ha.size()) == 0;
}

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    // The scheme is case-insensitive (RFC 9110).
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return std::nullopt;
    }
  }
  std::string_view token = TrimWhitespace(authorization.substr(kScheme.size()));
  if (token.empty()) return std::nullopt;
  return token;
}

bool Authenticator::AnyOf(const std::vector<std::string>& tokens, std::string_view token) const {
  bool match = false;
  for (const std::string& candidate : tokens) match |= ConstantTimeEquals(candidate, token);
  return match;
}

Status Authenticator::Check(Access access, std::optional<std::string_view> token) const {
  switch (access) {
    case Access::kOpen:
      return absl::OkStatus();
    case Access::kNode:
      if (options_.join_token.empty()) return absl::OkStatus();
      if (!token) {
        return absl::UnauthenticatedError(
            StrCat("this call needs the cluster's join token (header or metadata ",
                   kJoinTokenHeader, ", or Authorization: Bearer)"));
      }
      if (!ConstantTimeEquals(options_.join_token, *token)) {
        return absl::UnauthenticatedError("the join token presented is not this cluster's");
      }
      return absl::OkStatus();
    case Access::kRead:
    case Access::kWrite:
      break;
  }
  if (!options_.api_tokens_required()) return absl::OkStatus();
  const bool write = access == Access::kWrite;
  if (!token) {
    if (!write && options_.anonymous_read) return absl::OkStatus();
    return absl::UnauthenticatedError(
        "this call needs an API token: send Authorization: Bearer <token> (the CLI reads "
        "GALE_TOKEN or --token)");
  }
  if (AnyOf(options_.api_tokens, *token)) return absl::OkStatus();
  if (AnyOf(options_.read_tokens, *token)) {
    if (!write) return absl::OkStatus();
    return absl::PermissionDeniedError("this token may only read; this call writes");
  }
  if (!write && options_.anonymous_read) return absl::OkStatus();
  return absl::UnauthenticatedError("the API token presented is not valid");
}

ChunkWriteGrants::ChunkWriteGrants(std::string_view join_token) {
  // A key of its own, so that a grant never reveals anything usable as the
  // join token.
  if (!join_token.empty()) key_ = RawSha256(StrCat("gale chunk write grant\n", join_token));
}

std::string ChunkWriteGrants::Sign(std::string_view chunk_id, int64_t expires_ms) const {
  const std::string message = StrCat("put\n", chunk_id, "\n", expires_ms);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(mac), length));
}

std::string ChunkWriteGrants::Issue(std::string_view chunk_id, absl::Time expires) const {
  if (!enabled()) return "";
  const int64_t expires_ms = absl::ToUnixMillis(expires);
  return StrCat(expires_ms, ".", Sign(chunk_id, expires_ms));
}

Status ChunkWriteGrants::Verify(std::string_view grant, std::string_view chunk_id,
                                absl::Time now) const {
  if (!enabled()) return absl::OkStatus();
  if (grant.empty()) {
    return absl::PermissionDeniedError(
        StrCat("writing a chunk needs a grant from the coordinator (header ", kWriteGrantHeader,
               ") or the join token"));
  }
  const size_t dot = grant.find('.');
  std::optional<int64_t> expires_ms =
      dot == std::string_view::npos ? std::nullopt : ParseInt64(grant.substr(0, dot));
  if (!expires_ms) return absl::PermissionDeniedError("the chunk write grant is malformed");
  if (!ConstantTimeEquals(grant.substr(dot + 1), Sign(chunk_id, *expires_ms))) {
    return absl::PermissionDeniedError("the chunk write grant is not valid for this chunk");
  }
  if (absl::FromUnixMillis(*expires_ms) < now) {
    return absl::PermissionDeniedError("the chunk write grant has expired; allocate again");
  }
  return absl::OkStatus();
}

}  // namespace gale::common
