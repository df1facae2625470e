#pragma once

#include <atomic>
#include <memory>

#include "client/chunk_transport.h"
#include "common/clock.h"
#include "common/http_server.h"
#include "common/periodic_loop.h"
#include "common/request_metrics.h"
#include "common/security.h"
#include "common/status.h"
#include "coordinator/cluster/heartbeat_handler.h"
#include "coordinator/cluster/leader_election.h"
#include "coordinator/cluster/node_registry.h"
#include "coordinator/coordinator_options.h"
#include "coordinator/files/file_service.h"
#include "coordinator/files/garbage_collector.h"
#include "coordinator/files/object_service.h"
#include "coordinator/files/replica_catalog.h"
#include "coordinator/files/s3_key_service.h"
#include "coordinator/files/s3_master_key.h"
#include "coordinator/repair/replication_manager.h"
#include "coordinator/repair/task_ledger.h"
#include "coordinator/store/metadata_store.h"
#include "s3/s3_api_server.h"

namespace grpc {
class Server;
}

namespace gale::coordinator {

class CachedStore;
class CoordinatorGrpcService;
class RegistryMetrics;
class ReplicationMetrics;
class RestApi;
class FilesRestApi;
class AdminRestApi;
class DatabaseAdmin;
class LocalFileApi;
class LocalObjectApi;
class LocalS3KeySource;
class PgConnection;
class PgSessionLock;

// A whole gale-coordinator: owns the metadata store, the domain classes, the
// gRPC, REST and metrics servers and the background loops, and orders their
// start and shutdown. Start() once, Shutdown() once (also run by the
// destructor). The accessors are thread-safe after Start().
class Coordinator {
 public:
  // `clock` must outlive the coordinator.
  Coordinator(CoordinatorOptions options, common::Clock* clock);
  ~Coordinator();

  // Opens and migrates the store, loads the registry, binds every port
  // (writing the info file when configured) and starts serving. On error
  // nothing keeps running.
  Status Start();
  // Stops accepting requests, stops the loops, flushes liveness, closes the
  // store. Idempotent.
  void Shutdown();

  int grpc_port() const { return grpc_port_; }
  int http_port() const { return http_port_; }
  int metrics_port() const { return metrics_port_; }
  // 0 unless server.serve_s3.
  int s3_port() const { return s3_port_; }
  NodeRegistry* registry() { return registry_.get(); }
  ReplicaCatalog* replicas() { return replicas_.get(); }
  FileService* files() { return files_.get(); }
  GarbageCollector* gc() { return gc_.get(); }
  ReplicationManager* replication() { return replication_.get(); }
  LeaderElection* leader() { return leader_.get(); }

 private:
  // The election: an advisory lock with PostgreSQL, sole leadership with
  // SQLite (one coordinator per database file).
  Status StartElection();
  void OnLeadershipChange(bool leader);
  Status StartServers();
  // With server.serve_s3: the S3 API over this process's own domain classes.
  Status StartS3();
  Status WriteInfoFile() const;
  Status Ready() const;

  CoordinatorOptions options_;
  common::Clock* const clock_;
  absl::Time started_at_;

  std::unique_ptr<common::MetricsRegistry> metrics_;
  std::unique_ptr<common::RequestMetrics> grpc_metrics_;
  std::unique_ptr<common::RequestMetrics> http_metrics_;
  std::unique_ptr<common::Authenticator> auth_;
  std::unique_ptr<common::ChunkWriteGrants> grants_;
  std::unique_ptr<MetadataStore> store_;
  CachedStore* cached_store_ = nullptr;  // store_ when it keeps the index in memory
  ClusterInfo cluster_;
  std::unique_ptr<NodeRegistry> registry_;
  std::unique_ptr<ReplicaCatalog> replicas_;
  std::unique_ptr<TaskLedger> tasks_;
  std::unique_ptr<FileService> files_;
  std::unique_ptr<ObjectService> objects_;
  std::unique_ptr<HeartbeatHandler> heartbeats_;
  std::unique_ptr<GarbageCollector> gc_;
  std::unique_ptr<DatabaseAdmin> database_admin_;
  std::unique_ptr<common::PeriodicLoop> gc_loop_;
  std::unique_ptr<ReplicationManager> replication_;
  std::unique_ptr<common::PeriodicLoop> replication_loop_;
  std::unique_ptr<RegistryMetrics> registry_metrics_;
  std::unique_ptr<ReplicationMetrics> replication_metrics_;
  std::unique_ptr<common::PeriodicLoop> liveness_loop_;
  std::unique_ptr<LeaderElection> leader_;
  std::unique_ptr<PgSessionLock> leader_lock_;  // PostgreSQL only
  std::unique_ptr<PgConnection> holder_conn_;   // used by the leader loop alone
  std::unique_ptr<common::PeriodicLoop> leader_loop_;
  std::unique_ptr<S3MasterKey> s3_master_key_;
  std::unique_ptr<S3KeyService> s3_keys_;
  // Several coordinators may share the store: merge what the others write.
  bool shared_store_ = false;

  std::unique_ptr<CoordinatorGrpcService> grpc_service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<RestApi> rest_api_;
  std::unique_ptr<LocalFileApi> local_files_;
  std::unique_ptr<client::ChunkTransport> gateway_transport_;
  std::unique_ptr<FilesRestApi> files_rest_api_;
  std::unique_ptr<AdminRestApi> admin_rest_api_;
  std::unique_ptr<common::HttpServer> rest_server_;
  std::unique_ptr<common::HttpServer> metrics_server_;
  std::unique_ptr<LocalObjectApi> local_objects_;
  std::unique_ptr<LocalS3KeySource> local_s3_keys_;
  std::unique_ptr<s3::S3ApiServer> s3_server_;
  int grpc_port_ = 0;
  int http_port_ = 0;
  int metrics_port_ = 0;
  int s3_port_ = 0;

  std::atomic<bool> serving_{false};
  bool shut_down_ = false;
};

}  // namespace gale::coordinator
