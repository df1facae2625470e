#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/status.h"
#include "common/tls.h"
#include "httplib.h"

namespace gale::client {

// Moves chunk bytes to and from nodes' data APIs over HTTP/1.1, keeping
// keep-alive connections per node for reuse. Errors: UNAVAILABLE when the
// node cannot be reached; the node's own code otherwise (NOT_FOUND,
// RESOURCE_EXHAUSTED for a full node, INVALID_ARGUMENT for a rejected body).
// Thread-safe.
class ChunkTransport {
 public:
  // With `tls` dialling TLS, nodes are reached over HTTPS and verified
  // against its CA (presenting its certificate for mutual TLS).
  explicit ChunkTransport(absl::Duration timeout = absl::Seconds(30), common::TlsOptions tls = {})
      : timeout_(timeout), tls_(std::move(tls)) {}

  // Stores `data` as chunk `id` on the node at `address`, presenting the
  // coordinator's `write_grant` for it ("": none).
  Status Put(const std::string& address, const std::string& id, std::string_view data,
             const std::string& write_grant = "");
  // The whole chunk as the node serves it (not verified here), received into
  // a buffer of `expected_size` bytes when that is known (> 0): no copies
  // while it grows.
  Result<std::string> Get(const std::string& address, const std::string& id,
                          int64_t expected_size = 0);
  // Streams the chunk as the node serves it to `sink`, piece by piece (not
  // verified here). CANCELLED when `sink` returns false; UNAVAILABLE also
  // when the body ends early (the node cut it: a failed verification).
  Status Fetch(const std::string& address, const std::string& id,
               const std::function<bool(std::string_view)>& sink);

 private:
  // A client for `address`, from the pool (`*pooled` true) or new; returned
  // with Release().
  std::unique_ptr<httplib::Client> Acquire(const std::string& address, bool* pooled);
  std::unique_ptr<httplib::Client> NewClient(const std::string& address) const;
  void Release(const std::string& address, std::unique_ptr<httplib::Client> client);

  const absl::Duration timeout_;
  const common::TlsOptions tls_;
  absl::Mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<httplib::Client>>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::client
