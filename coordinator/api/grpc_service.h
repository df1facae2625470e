#pragma once

#include <functional>
#include <string_view>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/request_metrics.h"
#include "coordinator/service_context.h"
#include "proto/coordinator.grpc.pb.h"

namespace gale::coordinator {

// The gale.v1.Coordinator gRPC service: a thin adapter that decodes requests,
// calls the domain classes and maps Status to gRPC codes. Thread-safe.
class CoordinatorGrpcService final : public gale::v1::Coordinator::Service {
 public:
  // `metrics` may be null.
  CoordinatorGrpcService(ServiceContext context, common::RequestMetrics* metrics)
      : ctx_(context), metrics_(metrics) {}

  grpc::Status RegisterNode(grpc::ServerContext* context, const v1::RegisterNodeRequest* request,
                            v1::RegisterNodeResponse* response) override;
  grpc::Status UnregisterNode(grpc::ServerContext* context,
                              const v1::UnregisterNodeRequest* request,
                              v1::UnregisterNodeResponse* response) override;
  grpc::Status NodeHeartbeat(grpc::ServerContext* context, const v1::NodeHeartbeatRequest* request,
                             v1::NodeHeartbeatResponse* response) override;
  grpc::Status ReportChunks(grpc::ServerContext* context,
                            grpc::ServerReader<v1::ReportChunksRequest>* reader,
                            v1::ReportChunksResponse* response) override;
  grpc::Status ReportChunkChanges(grpc::ServerContext* context,
                                  const v1::ReportChunkChangesRequest* request,
                                  v1::ReportChunkChangesResponse* response) override;
  grpc::Status CreateFile(grpc::ServerContext* context, const v1::CreateFileRequest* request,
                          v1::CreateFileResponse* response) override;
  grpc::Status AllocateChunks(grpc::ServerContext* context,
                              const v1::AllocateChunksRequest* request,
                              v1::AllocateChunksResponse* response) override;
  grpc::Status CommitFile(grpc::ServerContext* context, const v1::CommitFileRequest* request,
                          v1::CommitFileResponse* response) override;
  grpc::Status AbortFile(grpc::ServerContext* context, const v1::AbortFileRequest* request,
                         v1::AbortFileResponse* response) override;
  grpc::Status GetFile(grpc::ServerContext* context, const v1::GetFileRequest* request,
                       v1::GetFileResponse* response) override;
  grpc::Status ListFiles(grpc::ServerContext* context, const v1::ListFilesRequest* request,
                         v1::ListFilesResponse* response) override;
  grpc::Status DeleteFile(grpc::ServerContext* context, const v1::DeleteFileRequest* request,
                          v1::DeleteFileResponse* response) override;
  grpc::Status GetChunkLocations(grpc::ServerContext* context,
                                 const v1::GetChunkLocationsRequest* request,
                                 v1::GetChunkLocationsResponse* response) override;
  grpc::Status ReportBadReplica(grpc::ServerContext* context,
                                const v1::ReportBadReplicaRequest* request,
                                v1::ReportBadReplicaResponse* response) override;
  grpc::Status GetActiveNodes(grpc::ServerContext* context,
                              const v1::GetActiveNodesRequest* request,
                              v1::GetActiveNodesResponse* response) override;
  grpc::Status GetNode(grpc::ServerContext* context, const v1::GetNodeRequest* request,
                       v1::GetNodeResponse* response) override;
  grpc::Status ListNodes(grpc::ServerContext* context, const v1::ListNodesRequest* request,
                         v1::ListNodesResponse* response) override;
  grpc::Status SetNodeMaintenance(grpc::ServerContext* context,
                                  const v1::SetNodeMaintenanceRequest* request,
                                  v1::SetNodeMaintenanceResponse* response) override;
  grpc::Status DrainNode(grpc::ServerContext* context, const v1::DrainNodeRequest* request,
                         v1::DrainNodeResponse* response) override;
  grpc::Status GetNetworkStatus(grpc::ServerContext* context,
                                const v1::GetNetworkStatusRequest* request,
                                v1::GetNetworkStatusResponse* response) override;

  grpc::Status CreateBucket(grpc::ServerContext* context, const v1::CreateBucketRequest* request,
                            v1::CreateBucketResponse* response) override;
  grpc::Status GetBucket(grpc::ServerContext* context, const v1::GetBucketRequest* request,
                         v1::GetBucketResponse* response) override;
  grpc::Status ListBuckets(grpc::ServerContext* context, const v1::ListBucketsRequest* request,
                           v1::ListBucketsResponse* response) override;
  grpc::Status DeleteBucket(grpc::ServerContext* context, const v1::DeleteBucketRequest* request,
                            v1::DeleteBucketResponse* response) override;
  grpc::Status GetObject(grpc::ServerContext* context, const v1::GetObjectRequest* request,
                         v1::GetObjectResponse* response) override;
  grpc::Status ListObjects(grpc::ServerContext* context, const v1::ListObjectsRequest* request,
                           v1::ListObjectsResponse* response) override;
  grpc::Status DeleteObject(grpc::ServerContext* context, const v1::DeleteObjectRequest* request,
                            v1::DeleteObjectResponse* response) override;
  grpc::Status SetObjectTags(grpc::ServerContext* context, const v1::SetObjectTagsRequest* request,
                             v1::SetObjectTagsResponse* response) override;
  grpc::Status CopyObject(grpc::ServerContext* context, const v1::CopyObjectRequest* request,
                          v1::CopyObjectResponse* response) override;
  grpc::Status CreateMultipartUpload(grpc::ServerContext* context,
                                     const v1::CreateMultipartUploadRequest* request,
                                     v1::CreateMultipartUploadResponse* response) override;
  grpc::Status GetMultipartUpload(grpc::ServerContext* context,
                                  const v1::GetMultipartUploadRequest* request,
                                  v1::GetMultipartUploadResponse* response) override;
  grpc::Status ListMultipartUploads(grpc::ServerContext* context,
                                    const v1::ListMultipartUploadsRequest* request,
                                    v1::ListMultipartUploadsResponse* response) override;
  grpc::Status ListParts(grpc::ServerContext* context, const v1::ListPartsRequest* request,
                         v1::ListPartsResponse* response) override;
  grpc::Status AbortMultipartUpload(grpc::ServerContext* context,
                                    const v1::AbortMultipartUploadRequest* request,
                                    v1::AbortMultipartUploadResponse* response) override;
  grpc::Status CompleteMultipartUpload(grpc::ServerContext* context,
                                       const v1::CompleteMultipartUploadRequest* request,
                                       v1::CompleteMultipartUploadResponse* response) override;

  grpc::Status CreateS3Key(grpc::ServerContext* context, const v1::CreateS3KeyRequest* request,
                           v1::CreateS3KeyResponse* response) override;
  grpc::Status ListS3Keys(grpc::ServerContext* context, const v1::ListS3KeysRequest* request,
                          v1::ListS3KeysResponse* response) override;
  grpc::Status DeleteS3Key(grpc::ServerContext* context, const v1::DeleteS3KeyRequest* request,
                           v1::DeleteS3KeyResponse* response) override;
  grpc::Status GetS3Key(grpc::ServerContext* context, const v1::GetS3KeyRequest* request,
                        v1::GetS3KeyResponse* response) override;

  // Waits until no call is being handled, or `timeout` passes. Used at
  // shutdown: gRPC's own Shutdown(deadline) also waits out idle client
  // connections, so the coordinator drains calls itself, then shuts down at once.
  void WaitUntilIdle(absl::Duration timeout);

 private:
  // Runs `body`, records the call's metrics, turns escaped exceptions into
  // INTERNAL and the Status into a gRPC status.
  // Checks the caller's credentials for `method`, then runs `body`.
  grpc::Status Handle(std::string_view method, grpc::ServerContext* context,
                      const std::function<Status()>& body);
  Status Authorize(std::string_view method, const grpc::ServerContext* context) const;

  const ServiceContext ctx_;
  common::RequestMetrics* const metrics_;
  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gale::coordinator
