#pragma once

#include <functional>

#include "common/http_server.h"
#include "common/request_metrics.h"
#include "common/status.h"
#include "nlohmann/json.hpp"

namespace gale::common {

// What a binary reports about itself on its health endpoints.
struct HealthChecks {
  // OK when the process can serve (store reachable, migrations applied,
  // servers listening); otherwise the reason.
  std::function<Status()> ready;
  // A JSON summary for /health; "status" is added by the route.
  std::function<nlohmann::json()> summary;
};

// Registers on `server`:
//   GET /live    200 while the process runs
//   GET /ready   200 when checks.ready() is OK, else 503 with the reason
//   GET /health  checks.summary() plus "status": "healthy" (200) or
//                "unhealthy" (503)
//   GET /metrics Prometheus text, when `metrics` is not null
void AddHealthRoutes(HttpServer* server, HealthChecks checks, const MetricsRegistry* metrics);

}  // namespace gale::common
