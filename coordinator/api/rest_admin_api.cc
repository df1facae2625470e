#include "coordinator/api/rest_admin_api.h"

namespace gale::coordinator {

using common::SendError;
using common::SendJson;
using nlohmann::json;

void AdminRestApi::Register(common::HttpServer* server) {
  using std::placeholders::_1;
  using std::placeholders::_2;
  server->Get("/api/v1/admin/database/stats", std::bind(&AdminRestApi::Stats, this, _1, _2));
  server->Post("/api/v1/admin/database/backup", std::bind(&AdminRestApi::Backup, this, _1, _2));
  server->Post("/api/v1/admin/database/cleanup", std::bind(&AdminRestApi::Cleanup, this, _1, _2));
}

void AdminRestApi::Stats(const httplib::Request&, httplib::Response& res) {
  auto stats = admin_->Stats();
  if (!stats.ok()) return SendError(res, stats.status());
  int64_t total = 0;
  for (const auto& [table, rows] : stats->rows) total += rows;
  SendJson(res, 200,
           {{"backend", admin_->backend()},
            {"size_bytes", stats->size_bytes},
            {"total_rows", total},
            {"tables", stats->rows},
            {"activity", stats->activity}});
}

void AdminRestApi::Backup(const httplib::Request&, httplib::Response& res) {
  auto backup = admin_->Backup();
  if (!backup.ok()) return SendError(res, backup.status());
  SendJson(
      res, 200,
      {{"backend", admin_->backend()}, {"path", backup->path}, {"size_bytes", backup->size_bytes}});
}

void AdminRestApi::Cleanup(const httplib::Request&, httplib::Response& res) {
  auto report = admin_->Cleanup();
  if (!report.ok()) return SendError(res, report.status());
  SendJson(res, 200,
           {{"expired_uploads_removed", report->expired_uploads},
            {"tasks_removed", report->tasks_pruned},
            {"nodes_removed", report->nodes_forgotten}});
}

}  // namespace gale::coordinator
