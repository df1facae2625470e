// PostgresStore: the task ledger (see metadata_store.h).

#include <algorithm>
#include <tuple>

#include "common/ids.h"
#include "common/strings.h"
#include "coordinator/store/postgres/postgres_store.h"

namespace gale::coordinator {
namespace {

constexpr std::string_view kTaskColumns =
    "id, kind, chunk_id, node_id, sources, state, attempts, created_at_ms, not_before_ms, "
    "deadline_ms, finished_at_ms, size, error";

Result<TaskRecord> ReadTask(const pqxx::row& row) {
  TaskRecord task;
  task.id = row[0].as<std::string>();
  ASSIGN_OR_RETURN(task.kind, ParseTaskKind(row[1].as<std::string>()));
  task.chunk_id = row[2].as<std::string>();
  task.node_id = row[3].as<std::string>();
  task.sources = ParsePgTextArray(row[4]);
  ASSIGN_OR_RETURN(task.state, ParseTaskState(row[5].as<std::string>()));
  task.attempts = row[6].as<int>();
  task.created_at = absl::FromUnixMillis(row[7].as<int64_t>());
  task.not_before = absl::FromUnixMillis(row[8].as<int64_t>());
  task.deadline = absl::FromUnixMillis(row[9].as<int64_t>());
  task.finished_at = absl::FromUnixMillis(row[10].as<int64_t>());
  task.size = row[11].as<int64_t>();
  task.error = row[12].as<std::string>();
  return task;
}

}  // namespace

Status PostgresStore::InsertTaskIn(PgTx& tx, const TaskRecord& task) {
  return tx
      .Exec(
          "INSERT INTO tasks (id, kind, chunk_id, node_id, sources, state, created_at_ms, "
          "not_before_ms, size) VALUES ($1, $2, $3, $4, $5::text[], 'pending', $6, $7, $8)",
          task.id.empty() ? common::NewUuid() : task.id, TaskKindName(task.kind), task.chunk_id,
          task.node_id, PgTextArray(task.sources), absl::ToUnixMillis(task.created_at),
          absl::ToUnixMillis(task.not_before), task.size)
      .status();
}

Status PostgresStore::InsertTask(const TaskRecord& task) {
  return pool_->Run("InsertTask", PgIsolation::kSerializable,
                    [&](PgTx& tx) { return InsertTaskIn(tx, task); });
}

Result<std::vector<TaskRecord>> PostgresStore::RecentTasks(absl::Time failed_since) {
  return pool_->Run("RecentTasks", PgIsolation::kRepeatableRead,
                    [&](PgTx& tx) -> Result<std::vector<TaskRecord>> {
                      ASSIGN_OR_RETURN(
                          pqxx::result r,
                          tx.Exec(StrCat("SELECT ", kTaskColumns,
                                         " FROM tasks WHERE state IN ('pending', 'assigned') OR "
                                         "(state = 'failed' AND finished_at_ms >= $1) ORDER BY "
                                         "created_at_ms, id"),
                                  absl::ToUnixMillis(failed_since)));
                      return ReadRows(r, &ReadTask);
                    });
}

Status PostgresStore::CancelTask(std::string_view task_id, std::string_view reason,
                                 absl::Time now) {
  return pool_->Run("CancelTask", PgIsolation::kSerializable, [&](PgTx& tx) -> Status {
    return tx
        .Exec(
            "UPDATE tasks SET state = 'failed', error = $1, finished_at_ms = $2 WHERE id = $3 "
            "AND state = 'pending'",
            reason, absl::ToUnixMillis(now), task_id)
        .status();
  });
}

Result<int64_t> PostgresStore::ReplicatedBytesSince(absl::Time since) {
  return pool_->Run(
      "ReplicatedBytesSince", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<int64_t> {
        ASSIGN_OR_RETURN(pqxx::result r, tx.Exec("SELECT coalesce(sum(size), 0)::bigint FROM tasks "
                                                 "WHERE kind = 'replicate' AND state = 'done' AND "
                                                 "finished_at_ms >= $1",
                                                 absl::ToUnixMillis(since)));
        return r[0][0].as<int64_t>();
      });
}

Result<int> PostgresStore::PruneTasks(absl::Time before) {
  return pool_->Run("PruneTasks", PgIsolation::kSerializable, [&](PgTx& tx) -> Result<int> {
    ASSIGN_OR_RETURN(int64_t pruned, tx.Change("DELETE FROM tasks WHERE state IN ('done', "
                                               "'failed') AND finished_at_ms < $1",
                                               absl::ToUnixMillis(before)));
    return static_cast<int>(pruned);
  });
}

Result<std::vector<TaskRecord>> PostgresStore::AssignTasks(std::string_view node_id, int limit,
                                                           absl::Time now, absl::Time deadline) {
  // Every heartbeat asks, and most find nothing: one statement on its own
  // (one round trip; a serializable transaction around a look and an update
  // took three, and held heartbeats on PostgreSQL to a third of SQLite's
  // rate). Rows another coordinator is handing out are skipped, not waited
  // for (picked once: as a sub-query the pick could run again and hand out
  // more than `limit`), so a task goes out once.
  ASSIGN_OR_RETURN(
      std::vector<TaskRecord> tasks,
      pool_->Run(
          "AssignTasks", PgIsolation::kAutocommit,
          [&](PgTx& tx) -> Result<std::vector<TaskRecord>> {
            ASSIGN_OR_RETURN(
                pqxx::result r,
                tx.Exec(
                    StrCat("WITH picked AS (SELECT id AS picked_id FROM tasks WHERE node_id = $2 "
                           "AND state = 'pending' AND not_before_ms <= $3 ORDER BY "
                           "created_at_ms, id LIMIT $4 FOR UPDATE SKIP LOCKED) UPDATE tasks SET "
                           "state = 'assigned', attempts = attempts + 1, deadline_ms = $1 "
                           "FROM picked WHERE id = picked_id AND state = 'pending' RETURNING ",
                           kTaskColumns),
                    absl::ToUnixMillis(deadline), node_id, absl::ToUnixMillis(now),
                    PgLimit(limit)));
            return ReadRows(r, &ReadTask);
          }));
  // RETURNING keeps no order: oldest first, as they were picked.
  std::sort(tasks.begin(), tasks.end(), [](const TaskRecord& a, const TaskRecord& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  return tasks;
}

Result<TaskState> PostgresStore::RetryOrFailIn(PgTx& tx, std::string_view task_id, TaskKind kind,
                                               int attempts, std::string_view error, absl::Time now,
                                               absl::Duration retry_after, int max_attempts) {
  const bool give_up = kind == TaskKind::kReplicate || attempts >= max_attempts;
  RETURN_IF_ERROR(tx.Exec("UPDATE tasks SET state = $1, not_before_ms = $2, error = $3, "
                          "finished_at_ms = $4 WHERE id = $5",
                          give_up ? "failed" : "pending", absl::ToUnixMillis(now + retry_after),
                          error, give_up ? absl::ToUnixMillis(now) : int64_t{0}, task_id)
                      .status());
  return give_up ? TaskState::kFailed : TaskState::kPending;
}

Result<std::optional<TaskRecord>> PostgresStore::FinishTask(std::string_view node_id,
                                                            std::string_view task_id, bool ok,
                                                            std::string_view error, absl::Time now,
                                                            absl::Duration retry_after,
                                                            int max_attempts) {
  using Finished = std::optional<TaskRecord>;
  return pool_->Run("FinishTask", PgIsolation::kSerializable, [&](PgTx& tx) -> Result<Finished> {
    ASSIGN_OR_RETURN(pqxx::result r, tx.Exec(StrCat("SELECT ", kTaskColumns,
                                                    " FROM tasks WHERE id = $1 AND node_id = $2"),
                                             task_id, node_id));
    // Unknown, another node's, or already finished: a repeated report.
    if (r.empty() || r[0][5].as<std::string>() != "assigned") return Finished();
    ASSIGN_OR_RETURN(TaskRecord task, ReadTask(r[0]));
    if (ok) {
      RETURN_IF_ERROR(tx.Exec("UPDATE tasks SET state = 'done', error = '', finished_at_ms = $1 "
                              "WHERE id = $2",
                              absl::ToUnixMillis(now), task_id)
                          .status());
      task.state = TaskState::kDone;
      task.error.clear();
    } else {
      ASSIGN_OR_RETURN(task.state, RetryOrFailIn(tx, task_id, task.kind, task.attempts, error, now,
                                                 retry_after, max_attempts));
      task.error = std::string(error);
    }
    if (task.state == TaskState::kDone || task.state == TaskState::kFailed) task.finished_at = now;
    // What the outcome says about the node's copy.
    if (task.kind == TaskKind::kDelete && ok) {
      RETURN_IF_ERROR(tx.Exec("DELETE FROM replicas WHERE chunk_id = decode($1, 'hex') AND "
                              "node_id = $2",
                              task.chunk_id, node_id)
                          .status());
    } else if (task.kind == TaskKind::kVerify && ok) {
      RETURN_IF_ERROR(tx.Exec("UPDATE replicas SET state = 'stored', updated_at_ms = $1 WHERE "
                              "chunk_id = decode($2, 'hex') AND node_id = $3 AND state = 'corrupt'",
                              absl::ToUnixMillis(now), task.chunk_id, node_id)
                          .status());
    } else if (task.kind == TaskKind::kVerify) {
      RETURN_IF_ERROR(tx.Exec("DELETE FROM replicas WHERE chunk_id = decode($1, 'hex') AND "
                              "node_id = $2 AND "
                              "state != 'deleting'",
                              task.chunk_id, node_id)
                          .status());
    }
    return Finished(std::move(task));
  });
}

Result<int> PostgresStore::ExpireTasks(absl::Time now, absl::Duration retry_after,
                                       int max_attempts) {
  return pool_->Run("ExpireTasks", PgIsolation::kSerializable, [&](PgTx& tx) -> Result<int> {
    ASSIGN_OR_RETURN(pqxx::result late, tx.Exec("SELECT id, kind, attempts FROM tasks WHERE "
                                                "state = 'assigned' AND deadline_ms < $1",
                                                absl::ToUnixMillis(now)));
    for (const pqxx::row& row : late) {
      ASSIGN_OR_RETURN(TaskKind kind, ParseTaskKind(row[1].as<std::string>()));
      RETURN_IF_ERROR(RetryOrFailIn(tx, row[0].as<std::string>(), kind, row[2].as<int>(),
                                    "deadline passed", now, retry_after, max_attempts)
                          .status());
    }
    return static_cast<int>(late.size());
  });
}

Result<std::map<std::pair<TaskKind, TaskState>, int64_t>> PostgresStore::CountTasks() {
  using Counts = std::map<std::pair<TaskKind, TaskState>, int64_t>;
  return pool_->Run("CountTasks", PgIsolation::kRepeatableRead, [&](PgTx& tx) -> Result<Counts> {
    ASSIGN_OR_RETURN(pqxx::result r,
                     tx.Exec("SELECT kind, state, count(*) FROM tasks GROUP BY kind, state"));
    Counts out;
    for (const pqxx::row& row : r) {
      ASSIGN_OR_RETURN(TaskKind kind, ParseTaskKind(row[0].as<std::string>()));
      ASSIGN_OR_RETURN(TaskState state, ParseTaskState(row[1].as<std::string>()));
      out[{kind, state}] = row[2].as<int64_t>();
    }
    return out;
  });
}

}  // namespace gale::coordinator
