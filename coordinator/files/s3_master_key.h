#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/aes_gcm.h"
#include "common/status.h"

namespace gale::coordinator {

// Where the master key that encrypts S3 secrets at rest comes from. It never
// enters the metadata database. The key is 32 bytes written as 64 hex
// characters (`openssl rand -hex 32`).
struct S3MasterKeyOptions {
  // coordinator.s3_master_key (GALE_S3_MASTER_KEY): the key itself.
  std::string key_hex;
  // coordinator.s3_master_key_file: a file holding it.
  std::string key_file;
  // With neither: the key is generated into this file (mode 0600) on first
  // use and read from it afterwards. Empty too (PostgreSQL: several
  // coordinators must share one key): S3 keys cannot be created or read
  // until a key is configured.
  std::string generated_file;
};

// The coordinator's master key for S3 secrets: seals a secret into the text
// stored in the s3_keys table ("v1:<key fingerprint>:<hex of AES-256-GCM
// nonce, ciphertext and tag>", bound to the access key id), and opens it
// again. The key is read (or generated) on first use; Load checks a
// configured one at start-up. Secrets and the key never reach logs or error
// messages. Owned by the Coordinator; thread-safe.
class S3MasterKey {
 public:
  explicit S3MasterKey(S3MasterKeyOptions options) : options_(std::move(options)) {}

  // Reads a configured key, or a generated one already on disk. OK when
  // there is none yet. INVALID_ARGUMENT naming the config key (or file) for
  // a key that is not 64 hex characters; errors reading the file.
  Status Load() ABSL_LOCKS_EXCLUDED(mu_);

  // `secret` sealed for `access_key_id`; generates the key first when that
  // is how it comes. FAILED_PRECONDITION, saying what to configure, when
  // there is no key and none may be generated.
  Result<std::string> Seal(std::string_view secret, std::string_view access_key_id)
      ABSL_LOCKS_EXCLUDED(mu_);
  // What Seal sealed for the same `access_key_id`. FAILED_PRECONDITION when
  // there is no key or the value was sealed under another master key (by
  // fingerprint); DATA_LOSS when it was altered or belongs to another key
  // id; INTERNAL when it is not in the stored form.
  Result<std::string> Open(std::string_view sealed, std::string_view access_key_id)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The first 8 hex characters of a hash of the key in use ("" before one is
  // loaded): says which key sealed a value, without revealing it.
  std::string fingerprint() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Key {
    common::AesGcm cipher;
    std::string fingerprint;
  };

  // The key, loaded (and with `generate`, generated) if need be.
  Result<std::shared_ptr<const Key>> Get(bool generate) ABSL_LOCKS_EXCLUDED(mu_);
  Status LoadLocked(bool generate) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const S3MasterKeyOptions options_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const Key> key_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::coordinator
