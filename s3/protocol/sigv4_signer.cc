#include "s3/protocol/sigv4_signer.h"

#include <algorithm>
#include <vector>

#include "common/strings.h"

namespace gale::s3 {

SigV4Signer::SigV4Signer(std::string access_key_id, std::string secret_key, std::string region,
                         std::string service)
    : access_key_id_(std::move(access_key_id)),
      secret_key_(std::move(secret_key)),
      region_(std::move(region)),
      service_(std::move(service)) {}

std::string SigV4Signer::KeyFor(const std::string& date) {
  absl::MutexLock lock(&mu_);
  if (key_date_ != date) {
    // Four HMACs: cheap, but every request of a load would pay them.
    key_ = SigningKey(secret_key_, date, region_, service_);
    key_date_ = date;
  }
  return key_;
}

Status SigV4Signer::Sign(SigV4Request* request, std::string_view payload_hash, absl::Time now) {
  bool has_host = false;
  for (const auto& [name, value] : request->headers) {
    const std::string lower = AsciiLower(name);
    if (lower == "host") has_host = true;
    if (lower == "authorization" || lower == "x-amz-date" || lower == "x-amz-content-sha256") {
      return absl::InvalidArgumentError(StrCat("the request to sign already has ", name));
    }
  }
  if (!has_host) return absl::InvalidArgumentError("the request to sign has no Host header");

  SigV4Credentials credentials;
  credentials.access_key_id = access_key_id_;
  credentials.scope = {absl::FormatTime("%Y%m%d", now, absl::UTCTimeZone()), region_, service_};
  credentials.amz_date = absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone());
  credentials.request_time = now;
  request->headers.emplace_back("x-amz-date", credentials.amz_date);
  request->headers.emplace_back("x-amz-content-sha256", std::string(payload_hash));
  for (const auto& [name, value] : request->headers) {
    credentials.signed_headers.push_back(AsciiLower(name));
  }
  std::vector<std::string>& names = credentials.signed_headers;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());

  ASSIGN_OR_RETURN(const std::string canonical,
                   CanonicalRequest(*request, credentials, payload_hash));
  const std::string signature =
      SignatureOf(KeyFor(credentials.scope.date),
                  StringToSign(credentials.amz_date, credentials.scope, canonical));
  std::string signed_list;
  for (const std::string& name : names) {
    if (!signed_list.empty()) signed_list += ';';
    signed_list += name;
  }
  request->headers.emplace_back(
      "Authorization",
      StrCat("AWS4-HMAC-SHA256 Credential=", access_key_id_, "/", credentials.scope.ToString(),
             ",SignedHeaders=", signed_list, ",Signature=", signature));
  return absl::OkStatus();
}

}  // namespace gale::s3
