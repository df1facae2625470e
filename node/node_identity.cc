#include "node/node_identity.h"

#include "common/file_util.h"
#include "common/ids.h"
#include "common/strings.h"

namespace gale::node {
namespace {

// The trimmed contents of `path`, "" when absent; DATA_LOSS when malformed.
Result<std::string> ReadId(const std::string& path) {
  auto text = common::ReadFileToString(path);
  if (absl::IsNotFound(text.status())) return std::string();
  RETURN_IF_ERROR(text.status());
  std::string id(TrimWhitespace(*text));
  if (!common::ValidateNodeId(id).ok()) {
    return absl::DataLossError(StrCat(path, " is malformed ('", EscapeForMessage(id),
                                      "'); restore it or remove it to join as a new node"));
  }
  return id;
}

}  // namespace

Result<std::unique_ptr<NodeIdentity>> NodeIdentity::Load(const ChunkPaths& paths) {
  std::unique_ptr<NodeIdentity> identity(new NodeIdentity(paths));
  ASSIGN_OR_RETURN(std::string node_id, ReadId(paths.NodeIdFile()));
  ASSIGN_OR_RETURN(std::string cluster_id, ReadId(paths.ClusterIdFile()));
  absl::MutexLock lock(&identity->mu_);
  identity->node_id_ = std::move(node_id);
  identity->cluster_id_ = std::move(cluster_id);
  return identity;
}

std::string NodeIdentity::node_id() const {
  absl::MutexLock lock(&mu_);
  return node_id_;
}

std::string NodeIdentity::cluster_id() const {
  absl::MutexLock lock(&mu_);
  return cluster_id_;
}

Status NodeIdentity::SaveNodeId(const std::string& id) {
  RETURN_IF_ERROR(common::WriteFileAtomically(paths_.NodeIdFile(), id + "\n"));
  absl::MutexLock lock(&mu_);
  node_id_ = id;
  return absl::OkStatus();
}

Status NodeIdentity::SaveClusterId(const std::string& id) {
  RETURN_IF_ERROR(common::WriteFileAtomically(paths_.ClusterIdFile(), id + "\n"));
  absl::MutexLock lock(&mu_);
  cluster_id_ = id;
  return absl::OkStatus();
}

}  // namespace gale::node
