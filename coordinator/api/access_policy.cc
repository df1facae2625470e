#include "coordinator/api/access_policy.h"

#include <algorithm>
#include <array>

namespace gale::coordinator {

using common::Access;

Access GrpcAccess(std::string_view method) {
  static constexpr std::array<std::string_view, 5> kNode = {
      "RegisterNode", "UnregisterNode", "NodeHeartbeat", "ReportChunks", "ReportChunkChanges"};
  // A reader's report of a bad copy is part of reading.
  static constexpr std::array<std::string_view, 15> kRead = {"GetActiveNodes",
                                                             "GetNode",
                                                             "ListNodes",
                                                             "GetNetworkStatus",
                                                             "GetFile",
                                                             "ListFiles",
                                                             "GetChunkLocations",
                                                             "ReportBadReplica",
                                                             "GetBucket",
                                                             "ListBuckets",
                                                             "GetObject",
                                                             "ListObjects",
                                                             "GetMultipartUpload",
                                                             "ListMultipartUploads",
                                                             "ListParts"};
  // Everything else needs a full token, the S3 key RPCs included: CreateS3Key
  // and GetS3Key (what gateways call) answer with secrets, and even ListS3Keys
  // is for administrators.
  if (std::find(kNode.begin(), kNode.end(), method) != kNode.end()) return Access::kNode;
  if (std::find(kRead.begin(), kRead.end(), method) != kRead.end()) return Access::kRead;
  return Access::kWrite;
}

Access RestAccess(std::string_view method, std::string_view route) {
  if (method == "POST" &&
      (route == "/api/v1/nodes/register" || route == "/api/v1/nodes/{id}/heartbeat" ||
       route == "/api/v1/nodes/{id}/unregister")) {
    return Access::kNode;
  }
  return method == "GET" ? Access::kRead : Access::kWrite;
}

Status AuthorizeRest(const common::Authenticator& auth, std::string_view method,
                     std::string_view route, const httplib::Request& req) {
  const Access access = RestAccess(method, route);
  std::string header;
  std::optional<std::string_view> token;
  if (access == Access::kNode && req.has_header(std::string(common::kJoinTokenHeader))) {
    header = req.get_header_value(std::string(common::kJoinTokenHeader));
    token = header;
  } else if (req.has_header("Authorization")) {
    header = req.get_header_value("Authorization");
    token = common::BearerToken(header);
  }
  return auth.Check(access, token);
}

}  // namespace gale::coordinator
