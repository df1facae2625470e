#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "httplib.h"
#include "s3/protocol/sigv4_signer.h"

namespace gale::bench {

// What a GET returned: how many bytes, and their checksum.
struct ObjectDigest {
  int64_t size = 0;
  std::string crc32c;  // 4 raw bytes, as BodyChecksum gives
};

// The checksum GETs are checked with: CRC32C (ISA-L, several GB/s), so that
// checking every byte costs the benchmark little next to what it measures.
std::string BodyChecksum(std::string_view bytes);

// One page of ListObjectsV2.
struct ListPage {
  std::vector<std::string> keys;
  bool truncated = false;
  std::string next_continuation_token;  // when truncated
};

// A minimal S3 client for gale-bench: path-style requests to one gateway on
// one keep-alive connection, each signed in the header form with `signer`,
// with UNSIGNED-PAYLOAD for bodies, which are sent straight from the
// caller's memory and, on GET, streamed through a checksum rather than
// kept. Any answer but the expected status is an error carrying the S3
// error code. Not thread-safe: one per stream (the signer is shared).
class S3BenchClient {
 public:
  // `signer` must outlive the client.
  S3BenchClient(const std::string& host, int port, s3::SigV4Signer* signer);

  Status CreateBucket(const std::string& bucket);
  Status PutObject(const std::string& bucket, const std::string& key, std::string_view body);
  Result<ObjectDigest> GetObject(const std::string& bucket, const std::string& key);
  // The object's size, from Content-Length.
  Result<int64_t> HeadObject(const std::string& bucket, const std::string& key);
  // Up to `max_keys` keys from the start, or from where `continuation_token`
  // says. Keys must not need XML escapes (the benchmark's do not).
  Result<ListPage> ListObjectsV2(const std::string& bucket, int max_keys,
                                 const std::string& continuation_token);
  // The same request's answer as it came (ListBucketResult XML).
  Result<std::string> ListObjectsV2Xml(const std::string& bucket, int max_keys,
                                       const std::string& continuation_token);
  // The keys and continuation of a ListBucketResult, as ListObjectsV2 reads it.
  static Result<ListPage> ParseListPage(std::string_view xml);
  Status DeleteObject(const std::string& bucket, const std::string& key);

 private:
  // Signed headers for `method` on `path` with `query` (raw, encoded).
  Result<httplib::Headers> Sign(const std::string& method, const std::string& path,
                                const std::string& query);
  static std::string Target(const std::string& path, const std::string& query);
  static std::string ObjectPath(const std::string& bucket, const std::string& key);

  const std::string host_header_;
  s3::SigV4Signer* const signer_;
  httplib::Client http_;
};

}  // namespace gale::bench
