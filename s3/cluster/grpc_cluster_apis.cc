#include "s3/cluster/grpc_cluster_apis.h"

namespace gale::s3 {

ClusterApis GrpcClusterApis::apis() {
  ClusterApis out;
  out.objects = &objects_;
  out.files = &files_;
  out.upload_files = [coordinator = coordinator_](client::UploadTarget target) {
    return std::unique_ptr<client::FileApi>(
        std::make_unique<client::GrpcFileApi>(coordinator, std::move(target)));
  };
  return out;
}

}  // namespace gale::s3
