#include "common/tls.h"

#include "common/file_util.h"
#include "common/strings.h"

namespace gale::common {

void TlsOptions::AddToSchema(ConfigSchema* s) {
  s->AddString("tls.cert_file", "tls-cert-file", &cert_file,
               "PEM certificate this process serves with (and presents as a client for mutual "
               "TLS); empty: plain TCP");
  s->AddString("tls.key_file", "tls-key-file", &key_file, "PEM private key of tls.cert_file");
  s->AddString("tls.ca_file", "tls-ca-file", &ca_file,
               "PEM CA that servers' (and clients') certificates must chain to; set it to dial "
               "coordinators and nodes over TLS");
  s->AddBool("tls.require_client_cert", "tls-require-client-cert", &require_client_cert,
             "servers demand a client certificate signed by tls.ca_file (mutual TLS)");
}

Status TlsOptions::Validate() const {
  if (cert_file.empty() != key_file.empty()) {
    return absl::InvalidArgumentError("tls.cert_file and tls.key_file go together");
  }
  if (require_client_cert && (ca_file.empty() || cert_file.empty())) {
    return absl::InvalidArgumentError(
        "tls.require_client_cert needs tls.ca_file (to check clients) and tls.cert_file");
  }
  for (const auto& [key, path] :
       {std::pair{"tls.cert_file", &cert_file}, std::pair{"tls.key_file", &key_file},
        std::pair{"tls.ca_file", &ca_file}}) {
    if (path->empty()) continue;
    Status readable = ReadFileToString(*path).status();
    if (!readable.ok()) {
      return absl::InvalidArgumentError(StrCat(key, ": ", readable.message()));
    }
  }
  return absl::OkStatus();
}

Result<std::shared_ptr<grpc::ServerCredentials>> GrpcServerCredentials(const TlsOptions& tls) {
  if (!tls.serves_tls()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(
      tls.require_client_cert ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                              : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.private_key, ReadFileToString(tls.key_file));
  ASSIGN_OR_RETURN(pair.cert_chain, ReadFileToString(tls.cert_file));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  if (!tls.ca_file.empty()) {
    ASSIGN_OR_RETURN(options.pem_root_certs, ReadFileToString(tls.ca_file));
  }
  return grpc::SslServerCredentials(options);
}

Result<std::shared_ptr<grpc::ChannelCredentials>> GrpcChannelCredentials(const TlsOptions& tls) {
  if (!tls.dials_tls()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  ASSIGN_OR_RETURN(options.pem_root_certs, ReadFileToString(tls.ca_file));
  if (tls.presents_cert()) {
    ASSIGN_OR_RETURN(options.pem_private_key, ReadFileToString(tls.key_file));
    ASSIGN_OR_RETURN(options.pem_cert_chain, ReadFileToString(tls.cert_file));
  }
  return grpc::SslCredentials(options);
}

}  // namespace gale::common
