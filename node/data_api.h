#pragma once

#include <functional>

#include "common/clock.h"
#include "common/http_server.h"
#include "common/security.h"
#include "node/chunk_store.h"
#include "node/node_stats.h"

namespace gale::node {

// Who may write to a node's data API; null members: anybody.
struct DataApiAccess {
  const common::Authenticator* auth = nullptr;       // the join token
  const common::ChunkWriteGrants* grants = nullptr;  // checks the coordinator's grants
  common::Clock* clock = nullptr;                    // for grant expiry
};

// The node's data API (HTTP/1.1), a thin adapter over the ChunkStore:
//   PUT    /v1/chunks/{id}  body streamed to disk while hashed; Content-Length
//                           required; 201 stored, 200 already there
//   GET    /v1/chunks/{id}  verified bytes, Range supported (206)
//   HEAD   /v1/chunks/{id}  size and ETag
//   DELETE /v1/chunks/{id}  idempotent
// With a join token configured, a PUT needs the coordinator's write grant
// for the chunk (or the join token) and a DELETE the join token; reads stay
// open (a chunk id is the SHA-256 of its bytes).
// Errors are JSON {"error","details"}: 400 bad id, 401 no join token, 403 no
// valid grant, 404, 411 no length, 413 above max_chunk_bytes, 507 out of
// space. A PUT is answered only after
// `before_ack` returns (the node agent waits there for the coordinator to
// hear of the chunk). Thread-safe.
class DataApi {
 public:
  // Everything must outlive the API.
  DataApi(ChunkStore* store, DataTraffic* traffic, std::function<void()> before_ack = nullptr,
          DataApiAccess access = {})
      : store_(store), traffic_(traffic), before_ack_(std::move(before_ack)), access_(access) {}

  // Adds the routes, and the Expect: 100-continue check, to `server`.
  void Register(common::HttpServer* server);

  // Decides an "Expect: 100-continue" request before its body is sent: 100 to
  // go on, or the final status (with a JSON body) for a bad id, a missing or
  // too large length, no space, or a chunk already stored.
  int CheckExpectContinue(const httplib::Request& req, httplib::Response& res);

 private:
  void Put(const httplib::Request& req, httplib::Response& res,
           const httplib::ContentReader& reader);
  void Get(const httplib::Request& req, httplib::Response& res);
  void Delete(const httplib::Request& req, httplib::Response& res);

  // Whether the caller may PUT (a grant or the join token) or DELETE (the
  // join token) chunk `id`.
  Status Authorize(const httplib::Request& req, std::string_view id) const;
  // Validates id and Content-Length of an upload; returns the size.
  Result<int64_t> CheckUpload(std::string_view id, const httplib::Request& req) const;

  ChunkStore* const store_;
  DataTraffic* const traffic_;
  const std::function<void()> before_ack_;
  const DataApiAccess access_;
};

}  // namespace gale::node
