#include "s3/protocol/sigv4.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <optional>

#include "absl/time/civil_time.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "s3/protocol/s3_error.h"
#include "s3/protocol/signing_key_cache.h"

namespace gale::s3 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr int64_t kMaxPresignExpires = 604800;  // one week

using Headers = std::vector<std::pair<std::string, std::string>>;

bool IsHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

bool IsDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Every value of header `lower_name`, in the order received.
std::vector<std::string_view> HeaderValues(const Headers& headers, std::string_view lower_name) {
  std::vector<std::string_view> values;
  for (const auto& [name, value] : headers) {
    if (name.size() == lower_name.size() && AsciiLower(name) == lower_name) values.push_back(value);
  }
  return values;
}

std::optional<std::string_view> SingleHeader(const Headers& headers, std::string_view lower_name) {
  auto values = HeaderValues(headers, lower_name);
  if (values.empty()) return std::nullopt;
  return values.front();
}

// Trims spaces and tabs, collapses inner runs of spaces to one.
std::string CanonicalHeaderValue(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  return out;
}

// The decoded name/value pairs of a query string, in order.
std::vector<std::pair<std::string, std::string>> DecodeQuery(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!raw_query.empty()) {
    const size_t amp = raw_query.find('&');
    std::string_view piece = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view() : raw_query.substr(amp + 1);
    if (piece.empty()) continue;
    const size_t eq = piece.find('=');
    std::string_view name = piece.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    params.emplace_back(UriDecode(name, true), UriDecode(value, true));
  }
  return params;
}

std::optional<absl::Time> ParseAmzDate(std::string_view text) {
  // YYYYMMDD'T'HHMMSS'Z', strictly. (absl::ParseTime's %Y takes any number
  // of digits, so the fields are read here.)
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z' || !IsDigits(text.substr(0, 8)) ||
      !IsDigits(text.substr(9, 6))) {
    return std::nullopt;
  }
  auto field = [&](size_t at, size_t n) {
    int value = 0;
    for (size_t i = at; i < at + n; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  const absl::CivilSecond civil(field(0, 4), field(4, 2), field(6, 2), field(9, 2), field(11, 2),
                                field(13, 2));
  // CivilSecond normalizes out-of-range fields (month 13): refuse those.
  if (civil.year() != field(0, 4) || civil.month() != field(4, 2) || civil.day() != field(6, 2) ||
      civil.hour() != field(9, 2) || civil.minute() != field(11, 2) ||
      civil.second() != field(13, 2)) {
    return std::nullopt;
  }
  return absl::FromCivil(civil, absl::UTCTimeZone());
}

std::string FormatAmzDate(absl::Time time) {
  return absl::FormatTime("%Y%m%dT%H%M%SZ", time, absl::UTCTimeZone());
}

Status Malformed(bool presigned, std::string message) {
  return S3Error(presigned ? S3ErrorCode::kAuthorizationQueryParametersError
                           : S3ErrorCode::kAuthorizationHeaderMalformed,
                 std::move(message));
}

// "AKID/YYYYMMDD/REGION/SERVICE/aws4_request" into `out`.
Status ParseCredential(std::string_view credential, bool presigned, SigV4Credentials* out) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t slash = credential.find('/', start);
    parts.push_back(credential.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  const std::string expecting =
      "the Credential is mal-formed; expecting "
      "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"";
  if (parts.size() != 5 || parts[0].empty() || parts[1].size() != 8 || !IsDigits(parts[1]) ||
      parts[2].empty() || parts[4] != kTerminator) {
    return Malformed(presigned, StrCat(presigned ? "Error parsing the X-Amz-Credential parameter; "
                                                 : "The authorization header is malformed; ",
                                       expecting, "."));
  }
  if (parts[3] != "s3") {
    return Malformed(presigned,
                     StrCat("The authorization ", presigned ? "query parameters are" : "header is",
                            " malformed; incorrect service \"", EscapeForMessage(parts[3], 32),
                            "\". This endpoint belongs to \"s3\"."));
  }
  out->access_key_id = std::string(parts[0]);
  out->scope = CredentialScope{std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
  return absl::OkStatus();
}

Status ParseSignedHeaders(std::string_view list, bool presigned, SigV4Credentials* out) {
  out->signed_headers.clear();
  size_t start = 0;
  while (true) {
    const size_t semi = list.find(';', start);
    const std::string_view name = list.substr(start, semi - start);
    const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return c > ' ' && c < 0x7f && c != ':' && !(c >= 'A' && c <= 'Z');
    });
    if (!valid) {
      return Malformed(presigned, StrCat("The SignedHeaders list is malformed: \"",
                                         EscapeForMessage(list, 200), "\"."));
    }
    out->signed_headers.emplace_back(name);
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  if (std::find(out->signed_headers.begin(), out->signed_headers.end(), "host") ==
      out->signed_headers.end()) {
    return Malformed(presigned, "The host header must be signed.");
  }
  return absl::OkStatus();
}

// S3's answer to Signature Version 2 (and any other scheme but SigV4), in a
// header or a query string.
Status UnsupportedAuthMechanism() {
  return S3Error(S3ErrorCode::kInvalidRequest,
                 "The authorization mechanism you have provided is not supported. Please use "
                 "AWS4-HMAC-SHA256.");
}

Result<SigV4Credentials> ParseHeaderAuth(const SigV4Request& request, std::string_view value) {
  value = TrimWhitespace(value);
  const size_t space = value.find(' ');
  const std::string_view scheme = value.substr(0, space);
  if (scheme != kAlgorithm) {
    if (scheme.substr(0, 4) == "AWS4") {
      return Malformed(false,
                       StrCat("The authorization header is malformed; unsupported algorithm \"",
                              EscapeForMessage(scheme, 40), "\"."));
    }
    return UnsupportedAuthMechanism();
  }
  SigV4Credentials out;
  std::optional<std::string_view> credential, signed_headers, signature;
  std::string_view rest =
      space == std::string_view::npos ? std::string_view() : value.substr(space);
  for (const std::string_view part : SplitTrimmed(rest, ',')) {
    const size_t eq = part.find('=');
    const std::string_view key = part.substr(0, eq);
    const std::string_view val =
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    std::optional<std::string_view>* slot = key == "Credential"      ? &credential
                                            : key == "SignedHeaders" ? &signed_headers
                                            : key == "Signature"     ? &signature
                                                                     : nullptr;
    if (eq == std::string_view::npos || slot == nullptr || slot->has_value()) {
      return Malformed(false, StrCat("The authorization header is malformed; unexpected \"",
                                     EscapeForMessage(part, 64), "\"."));
    }
    *slot = val;
  }
  if (!credential || !signed_headers || !signature) {
    return Malformed(false,
                     "The authorization header is malformed; it needs Credential, SignedHeaders "
                     "and Signature.");
  }
  RETURN_IF_ERROR(ParseCredential(*credential, false, &out));
  RETURN_IF_ERROR(ParseSignedHeaders(*signed_headers, false, &out));
  out.signature = std::string(*signature);

  // The request time: x-amz-date, else Date (RFC 1123).
  std::optional<absl::Time> time;
  if (auto amz_date = SingleHeader(request.headers, "x-amz-date"); amz_date.has_value()) {
    time = ParseAmzDate(TrimWhitespace(*amz_date));
    if (time.has_value()) out.amz_date = std::string(TrimWhitespace(*amz_date));
  } else if (auto date = SingleHeader(request.headers, "date"); date.has_value()) {
    absl::Time parsed;
    std::string err;
    if (absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(TrimWhitespace(*date)),
                        absl::UTCTimeZone(), &parsed, &err)) {
      time = parsed;
      out.amz_date = FormatAmzDate(parsed);
    }
  }
  if (!time.has_value()) {
    return S3Error(S3ErrorCode::kAccessDenied,
                   "AWS authentication requires a valid Date or x-amz-date header");
  }
  out.request_time = *time;
  return out;
}

Result<SigV4Credentials> ParsePresigned(
    const std::vector<std::pair<std::string, std::string>>& params) {
  std::optional<std::string> algorithm, credential, date, expires, signed_headers, signature;
  for (const auto& [name, value] : params) {
    std::optional<std::string>* slot = name == "X-Amz-Algorithm"       ? &algorithm
                                       : name == "X-Amz-Credential"    ? &credential
                                       : name == "X-Amz-Date"          ? &date
                                       : name == "X-Amz-Expires"       ? &expires
                                       : name == "X-Amz-SignedHeaders" ? &signed_headers
                                       : name == "X-Amz-Signature"     ? &signature
                                                                       : nullptr;
    if (slot == nullptr) continue;
    if (slot->has_value()) {
      return Malformed(true, StrCat("The query parameter ", name, " appears more than once."));
    }
    *slot = value;
  }
  if (!algorithm || !credential || !date || !expires || !signed_headers || !signature) {
    return Malformed(true,
                     "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                     "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
                     "X-Amz-Expires parameters.");
  }
  if (*algorithm != kAlgorithm) {
    return Malformed(true, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  }
  SigV4Credentials out;
  out.presigned = true;
  RETURN_IF_ERROR(ParseCredential(*credential, true, &out));
  RETURN_IF_ERROR(ParseSignedHeaders(*signed_headers, true, &out));
  const auto time = ParseAmzDate(*date);
  if (!time.has_value()) {
    return Malformed(true,
                     "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  out.amz_date = *date;
  out.request_time = *time;
  const auto seconds = IsDigits(*expires) || (expires->size() > 1 && (*expires)[0] == '-')
                           ? ParseInt64(*expires)
                           : std::nullopt;
  if (!seconds.has_value()) return Malformed(true, "X-Amz-Expires should be a number");
  if (*seconds < 1) return Malformed(true, "X-Amz-Expires must be at least 1 second");
  if (*seconds > kMaxPresignExpires) {
    return Malformed(true,
                     "X-Amz-Expires must be less than a week (in seconds) that is 604800 seconds");
  }
  out.expires_seconds = *seconds;
  out.signature = *signature;
  return out;
}

Result<std::pair<PayloadMode, std::string>> ParsePayloadHash(std::string_view value) {
  value = TrimWhitespace(value);
  for (const PayloadMode mode :
       {PayloadMode::kUnsignedPayload, PayloadMode::kStreamingSigned,
        PayloadMode::kStreamingUnsignedTrailer, PayloadMode::kStreamingSignedTrailer}) {
    if (value == PayloadModeLiteral(mode)) return std::make_pair(mode, std::string());
  }
  if (value.size() == 64 && IsHex(value)) {
    return std::make_pair(PayloadMode::kSha256Hex, AsciiLower(value));
  }
  if (value.substr(0, 10) == "STREAMING-") {
    return S3Error(
        S3ErrorCode::kNotImplemented,
        StrCat("x-amz-content-sha256 ", EscapeForMessage(value, 64), " is not supported."));
  }
  return S3Error(S3ErrorCode::kInvalidArgument,
                 "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                 "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
                 "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.");
}

}  // namespace

std::string_view PayloadModeLiteral(PayloadMode mode) {
  switch (mode) {
    case PayloadMode::kSha256Hex:
      return "";
    case PayloadMode::kUnsignedPayload:
      return "UNSIGNED-PAYLOAD";
    case PayloadMode::kStreamingSigned:
      return "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    case PayloadMode::kStreamingUnsignedTrailer:
      return "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    case PayloadMode::kStreamingSignedTrailer:
      return "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
  }
  return "";
}

std::string CredentialScope::ToString() const {
  return StrCat(date, "/", region, "/", service, "/", kTerminator);
}

bool IsSigV2Presigned(std::string_view raw_query) {
  bool access_key = false, signature = false;
  for (const auto& [name, value] : DecodeQuery(raw_query)) {
    access_key = access_key || name == "AWSAccessKeyId";
    signature = signature || name == "Signature";
  }
  return access_key && signature;
}

Result<SigV4Credentials> ParseSigV4(const SigV4Request& request) {
  const auto auth_headers = HeaderValues(request.headers, "authorization");
  const auto params = DecodeQuery(request.raw_query);
  const bool presigned = std::any_of(params.begin(), params.end(), [](const auto& p) {
    return p.first == "X-Amz-Algorithm" || p.first == "X-Amz-Credential" ||
           p.first == "X-Amz-Signature";
  });
  if (!auth_headers.empty() && presigned) {
    return S3Error(S3ErrorCode::kInvalidArgument, "Only one auth mechanism allowed");
  }
  if (auth_headers.size() > 1) {
    return Malformed(false, "The request has more than one Authorization header.");
  }
  if (!auth_headers.empty()) return ParseHeaderAuth(request, auth_headers.front());
  if (presigned) return ParsePresigned(params);
  if (IsSigV2Presigned(request.raw_query)) return UnsupportedAuthMechanism();
  return S3Error(S3ErrorCode::kAccessDenied, "Anonymous access is not allowed");
}

Result<SigV4Auth> VerifySigV4(const SigV4Request& request, const SigV4Credentials& credentials,
                              std::string_view secret_key, absl::Time now,
                              const SigV4Options& options) {
  const bool presigned = credentials.presigned;
  if (credentials.scope.date != std::string_view(credentials.amz_date).substr(0, 8)) {
    return Malformed(presigned, StrCat("Invalid credential date \"", credentials.scope.date,
                                       "\". This date is not the same as ",
                                       presigned ? "X-Amz-Date" : "the request date", "."));
  }
  if (!options.region.empty() && credentials.scope.region != options.region) {
    // <Region> in the answer: clients that guessed (s3cmd signs for "US" by
    // default) retry in the region it names.
    return WithErrorField(
        Malformed(presigned, StrCat("The region '", EscapeForMessage(credentials.scope.region, 64),
                                    "' is wrong; expecting '", options.region, "'")),
        "Region", options.region);
  }
  if (presigned) {
    if (credentials.request_time - now > options.max_skew) {
      return S3Error(S3ErrorCode::kAccessDenied, "Request is not valid yet");
    }
    if (now > credentials.request_time + absl::Seconds(credentials.expires_seconds)) {
      return S3Error(S3ErrorCode::kAccessDenied, "Request has expired");
    }
  } else if (absl::AbsDuration(now - credentials.request_time) > options.max_skew) {
    return S3Error(S3ErrorCode::kRequestTimeTooSkewed,
                   StrCat("The difference between the request time (", credentials.amz_date,
                          ") and the server's time (", FormatAmzDate(now), ") is too large."));
  }

  SigV4Auth auth;
  auth.credentials = credentials;
  const auto content_sha = HeaderValues(request.headers, "x-amz-content-sha256");
  std::string payload_hash;
  if (content_sha.size() > 1) {
    return S3Error(S3ErrorCode::kInvalidArgument, "x-amz-content-sha256 appears more than once");
  }
  if (content_sha.empty()) {
    if (!presigned) {
      return S3Error(S3ErrorCode::kInvalidRequest,
                     "Missing required header for this request: x-amz-content-sha256");
    }
    auth.payload_mode = PayloadMode::kUnsignedPayload;
    payload_hash = std::string(PayloadModeLiteral(PayloadMode::kUnsignedPayload));
  } else {
    ASSIGN_OR_RETURN(auto mode, ParsePayloadHash(content_sha.front()));
    auth.payload_mode = mode.first;
    auth.payload_sha256 = mode.second;
    payload_hash = std::string(TrimWhitespace(content_sha.front()));
  }

  // S3 refuses x-amz-* headers that the signature does not cover.
  for (const auto& [name, value] : request.headers) {
    const std::string lower = AsciiLower(name);
    if (lower.rfind("x-amz-", 0) == 0 &&
        std::find(credentials.signed_headers.begin(), credentials.signed_headers.end(), lower) ==
            credentials.signed_headers.end()) {
      return S3Error(S3ErrorCode::kAccessDenied,
                     StrCat("There were headers present in the request which were not signed: ",
                            EscapeForMessage(lower, 64)));
    }
  }

  ASSIGN_OR_RETURN(const std::string canonical,
                   CanonicalRequest(request, credentials, payload_hash));
  auth.signing_key =
      options.signing_keys != nullptr
          ? options.signing_keys->Get(secret_key, credentials.scope.date, credentials.scope.region,
                                      credentials.scope.service)
          : SigningKey(secret_key, credentials.scope.date, credentials.scope.region,
                       credentials.scope.service);
  const std::string expected = SignatureOf(
      auth.signing_key, StringToSign(credentials.amz_date, credentials.scope, canonical));
  if (!SignaturesEqual(expected, credentials.signature)) {
    return S3Error(S3ErrorCode::kSignatureDoesNotMatch,
                   "The request signature we calculated does not match the signature you "
                   "provided. Check your key and signing method.");
  }
  return auth;
}

Result<SigV4Auth> VerifySigV4(const SigV4Request& request, std::string_view secret_key,
                              absl::Time now, const SigV4Options& options) {
  ASSIGN_OR_RETURN(const SigV4Credentials credentials, ParseSigV4(request));
  return VerifySigV4(request, credentials, secret_key, now, options);
}

std::string UriEncode(std::string_view bytes, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 3 / 2);
  for (const char c : bytes) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~' || (c == '/' && !encode_slash);
    if (unreserved) {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    }
  }
  return out;
}

std::string UriDecode(std::string_view text, bool plus_is_space) {
  const auto nibble = HexDigitValue;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size() && nibble(text[i + 1]) >= 0 && nibble(text[i + 2]) >= 0) {
      out += static_cast<char>(nibble(text[i + 1]) * 16 + nibble(text[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string CanonicalUri(std::string_view raw_path) {
  if (raw_path.empty()) return "/";
  return UriEncode(UriDecode(raw_path, false), false);
}

std::string CanonicalQuery(std::string_view raw_query, bool drop_signature) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [name, value] : DecodeQuery(raw_query)) {
    if (drop_signature && name == "X-Amz-Signature") continue;
    encoded.emplace_back(UriEncode(name, true), UriEncode(value, true));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

Result<std::string> CanonicalRequest(const SigV4Request& request,
                                     const SigV4Credentials& credentials,
                                     std::string_view payload_hash) {
  std::string out = StrCat(request.method, "\n", CanonicalUri(request.raw_path), "\n",
                           CanonicalQuery(request.raw_query, credentials.presigned), "\n");
  for (const std::string& name : credentials.signed_headers) {
    const auto values = HeaderValues(request.headers, name);
    if (values.empty()) {
      return S3Error(
          S3ErrorCode::kSignatureDoesNotMatch,
          StrCat("The signed header ", EscapeForMessage(name, 64), " is not in the request."));
    }
    out += name;
    out += ':';
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ',';
      out += CanonicalHeaderValue(values[i]);
    }
    out += '\n';
  }
  out += '\n';
  for (size_t i = 0; i < credentials.signed_headers.size(); ++i) {
    if (i > 0) out += ';';
    out += credentials.signed_headers[i];
  }
  out += '\n';
  out += payload_hash;
  return out;
}

std::string StringToSign(std::string_view amz_date, const CredentialScope& scope,
                         std::string_view canonical_request) {
  return StrCat(kAlgorithm, "\n", amz_date, "\n", scope.ToString(), "\n",
                common::Sha256::Hex(canonical_request));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  // Fetched once: HMAC() looks the algorithm up in OpenSSL's providers on
  // every call, which costs more than the hashing of a short message.
  static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (hmac == nullptr) return std::string();
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(hmac);
  if (ctx == nullptr) return std::string();
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t length = 0;
  const bool ok =
      EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) ==
          1 &&
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
      EVP_MAC_final(ctx, mac, &length, sizeof mac) == 1;
  EVP_MAC_CTX_free(ctx);
  if (!ok) return std::string();
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string SigningKey(std::string_view secret_key, std::string_view date, std::string_view region,
                       std::string_view service) {
  std::string key = StrCat("AWS4", secret_key);
  std::string k_date = HmacSha256(key, date);
  OPENSSL_cleanse(key.data(), key.size());
  const std::string k_region = HmacSha256(k_date, region);
  const std::string k_service = HmacSha256(k_region, service);
  return HmacSha256(k_service, kTerminator);
}

std::string SignatureOf(std::string_view signing_key, std::string_view string_to_sign) {
  return HexEncode(HmacSha256(signing_key, string_to_sign));
}

bool SignaturesEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gale::s3
