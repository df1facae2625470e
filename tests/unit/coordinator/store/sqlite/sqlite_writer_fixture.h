#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "coordinator/store/sqlite/sqlite_db.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::coordinator {

// A fresh database file in a temporary directory with a writer connection
// and one table, t (k INTEGER PRIMARY KEY, v BLOB): what the tests of the
// writer's WAL machinery start from.
class SqliteWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/t.db";
    auto writer = SqliteDb::Open(path_, SqliteDb::Role::kWriter);
    ASSERT_OK(writer.status());
    writer_ = *std::move(writer);
    ASSERT_OK(writer_->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)"));
  }

  testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<SqliteDb> writer_;
};

}  // namespace gale::coordinator
