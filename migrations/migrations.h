#pragma once

#include <string_view>
#include <vector>

namespace gale::migrations {

// One ordered schema change, embedded from migrations/<backend>/NNNN_name.sql.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The SQLite migrations in ascending version order.
const std::vector<Migration>& SqliteMigrations();
// The PostgreSQL migrations: the same versions and names, in PostgreSQL's
// dialect.
const std::vector<Migration>& PostgresMigrations();

}  // namespace gale::migrations
