#pragma once

#include "common/http_server.h"
#include "coordinator/files/database_admin.h"

namespace gale::coordinator {

// The REST API for the metadata database, at the ZephyrFS admin paths:
//   GET  /api/v1/admin/database/stats    backend, size on disk, rows per table
//   POST /api/v1/admin/database/backup   an online backup (SQLite; 400 with
//                                        guidance on PostgreSQL)
//   POST /api/v1/admin/database/cleanup  expired uploads, old tasks, long-dead
//                                        nodes, now
// A thin adapter over DatabaseAdmin; thread-safe.
class AdminRestApi {
 public:
  explicit AdminRestApi(DatabaseAdmin* admin) : admin_(admin) {}

  void Register(common::HttpServer* server);

 private:
  void Stats(const httplib::Request& req, httplib::Response& res);
  void Backup(const httplib::Request& req, httplib::Response& res);
  void Cleanup(const httplib::Request& req, httplib::Response& res);

  DatabaseAdmin* const admin_;
};

}  // namespace gale::coordinator
