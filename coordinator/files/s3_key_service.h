#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "coordinator/files/s3_master_key.h"
#include "coordinator/store/metadata_store.h"
#include "coordinator/store/s3_key_record.h"

namespace gale::coordinator {

// What a new S3 key may do.
struct S3KeySpec {
  std::string owner;  // recorded on buckets it creates ("": the key's id)
  bool read_only = false;
  std::vector<std::string> buckets;  // the buckets it may use; empty: all
};

// An S3 key with its secret in the clear: what Create and Resolve return,
// and nothing else. `key.secret_encrypted` is left empty.
struct S3KeySecret {
  S3KeyRecord key;
  std::string secret;
};

// The S3 access keys kept in the metadata database, which gale-s3 gateways
// accept besides their configured one: created with a random id
// (GALE + 16 characters) and a random 40-character secret, stored with the
// secret sealed by the S3MasterKey, listed without secrets, deleted, and
// resolved by id to the secret for a gateway. Secrets never reach logs or
// error messages. Errors: INVALID_ARGUMENT naming the field (access_key,
// owner, buckets), NOT_FOUND for an unknown key, FAILED_PRECONDITION when no
// master key is available or it is not the one a secret was sealed with;
// the store's errors otherwise. Thread-safe.
class S3KeyService {
 public:
  // Everything must outlive the service.
  S3KeyService(MetadataStore* store, S3MasterKey* master_key, common::Clock* clock)
      : store_(store), master_key_(master_key), clock_(clock) {}

  // A new key; its secret is returned here and by Resolve only. `buckets`
  // must be bucket names (they need not exist yet); they are stored sorted,
  // without duplicates.
  Result<S3KeySecret> Create(S3KeySpec spec);
  // Every key, by access key id, without secrets.
  Result<std::vector<S3KeyRecord>> List();
  Status Delete(std::string_view access_key_id);
  // The key and its secret, for a gateway checking a signature.
  Result<S3KeySecret> Resolve(std::string_view access_key_id);

 private:
  MetadataStore* const store_;
  S3MasterKey* const master_key_;
  common::Clock* const clock_;
};

}  // namespace gale::coordinator
