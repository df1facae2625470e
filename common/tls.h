#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "common/config.h"
#include "common/status.h"

namespace gale::common {

// The tls section of config.yaml, read by every binary. A process serves its
// data and control ports (coordinator gRPC and REST, node data API) over TLS
// with cert_file/key_file, and as a client verifies servers against ca_file;
// with require_client_cert, servers also demand a client certificate signed
// by ca_file, and clients present cert_file/key_file (mutual TLS). Metrics
// and health ports stay plain HTTP for probes. A plain value type.
struct TlsOptions {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  bool require_client_cert = false;

  void AddToSchema(ConfigSchema* schema);
  // Both files or neither; a CA for client certificates; every named file
  // readable. INVALID_ARGUMENT naming the key otherwise.
  Status Validate() const;

  bool serves_tls() const { return !cert_file.empty(); }
  // Whether this process talks TLS to coordinators and nodes.
  bool dials_tls() const { return !ca_file.empty(); }
  // The client certificate to present, when any.
  bool presents_cert() const { return dials_tls() && !cert_file.empty(); }
};

// The credentials a gRPC server listens with: TLS from `tls` when it serves
// TLS, else insecure. INTERNAL when a file cannot be read.
Result<std::shared_ptr<grpc::ServerCredentials>> GrpcServerCredentials(const TlsOptions& tls);
// The credentials a gRPC channel dials with: TLS verified against the CA
// when `tls` dials TLS (with the client certificate, if any), else insecure.
Result<std::shared_ptr<grpc::ChannelCredentials>> GrpcChannelCredentials(const TlsOptions& tls);

}  // namespace gale::common
