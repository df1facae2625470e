#include "common/health_routes.h"

namespace gale::common {

void AddHealthRoutes(HttpServer* server, HealthChecks checks, const MetricsRegistry* metrics) {
  server->Get("/live", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, {{"status", "alive"}});
  });
  server->Get("/ready", [checks](const httplib::Request&, httplib::Response& res) {
    Status ready = checks.ready();
    if (ready.ok()) {
      SendJson(res, 200, {{"status", "ready"}});
    } else {
      SendJson(res, 503, {{"error", "not ready"}, {"details", ready.message()}});
    }
  });
  server->Get("/health", [checks](const httplib::Request&, httplib::Response& res) {
    Status ready = checks.ready();
    nlohmann::json body = checks.summary();
    body["status"] = ready.ok() ? "healthy" : "unhealthy";
    if (!ready.ok()) body["reason"] = ready.message();
    SendJson(res, ready.ok() ? 200 : 503, body);
  });
  if (metrics != nullptr) {
    server->Get("/metrics", [metrics](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics->Serialize(), "text/plain; version=0.0.4");
    });
  }
}

}  // namespace gale::common
