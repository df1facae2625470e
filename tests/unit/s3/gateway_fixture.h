#pragma once

// The S3 gateway over a MemoryBackend on a real cpp-httplib server on
// 127.0.0.1, with requests signed by the test's own SigV4 signer (built
// from the sigv4.h pieces, independent of the gateway's verification).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/sha256.h"
#include "common/strings.h"
#include "httplib.h"
#include "s3/gateway/credentials.h"
#include "s3/gateway/gateway.h"
#include "s3/gateway/memory_backend.h"
#include "s3/protocol/checksums.h"
#include "s3/protocol/sigv4.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace gale::s3::testing_gateway {

using ::testing::HasSubstr;
using ::testing::Not;

inline constexpr char kAccess[] = "AKIDGALETEST";
inline constexpr char kSecret[] = "gale-secret/key+with/slashes";
inline constexpr char kRegion[] = "us-east-1";
inline const std::string kEmptySha = common::Sha256::Hex("");

// Signs requests as an SDK would, with the sigv4.h building blocks: the test's
// own signer, independent of the gateway's verification.
struct Signer {
  std::string access = kAccess;
  std::string secret = kSecret;
  std::string region = kRegion;
  absl::Time now;

  std::string Date() const { return absl::FormatTime("%Y%m%d", now, absl::UTCTimeZone()); }
  std::string AmzDate() const {
    return absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone());
  }
  CredentialScope Scope() const { return {Date(), region, "s3"}; }
  std::string Key() const { return SigningKey(secret, Date(), region, "s3"); }

  // Adds x-amz-date, x-amz-content-sha256 and Authorization to `headers`
  // (which hold Host); returns the signature.
  std::string Sign(const std::string& method, const std::string& raw_path,
                   const std::string& raw_query, httplib::Headers& headers,
                   const std::string& payload_hash) const {
    headers.emplace("x-amz-date", AmzDate());
    headers.emplace("x-amz-content-sha256", payload_hash);
    SigV4Request request{method, raw_path, raw_query, {}};
    std::vector<std::string> names;
    for (const auto& [name, value] : headers) {
      request.headers.emplace_back(name, value);
      names.push_back(AsciiLower(name));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    SigV4Credentials credentials;
    credentials.access_key_id = access;
    credentials.scope = Scope();
    credentials.amz_date = AmzDate();
    credentials.request_time = now;
    credentials.signed_headers = names;
    auto canonical = CanonicalRequest(request, credentials, payload_hash);
    EXPECT_TRUE(canonical.ok()) << canonical.status();
    const std::string signature =
        SignatureOf(Key(), StringToSign(AmzDate(), Scope(), canonical.value_or("")));
    std::string signed_list;
    for (const auto& name : names) signed_list += (signed_list.empty() ? "" : ";") + name;
    headers.emplace("Authorization",
                    StrCat("AWS4-HMAC-SHA256 Credential=", access, "/", Scope().ToString(),
                           ",SignedHeaders=", signed_list, ",Signature=", signature));
    return signature;
  }

  // The query string of a presigned request for `raw_path`.
  std::string Presign(const std::string& method, const std::string& raw_path,
                      const std::string& host, int expires_seconds) const {
    std::string query =
        StrCat("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=",
               UriEncode(StrCat(access, "/", Scope().ToString()), true), "&X-Amz-Date=", AmzDate(),
               "&X-Amz-Expires=", expires_seconds, "&X-Amz-SignedHeaders=host");
    SigV4Request request{method, raw_path, query, {{"Host", host}}};
    SigV4Credentials credentials;
    credentials.presigned = true;
    credentials.access_key_id = access;
    credentials.scope = Scope();
    credentials.amz_date = AmzDate();
    credentials.request_time = now;
    credentials.expires_seconds = expires_seconds;
    credentials.signed_headers = {"host"};
    auto canonical = CanonicalRequest(request, credentials, "UNSIGNED-PAYLOAD");
    EXPECT_TRUE(canonical.ok()) << canonical.status();
    return StrCat(query, "&X-Amz-Signature=",
                  SignatureOf(Key(), StringToSign(AmzDate(), Scope(), canonical.value_or(""))));
  }

  // The aws-chunked body of `data` in chunks of `chunk` bytes, each signed
  // over the previous signature (starting from `seed`).
  std::string ChunkedBody(std::string_view data, size_t chunk, std::string seed) const {
    std::string body;
    std::string previous = std::move(seed);
    auto add = [&](std::string_view piece) {
      const std::string to_sign =
          StrCat("AWS4-HMAC-SHA256-PAYLOAD\n", AmzDate(), "\n", Scope().ToString(), "\n", previous,
                 "\n", kEmptySha, "\n", common::Sha256::Hex(piece));
      previous = SignatureOf(Key(), to_sign);
      body += fmt::format("{:x};chunk-signature={}\r\n", piece.size(), previous);
      body.append(piece);
      body += "\r\n";
    };
    for (size_t at = 0; at < data.size(); at += chunk) add(data.substr(at, chunk));
    add("");
    return body;
  }
};

inline std::string Between(const std::string& text, const std::string& open,
                           const std::string& close) {
  size_t start = text.find(open);
  if (start == std::string::npos) return "";
  start += open.size();
  return text.substr(start, text.find(close, start) - start);
}

inline std::string Data(size_t n) {
  std::string data(n, '\0');
  uint32_t x = 12345;
  for (char& c : data) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 23);
  }
  return data;
}

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    credentials_.Add(kAccess, AccessKey{kSecret});
    credentials_.Add("READER", AccessKey{"reader-secret", "", /*read_only=*/true});
    credentials_.Add("LIMITED", AccessKey{"limited-secret", "", false, {"mine"}});
    StartServer({});
    signer_.now = clock_.Now();
  }
  void TearDown() override { StopServer(); }

  // A bound socket queues connections until the listening thread accepts
  // them.
  void StartServer(S3GatewayOptions options) {
    gateway_ = std::make_unique<S3Gateway>(&backend_, &credentials_, &clock_, options);
    server_ = std::make_unique<httplib::Server>();
    gateway_->Register(*server_);
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() before the loop runs would be lost: wait for it (no sleep).
    while (!server_->is_running()) std::this_thread::yield();
    host_ = StrCat("127.0.0.1:", port_);
  }
  void StopServer() {
    if (!server_) return;
    server_->stop();
    thread_.join();
    server_.reset();
  }

  // Sends a request signed by `signer` (header form), the body's SHA-256 as
  // payload hash unless `payload_hash` is given.
  httplib::Result Send(const std::string& method, const std::string& raw_path,
                       const std::string& raw_query = "", const std::string& body = "",
                       httplib::Headers headers = {}, std::optional<std::string> payload_hash = {},
                       const Signer* signer = nullptr) {
    headers.emplace("Host", host_);
    (signer ? *signer : signer_)
        .Sign(method, raw_path, raw_query, headers,
              payload_hash.value_or(common::Sha256::Hex(body)));
    return SendRaw(method, raw_query.empty() ? raw_path : StrCat(raw_path, "?", raw_query), body,
                   std::move(headers));
  }

  httplib::Result SendRaw(const std::string& method, const std::string& target,
                          const std::string& body, httplib::Headers headers) {
    httplib::Client client("127.0.0.1", port_);
    client.set_url_encode(false);
    httplib::Request req;
    req.method = method;
    req.path = target;
    req.headers = std::move(headers);
    if (!req.has_header("Host")) req.headers.emplace("Host", host_);
    req.body = body;
    if (!body.empty() && !req.has_header("Content-Type")) {
      req.headers.emplace("Content-Type", "application/octet-stream");
    }
    return client.send(req);
  }

  void CreateBucket(const std::string& name) {
    auto res = Send("PUT", "/" + name);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }

  void PutObject(const std::string& bucket, const std::string& raw_key, const std::string& data,
                 httplib::Headers headers = {}) {
    auto res = Send("PUT", StrCat("/", bucket, "/", raw_key), "", data, std::move(headers));
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }

  static void ExpectError(const httplib::Result& res, int status, const std::string& code) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, status) << res->body;
    EXPECT_THAT(res->body, HasSubstr(StrCat("<Code>", code, "</Code>")));
    EXPECT_THAT(res->body, HasSubstr("<RequestId>"));
    EXPECT_TRUE(res->has_header("x-amz-request-id"));
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/xml");
  }

  testing::FakeClock clock_;
  MemoryBackend backend_{&clock_};
  Credentials credentials_;
  std::unique_ptr<S3Gateway> gateway_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::string host_;
  Signer signer_;
};

}  // namespace gale::s3::testing_gateway
