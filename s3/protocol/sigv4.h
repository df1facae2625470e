#pragma once

// AWS Signature Version 4 verification as S3 does it: the Authorization
// header form and the presigned (query string) form, the canonical request,
// the string to sign and the signing key. Pure functions of the request as
// received, the secret and the time; the caller looks the secret up by the
// access key that ParseSigV4 returns. Secrets never appear in messages.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "common/status.h"

namespace gale::s3 {

class SigningKeyCache;

// A request as received: `raw_path` exactly as on the request line (before
// '?', percent-encoded as sent), `raw_query` after '?' (without it), headers
// in any case, repeats allowed.
struct SigV4Request {
  std::string method;
  std::string raw_path;
  std::string raw_query;
  std::vector<std::pair<std::string, std::string>> headers;
};

// What x-amz-content-sha256 (or, presigned, its absence) says of the body.
enum class PayloadMode {
  kSha256Hex,                 // the body's hex SHA-256, to check once received
  kUnsignedPayload,           // UNSIGNED-PAYLOAD
  kStreamingSigned,           // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
  kStreamingUnsignedTrailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER
  kStreamingSignedTrailer,    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
};

// The x-amz-content-sha256 literal of a mode ("" for kSha256Hex).
std::string_view PayloadModeLiteral(PayloadMode mode);

// The credential scope: <date>/<region>/<service>/aws4_request.
struct CredentialScope {
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;
  std::string ToString() const;
};

// The authentication a request carries, parsed but not yet verified.
struct SigV4Credentials {
  bool presigned = false;
  std::string access_key_id;
  CredentialScope scope;
  std::string amz_date;  // the request time as signed, YYYYMMDD'T'HHMMSS'Z'
  absl::Time request_time;
  int64_t expires_seconds = 0;              // presigned only (X-Amz-Expires)
  std::vector<std::string> signed_headers;  // lowercase, as listed
  std::string signature;                    // lowercase hex as sent
};

// A request whose signature has been verified.
struct SigV4Auth {
  SigV4Credentials credentials;
  PayloadMode payload_mode = PayloadMode::kUnsignedPayload;
  std::string payload_sha256;  // lowercase hex, kSha256Hex only
  std::string signing_key;     // 32 raw bytes: the key of chunk and trailer signatures
  // The request's signature: the seed of the chunk signatures.
  const std::string& seed_signature() const { return credentials.signature; }
};

struct SigV4Options {
  // The region requests must be signed for; empty accepts any.
  std::string region;
  // Header-signed requests further than this from now: RequestTimeTooSkewed.
  // Presigned ones dated further in the future: AccessDenied.
  absl::Duration max_skew = absl::Minutes(15);
  // Where derived signing keys are kept between requests; none: each
  // request derives its own.
  SigningKeyCache* signing_keys = nullptr;
};

// Whether `raw_query` authenticates with Signature Version 2 (AWSAccessKeyId
// and Signature), as Debian 12's boto3 presigns by default.
bool IsSigV2Presigned(std::string_view raw_query);

// The authentication of `request`: its Authorization header
// (AuthorizationHeaderMalformed when malformed, InvalidRequest for another
// scheme) or its X-Amz-* query parameters (AuthorizationQueryParametersError
// when malformed or X-Amz-Expires is outside 1..604800). Both at once:
// InvalidArgument; SigV2 query parameters: InvalidRequest; none:
// AccessDenied. Checks no time and no signature.
Result<SigV4Credentials> ParseSigV4(const SigV4Request& request);

// Verifies `request`, whose credentials ParseSigV4 gave, with the secret of
// their access key at time `now`. AuthorizationHeaderMalformed /
// AuthorizationQueryParametersError for a scope that is not
// <date of the request>/<options.region>/s3/aws4_request; RequestTimeTooSkewed
// (header) or AccessDenied "Request has expired" / "Request is not valid yet"
// (presigned) for the time; InvalidRequest / InvalidArgument for a missing or
// invalid x-amz-content-sha256; AccessDenied for an x-amz-* header that is not
// signed; SignatureDoesNotMatch for a missing signed header or a wrong
// signature (compared in constant time).
Result<SigV4Auth> VerifySigV4(const SigV4Request& request, const SigV4Credentials& credentials,
                              std::string_view secret_key, absl::Time now,
                              const SigV4Options& options = {});

// ParseSigV4, then VerifySigV4 with a secret already known.
Result<SigV4Auth> VerifySigV4(const SigV4Request& request, std::string_view secret_key,
                              absl::Time now, const SigV4Options& options = {});

// --- The pieces, exposed for tests, caches and the chunk decoder. ----------

// Percent-encodes every byte but A-Z a-z 0-9 - . _ ~ (and '/' unless
// `encode_slash`), as %XX in uppercase hex.
std::string UriEncode(std::string_view bytes, bool encode_slash);

// Decodes %XX escapes (a '%' not followed by two hex digits stays as is);
// with `plus_is_space`, '+' decodes to ' '.
std::string UriDecode(std::string_view text, bool plus_is_space);

// S3's canonical URI: the path decoded once, then each byte encoded (slashes
// kept); no normalization of "." / ".." / "//"; "" becomes "/".
std::string CanonicalUri(std::string_view raw_path);

// The canonical query string: each name and value decoded ('+' is a space)
// and re-encoded, sorted by name then value, joined by '&'. With
// `drop_signature`, X-Amz-Signature is left out (presigned requests).
std::string CanonicalQuery(std::string_view raw_query, bool drop_signature);

// The canonical request: method, URI, query, the signed headers as
// "name:value\n" (values trimmed, inner runs of spaces collapsed, repeats
// joined by ','), the signed header list, and `payload_hash`.
// SignatureDoesNotMatch when a signed header is absent (except for an absent
// x-amz-content-sha256 of a presigned request, which none signs).
Result<std::string> CanonicalRequest(const SigV4Request& request,
                                     const SigV4Credentials& credentials,
                                     std::string_view payload_hash);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256(canonical_request)>".
std::string StringToSign(std::string_view amz_date, const CredentialScope& scope,
                         std::string_view canonical_request);

// HMAC-SHA256 (raw 32 bytes).
std::string HmacSha256(std::string_view key, std::string_view data);

// The signing key (raw 32 bytes): HMAC chain over "AWS4" + secret, date,
// region, service, "aws4_request". Depends on no request: cache it per
// (access key, date, region).
std::string SigningKey(std::string_view secret_key, std::string_view date, std::string_view region,
                       std::string_view service);

// hex(HMAC-SHA256(signing_key, string_to_sign)).
std::string SignatureOf(std::string_view signing_key, std::string_view string_to_sign);

// Lowercase hex strings compared in constant time (for equal lengths).
bool SignaturesEqual(std::string_view a, std::string_view b);

}  // namespace gale::s3
