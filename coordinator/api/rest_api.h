#pragma once

#include "common/http_server.h"
#include "coordinator/service_context.h"

namespace gale::coordinator {

// The REST API under /api/v1, compatible with the ZephyrFS coordinator's paths
// and JSON field names (snake_case, 64-bit integers as JSON numbers, times in
// Unix seconds). A thin adapter: decode JSON, call the domain classes, encode
// JSON; errors are {"error", "details"} with the mapped HTTP status.
// Thread-safe; the dependencies must outlive it.
class RestApi {
 public:
  explicit RestApi(ServiceContext context) : ctx_(context) {}

  // Adds every route to `server`.
  void Register(common::HttpServer* server);

 private:
  void RegisterNode(const httplib::Request& req, httplib::Response& res);
  void Heartbeat(const httplib::Request& req, httplib::Response& res);
  void Unregister(const httplib::Request& req, httplib::Response& res);
  void Maintenance(const httplib::Request& req, httplib::Response& res);
  void Drain(const httplib::Request& req, httplib::Response& res);
  void ActiveNodes(const httplib::Request& req, httplib::Response& res);
  void ListNodes(const httplib::Request& req, httplib::Response& res);
  void GetNode(const httplib::Request& req, httplib::Response& res);
  void NodeChunks(const httplib::Request& req, httplib::Response& res);
  void NetworkStatus(const httplib::Request& req, httplib::Response& res, bool stats_only);
  void ServiceInfo(const httplib::Request& req, httplib::Response& res);

  const ServiceContext ctx_;
};

}  // namespace gale::coordinator
