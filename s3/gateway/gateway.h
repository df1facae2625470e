#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/request_metrics.h"
#include "common/status.h"
#include "httplib.h"
#include "s3/gateway/credentials.h"
#include "s3/gateway/object_backend.h"
#include "s3/gateway/payload_reader.h"
#include "s3/gateway/request.h"
#include "s3/protocol/checksums.h"
#include "s3/protocol/signing_key_cache.h"
#include "s3/protocol/sigv4.h"

namespace gale::s3 {

struct S3GatewayOptions {
  // The region requests are signed for and buckets live in.
  std::string region = "us-east-1";
  // Virtual-host style: a Host of "<bucket>.<domain>" names the bucket. Empty:
  // path style only.
  std::string domain;
  int64_t max_object_bytes = int64_t{5} << 40;  // 5 TiB, S3's largest object
  // The x-amz-meta-* headers of one object, names and values together (S3: 2 KB).
  size_t max_metadata_bytes = 2 << 10;
  // The smallest part of a multipart upload, but for the last (S3: 5 MiB).
  int64_t min_part_bytes = 5 << 20;
  // The largest part (S3: 5 GiB).
  int64_t max_part_bytes = int64_t{5} << 30;
  // The XML bodies (DeleteObjects, tagging, CreateBucketConfiguration).
  size_t max_xml_body_bytes = 8 << 20;
  // The most keys a listing page holds (max-keys beyond is clipped).
  int max_keys = 1000;
  // How far a header-signed request's time may be from the clock's.
  absl::Duration max_clock_skew = absl::Minutes(15);
  // Counts and times every request by operation and HTTP status
  // (gale_s3_requests_total{op,code}); null: none.
  common::RequestMetrics* metrics = nullptr;
};

// The HTTP face of gale-s3: routes S3 REST requests (path style, and
// virtual-host style under `options.domain`), authenticates them with SigV4
// against `credentials`, authorizes them, and serves them from `backend`,
// streaming bodies both ways. Every answer carries x-amz-request-id and
// x-amz-id-2; every error is an S3 <Error> document (no body for HEAD).
// Operations not supported (bucket sub-resources other than location,
// versioning, versions and uploads; ACLs, policies, lifecycle, ...) answer
// NotImplemented.
// Owns nothing it is given: backend, credentials and clock must outlive it.
// Thread-safe.
class S3Gateway {
 public:
  S3Gateway(ObjectBackend* backend, Credentials* credentials, common::Clock* clock,
            S3GatewayOptions options = {});

  // Installs the gateway on `server`: a route for every path and method, the
  // error handler (S3 errors for the answers cpp-httplib makes itself: 400,
  // 413, 416) and the exception handler, and a payload limit of
  // max_object_bytes (plus aws-chunked framing). The server's threads,
  // timeouts and keep-alive are the caller's (see common/http_server.h).
  void Register(httplib::Server& server);

  // Answers one request; `reader` streams the body of PUT, POST and PATCH
  // requests (null: the body, if any, is in req.body). Register's routes call
  // this.
  void Handle(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader* reader);

 private:
  // One request being answered.
  struct Call {
    const httplib::Request& http;
    httplib::Response& res;
    const httplib::ContentReader* reader;
    S3Request s3;
    std::optional<SigV4Auth> auth;  // nullopt: anonymous
    std::optional<AccessKey> key;
    std::string access_key_id;
  };

  // A request body's checks, settled before any byte is read: its declared
  // length, Content-MD5, the checksum asked for, and the payload's framing.
  struct BodyChecks {
    std::optional<std::string> content_md5;
    std::optional<ChecksumAlgorithm> algorithm;
    std::optional<std::string> checksum_header;  // the value sent as a header
    std::optional<PayloadReader> payload;
  };
  // What a received body was.
  struct ReceivedBody {
    std::string etag;                                             // hex MD5
    std::optional<std::pair<std::string, std::string>> checksum;  // header name, value
  };

  std::string NewRequestId();
  void SendError(const Call& call, const Status& status, const std::string& request_id);

  Status Authenticate(Call& call);
  Status Authorize(const Call& call) const;
  Status Dispatch(Call& call);
  // Reads a small (XML) body within max_xml_body_bytes.
  Result<std::string> ReadSmallBody(Call& call);
  std::string OwnerOf(const Call& call) const;

  // gateway_buckets.cc
  Status ListBuckets(Call& call);
  Status CreateBucket(Call& call);
  Status HeadBucket(Call& call);
  Status DeleteBucket(Call& call);
  Status GetBucketLocation(Call& call);
  Status GetBucketVersioning(Call& call);

  // gateway_objects.cc
  // EntityTooLarge beyond `max_bytes`, and the other checks of BodyChecks.
  Result<BodyChecks> CheckBody(const Call& call, int64_t max_bytes);
  // Streams the body into `writer` (not committed), verifying Content-MD5 and
  // the checksum; BadDigest (and the like) when they do not match.
  Result<ReceivedBody> ReceiveBody(Call& call, BodyChecks& checks, int64_t max_bytes,
                                   ObjectWriter& writer);
  Status PutObject(Call& call);
  // The object x-amz-copy-source names, which the caller's key may read,
  // when the x-amz-copy-source-if-* conditions hold (PreconditionFailed).
  Result<client::ObjectInfo> CopySource(const Call& call);
  Status CopyObject(Call& call);
  Status GetObject(Call& call, bool head);
  Status DeleteObject(Call& call);
  Status DeleteObjects(Call& call);
  Status GetObjectTagging(Call& call);
  Status PutObjectTagging(Call& call);
  Status DeleteObjectTagging(Call& call);

  // gateway_multipart.cc
  Status CreateMultipartUpload(Call& call);
  Status UploadPart(Call& call);
  Status UploadPartCopy(Call& call);
  Status CompleteMultipartUpload(Call& call);
  Status AbortMultipartUpload(Call& call);
  Status ListParts(Call& call);
  Status ListMultipartUploads(Call& call);
  // The upload named by ?uploadId, which must be of the request's bucket and
  // key; NoSuchUpload otherwise.
  Result<client::MultipartUploadInfo> FindUpload(const Call& call);

  // gateway_listings.cc
  Status ListObjects(Call& call);
  Status ListObjectsV2(Call& call);
  Status ListObjectVersions(Call& call);

  ObjectBackend* const backend_;
  Credentials* const credentials_;
  common::Clock* const clock_;
  const S3GatewayOptions options_;
  const std::string host_id_;  // this process's x-amz-id-2 prefix
  std::atomic<uint64_t> next_request_ = 1;
  SigningKeyCache signing_keys_;
};

// KeyTooLongError, or InvalidArgument, for a key S3 does not accept.
Status CheckObjectKey(const std::string& key);

// The S3 error of a backend `status` in the context of `bucket` (and `key`):
// NOT_FOUND becomes NoSuchBucket or NoSuchKey by its message ("no bucket ..."
// / "no object ..."), INVALID_ARGUMENT about a name InvalidBucketName or
// KeyTooLongError; the rest is left to S3ErrorCodeOf.
Status BackendError(const Status& status);

}  // namespace gale::s3
