#pragma once

// AWS Signature Version 4 signing for clients of an S3 gateway: the
// Authorization-header form, over the same canonical request, string to sign
// and signing key that sigv4.h verifies with.

#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/status.h"
#include "s3/protocol/sigv4.h"

namespace gale::s3 {

// Signs requests with one access key for one region and service, as an SDK
// does. Keeps the signing key of the last date it signed for. Owned by its
// caller; thread-safe.
class SigV4Signer {
 public:
  SigV4Signer(std::string access_key_id, std::string secret_key, std::string region,
              std::string service = "s3");

  // Signs `request` (its method, raw path and raw query exactly as they will
  // be sent, and its headers, which must hold Host) at `now`: adds
  // x-amz-date and x-amz-content-sha256 (`payload_hash`: the body's hex
  // SHA-256, or a literal such as UNSIGNED-PAYLOAD) to its headers, then
  // Authorization, signed over every header it holds by then. Headers the
  // HTTP library adds afterwards are not signed, which the verifier allows
  // for all but x-amz-*. INVALID_ARGUMENT without a Host header, or when the
  // request already holds Authorization, x-amz-date or x-amz-content-sha256.
  Status Sign(SigV4Request* request, std::string_view payload_hash, absl::Time now);

  const std::string& access_key_id() const { return access_key_id_; }

 private:
  // The signing key of `date` (YYYYMMDD), from the cache when it is that
  // date's.
  std::string KeyFor(const std::string& date);

  const std::string access_key_id_;
  const std::string secret_key_;
  const std::string region_;
  const std::string service_;
  absl::Mutex mu_;
  std::string key_date_ ABSL_GUARDED_BY(mu_);
  std::string key_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::s3
