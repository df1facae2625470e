#include "bench/s3_client.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "common/strings.h"
#include "s3/protocol/checksums.h"

namespace gale::bench {
namespace {

constexpr char kUnsignedPayload[] = "UNSIGNED-PAYLOAD";

// The text between the first `open` and the following `close` in `xml`,
// starting at `*at` and moving it past; nullopt when there is none.
std::optional<std::string_view> NextElement(std::string_view xml, std::string_view open,
                                            std::string_view close, size_t* at) {
  const size_t start = xml.find(open, *at);
  if (start == std::string_view::npos) return std::nullopt;
  const size_t body = start + open.size();
  const size_t end = xml.find(close, body);
  if (end == std::string_view::npos) return std::nullopt;
  *at = end + close.size();
  return xml.substr(body, end - body);
}

// An error for an answer other than `expected`, with S3's error code.
Status HttpError(const httplib::Result& result, int expected, std::string_view what) {
  if (!result) {
    return absl::UnavailableError(StrCat(what, ": ", httplib::to_string(result.error())));
  }
  if (result->status == expected) return absl::OkStatus();
  size_t at = 0;
  std::string code(NextElement(result->body, "<Code>", "</Code>", &at).value_or(""));
  return absl::InternalError(StrCat(what, ": HTTP ", result->status, " ", code));
}

}  // namespace

std::string BodyChecksum(std::string_view bytes) {
  s3::Hasher hasher(s3::Hasher::Kind::kCrc32c);
  hasher.Update(bytes);
  return hasher.Digest();
}

S3BenchClient::S3BenchClient(const std::string& host, int port, s3::SigV4Signer* signer)
    : host_header_(StrCat(host, ":", port)), signer_(signer), http_(host, port) {
  http_.set_keep_alive(true);
  http_.set_tcp_nodelay(true);
  http_.set_url_encode(false);  // paths and queries are encoded here, as signed
  http_.set_connection_timeout(5);
  http_.set_read_timeout(60);
  http_.set_write_timeout(60);
}

std::string S3BenchClient::Target(const std::string& path, const std::string& query) {
  return query.empty() ? path : StrCat(path, "?", query);
}

std::string S3BenchClient::ObjectPath(const std::string& bucket, const std::string& key) {
  return StrCat("/", bucket, "/", s3::UriEncode(key, /*encode_slash=*/false));
}

Result<httplib::Headers> S3BenchClient::Sign(const std::string& method, const std::string& path,
                                             const std::string& query) {
  s3::SigV4Request request{method, path, query, {{"Host", host_header_}}};
  RETURN_IF_ERROR(signer_->Sign(&request, kUnsignedPayload, absl::Now()));
  return httplib::Headers(request.headers.begin(), request.headers.end());
}

Status S3BenchClient::CreateBucket(const std::string& bucket) {
  const std::string path = "/" + bucket;
  ASSIGN_OR_RETURN(httplib::Headers headers, Sign("PUT", path, ""));
  return HttpError(http_.Put(path, headers, std::string(), "application/octet-stream"), 200,
                   "CreateBucket " + bucket);
}

Status S3BenchClient::PutObject(const std::string& bucket, const std::string& key,
                                std::string_view body) {
  const std::string path = ObjectPath(bucket, key);
  ASSIGN_OR_RETURN(httplib::Headers headers, Sign("PUT", path, ""));
  // Sent from `body` as the socket takes it: nothing is copied per request.
  auto result = http_.Put(
      path, headers, body.size(),
      [body](size_t offset, size_t length, httplib::DataSink& sink) {
        return sink.write(body.data() + offset, std::min<size_t>(length, size_t{1} << 20));
      },
      "application/octet-stream");
  return HttpError(result, 200, "PutObject " + key);
}

Result<ObjectDigest> S3BenchClient::GetObject(const std::string& bucket, const std::string& key) {
  const std::string path = ObjectPath(bucket, key);
  ASSIGN_OR_RETURN(httplib::Headers headers, Sign("GET", path, ""));
  s3::Hasher crc(s3::Hasher::Kind::kCrc32c);
  ObjectDigest digest;
  int status = 0;
  std::string error_body;
  auto result = http_.Get(
      path, headers,
      [&](const httplib::Response& response) {
        status = response.status;
        return true;
      },
      [&](const char* data, size_t length) {
        if (status == 200) {
          crc.Update(std::string_view(data, length));
          digest.size += static_cast<int64_t>(length);
        } else {
          error_body.append(data, length);
        }
        return true;
      });
  if (!result) {
    return absl::UnavailableError(
        StrCat("GetObject ", key, ": ", httplib::to_string(result.error())));
  }
  if (status != 200) {
    size_t at = 0;
    return absl::InternalError(
        StrCat("GetObject ", key, ": HTTP ", status, " ",
               NextElement(error_body, "<Code>", "</Code>", &at).value_or("")));
  }
  digest.crc32c = crc.Digest();
  return digest;
}

Result<int64_t> S3BenchClient::HeadObject(const std::string& bucket, const std::string& key) {
  const std::string path = ObjectPath(bucket, key);
  ASSIGN_OR_RETURN(httplib::Headers headers, Sign("HEAD", path, ""));
  auto result = http_.Head(path, headers);
  RETURN_IF_ERROR(HttpError(result, 200, "HeadObject " + key));
  std::optional<int64_t> size = ParseInt64(result->get_header_value("Content-Length"));
  if (!size) return absl::InternalError(StrCat("HeadObject ", key, ": no Content-Length"));
  return *size;
}

Result<ListPage> S3BenchClient::ListObjectsV2(const std::string& bucket, int max_keys,
                                              const std::string& continuation_token) {
  ASSIGN_OR_RETURN(std::string xml, ListObjectsV2Xml(bucket, max_keys, continuation_token));
  return ParseListPage(xml);
}

Result<std::string> S3BenchClient::ListObjectsV2Xml(const std::string& bucket, int max_keys,
                                                    const std::string& continuation_token) {
  const std::string path = "/" + bucket;
  std::string query = StrCat("list-type=2&max-keys=", max_keys);
  if (!continuation_token.empty()) {
    query += "&continuation-token=" + s3::UriEncode(continuation_token, /*encode_slash=*/true);
  }
  ASSIGN_OR_RETURN(httplib::Headers headers, Sign("GET", path, query));
  auto result = http_.Get(Target(path, query), headers);
  RETURN_IF_ERROR(HttpError(result, 200, "ListObjectsV2 " + bucket));
  return std::move(result->body);
}

Result<ListPage> S3BenchClient::ParseListPage(std::string_view xml) {
  ListPage page;
  size_t at = 0;
  page.truncated = NextElement(xml, "<IsTruncated>", "</IsTruncated>", &at).value_or("") == "true";
  at = 0;
  if (auto token = NextElement(xml, "<NextContinuationToken>", "</NextContinuationToken>", &at)) {
    page.next_continuation_token = std::string(*token);
  }
  at = 0;
  while (auto contents = NextElement(xml, "<Contents>", "</Contents>", &at)) {
    size_t in = 0;
    auto key = NextElement(*contents, "<Key>", "</Key>", &in);
    if (!key) return absl::InternalError("ListObjectsV2: <Contents> without <Key>");
    page.keys.emplace_back(*key);
  }
  if (page.truncated && page.next_continuation_token.empty()) {
    return absl::InternalError("ListObjectsV2: truncated without NextContinuationToken");
  }
  return page;
}

Status S3BenchClient::DeleteObject(const std::string& bucket, const std::string& key) {
  const std::string path = ObjectPath(bucket, key);
  ASSIGN_OR_RETURN(httplib::Headers headers, Sign("DELETE", path, ""));
  return HttpError(http_.Delete(path, headers), 204, "DeleteObject " + key);
}

}  // namespace gale::bench
