#include "tests/testing/postgres_server.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include "common/strings.h"
#include "pqxx/pqxx"

namespace gale::testing {
namespace {

// Runs `sql` outside a transaction (CREATE/DROP DATABASE need that).
Status RunOn(const std::string& url, const std::string& sql, std::string_view what) {
  try {
    pqxx::connection conn(url);
    pqxx::nontransaction txn(conn);
    txn.exec(sql);
    return absl::OkStatus();
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError(StrCat(what, ": ", TrimWhitespace(e.what())));
  } catch (const std::exception& e) {
    return absl::InternalError(StrCat(what, ": ", TrimWhitespace(e.what())));
  }
}

// `server_url` with its database (the path) replaced by `name`.
std::string WithDatabase(const std::string& server_url, const std::string& name) {
  const size_t host = server_url.find("://");
  const size_t path = server_url.find('/', host == std::string::npos ? 0 : host + 3);
  const size_t query = server_url.find('?');
  std::string out = server_url.substr(0, path == std::string::npos ? query : path);
  out += "/" + name;
  if (query != std::string::npos) out += server_url.substr(query);
  return out;
}

}  // namespace

Result<std::string> TestPostgresUrl() {
  const std::string path = std::string(GALE_TEST_POSTGRES_DIR) + "/url";
  std::ifstream in(path);
  std::string url;
  if (!in || !std::getline(in, url) || TrimWhitespace(url).empty()) {
    return absl::NotFoundError(
        StrCat("no test PostgreSQL server: ", path,
               " does not exist (scripts/test-postgres.sh start found no PostgreSQL binaries, "
               "or this binary runs outside ctest; start one with: scripts/test-postgres.sh "
               "start ",
               GALE_TEST_POSTGRES_DIR, ")"));
  }
  return std::string(TrimWhitespace(url));
}

bool PostgresRequired() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) return false;
  const std::string value = AsciiLower(ci);
  return !value.empty() && value != "0" && value != "false";
}

std::string NoPostgresMessage(const Status& status) {
  std::string message = StrCat(PostgresRequired() ? "FAILING (CI is set)" : "SKIPPING",
                               " a PostgreSQL test: ", status.message());
  static std::atomic<bool> told{false};
  if (!told.exchange(true)) {
    std::fprintf(stderr, "\n*****\n***** %s\n*****\n\n", message.c_str());
  }
  return message;
}

Result<std::unique_ptr<TestDatabase>> TestDatabase::Create() {
  ASSIGN_OR_RETURN(std::string server_url, TestPostgresUrl());
  static std::atomic<int> counter{0};
  std::random_device random;
  const std::string name =
      StrCat("gale_test_", ::getpid(), "_", counter++, "_", random() % 1000000);
  RETURN_IF_ERROR(RunOn(server_url, StrCat("CREATE DATABASE ", name, " ENCODING 'UTF8'"),
                        StrCat("create test database ", name)));
  return std::unique_ptr<TestDatabase>(
      new TestDatabase(server_url, name, WithDatabase(server_url, name)));
}

TestDatabase::TestDatabase(std::string server_url, std::string name, std::string url)
    : server_url_(std::move(server_url)), name_(std::move(name)), url_(std::move(url)) {}

TestDatabase::~TestDatabase() {
  // FORCE ends sessions a test left open (a store not yet destroyed).
  Status status = RunOn(server_url_, StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"),
                        StrCat("drop test database ", name_));
  if (!status.ok()) std::fprintf(stderr, "%s\n", status.ToString().c_str());
}

Status TestDatabase::Exec(const std::string& sql) const { return RunOn(url_, sql, "test SQL"); }

}  // namespace gale::testing
