#pragma once

#include <string_view>

#include "common/security.h"
#include "common/status.h"
#include "httplib.h"

namespace gale::coordinator {

// What each coordinator call needs (see common::Access), in one place for
// both APIs: node calls (registration, heartbeats, reports) the join token;
// reads a read or full API token; everything else (uploads, deletes,
// operator switches, administration) a full token.

// By gRPC method name ("RegisterNode").
common::Access GrpcAccess(std::string_view method);
// By HTTP method and route template ("POST", "/api/v1/nodes/{id}/heartbeat").
common::Access RestAccess(std::string_view method, std::string_view route);

// Checks a REST request's credentials: the join token header (or a bearer
// token) on node routes, the bearer token elsewhere.
Status AuthorizeRest(const common::Authenticator& auth, std::string_view method,
                     std::string_view route, const httplib::Request& req);

}  // namespace gale::coordinator
