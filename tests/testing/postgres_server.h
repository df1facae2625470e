#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace gale::testing {

// The URL of the test PostgreSQL server that scripts/test-postgres.sh started
// for this build tree (CTest fixture "postgres"), read from
// GALE_TEST_POSTGRES_DIR/url. NOT_FOUND when no server was started (no
// PostgreSQL binaries, or the test binary run outside CTest with the server
// stopped).
Result<std::string> TestPostgresUrl();

// Whether a missing test server fails tests instead of skipping them: when
// the environment variable CI is set (and not "", "0" or "false").
bool PostgresRequired();

// The message of a skip or failure for want of a server, printed loudly to
// stderr the first time.
std::string NoPostgresMessage(const Status& status);

// A fresh, uniquely named database on the test server (CREATE DATABASE),
// dropped with every connection to it on destruction, so that each test,
// and each coordinator of a mini cluster, starts from nothing and in
// isolation. Not thread-safe.
class TestDatabase {
 public:
  // NOT_FOUND when no test server runs (see TestPostgresUrl); UNAVAILABLE or
  // INTERNAL when it does but refuses.
  static Result<std::unique_ptr<TestDatabase>> Create();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // postgresql://postgres@127.0.0.1:PORT/<name>
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

  // Runs `sql` in the database on a connection of its own, as an operator or
  // another tool would.
  Status Exec(const std::string& sql) const;

 private:
  TestDatabase(std::string server_url, std::string name, std::string url);

  const std::string server_url_;  // the server's maintenance database
  const std::string name_;
  const std::string url_;
};

}  // namespace gale::testing

// In a test body or SetUp(): declares or assigns `lhs` (a
// std::unique_ptr<TestDatabase>), or ends the test when no test server
// runs: skipped, or failed when PostgresRequired() (under CI).
#define GALE_ASSIGN_TEST_DATABASE_OR_SKIP(lhs) \
  GALE_ASSIGN_TEST_DATABASE_OR_SKIP_IMPL(GALE_STATUS_CONCAT(gale_test_db_, __LINE__), lhs)
#define GALE_ASSIGN_TEST_DATABASE_OR_SKIP_IMPL(result, lhs)                    \
  auto result = ::gale::testing::TestDatabase::Create();                       \
  if (absl::IsNotFound(result.status())) {                                     \
    if (::gale::testing::PostgresRequired()) {                                 \
      FAIL() << ::gale::testing::NoPostgresMessage(result.status());           \
    }                                                                          \
    GTEST_SKIP() << ::gale::testing::NoPostgresMessage(result.status());       \
  }                                                                            \
  ASSERT_TRUE(result.ok()) << "test PostgreSQL database: " << result.status(); \
  lhs = std::move(result).value()
