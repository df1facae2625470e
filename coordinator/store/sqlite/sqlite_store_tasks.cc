// SqliteStore: the task ledger (see metadata_store.h).

#include <tuple>

#include "common/ids.h"
#include "common/strings.h"
#include "coordinator/store/sqlite/sqlite_store.h"
#include "nlohmann/json.hpp"

namespace gale::coordinator {

namespace {

constexpr std::string_view kTaskColumns =
    "id, kind, chunk_id, node_id, sources, state, attempts, created_at_ms, not_before_ms, "
    "deadline_ms, finished_at_ms, size, error";

Result<TaskRecord> ReadTask(const SqliteStatement& row) {
  TaskRecord task;
  task.id = row.Text(0);
  ASSIGN_OR_RETURN(task.kind, ParseTaskKind(row.Text(1)));
  task.chunk_id = row.Text(2);
  task.node_id = row.Text(3);
  auto sources = nlohmann::json::parse(row.Text(4), nullptr, false);
  if (sources.is_array()) {
    for (const auto& s : sources) {
      if (s.is_string()) task.sources.push_back(s.get<std::string>());
    }
  }
  ASSIGN_OR_RETURN(task.state, ParseTaskState(row.Text(5)));
  task.attempts = static_cast<int>(row.Int(6));
  task.created_at = absl::FromUnixMillis(row.Int(7));
  task.not_before = absl::FromUnixMillis(row.Int(8));
  task.deadline = absl::FromUnixMillis(row.Int(9));
  task.finished_at = absl::FromUnixMillis(row.Int(10));
  task.size = row.Int(11);
  task.error = row.Text(12);
  return task;
}

}  // namespace

Status SqliteStore::InsertTaskIn(SqliteDb& db, const TaskRecord& task) {
  ASSIGN_OR_RETURN(auto insert,
                   db.Prepare("INSERT INTO tasks (id, kind, chunk_id, node_id, sources, state, "
                              "created_at_ms, not_before_ms, size) VALUES (?, ?, ?, ?, ?, "
                              "'pending', ?, ?, ?)"));
  insert->Bind(1, task.id.empty() ? common::NewUuid() : task.id)
      .Bind(2, TaskKindName(task.kind))
      .Bind(3, task.chunk_id)
      .Bind(4, task.node_id)
      .Bind(5, nlohmann::json(task.sources).dump())
      .Bind(6, absl::ToUnixMillis(task.created_at))
      .Bind(7, absl::ToUnixMillis(task.not_before))
      .Bind(8, task.size);
  return insert->Run();
}

Status SqliteStore::InsertTask(const TaskRecord& task) {
  return Write([&](SqliteDb& db) -> Status { return InsertTaskIn(db, task); });
}

Result<std::vector<TaskRecord>> SqliteStore::RecentTasks(absl::Time failed_since) {
  return Read([&](SqliteDb& db) -> Result<std::vector<TaskRecord>> {
    ASSIGN_OR_RETURN(auto stmt,
                     db.Prepare(StrCat("SELECT ", kTaskColumns,
                                       " FROM tasks WHERE state IN ('pending', 'assigned') "
                                       "UNION ALL SELECT ",
                                       kTaskColumns,
                                       " FROM tasks WHERE state = 'failed' AND "
                                       "finished_at_ms >= ?")));
    stmt->Bind(1, absl::ToUnixMillis(failed_since));
    std::vector<TaskRecord> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) return out;
      ASSIGN_OR_RETURN(TaskRecord task, ReadTask(*stmt));
      out.push_back(std::move(task));
    }
  });
}

Status SqliteStore::CancelTask(std::string_view task_id, std::string_view reason, absl::Time now) {
  return Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto cancel, db.Prepare("UPDATE tasks SET state = 'failed', error = ?, "
                                             "finished_at_ms = ? WHERE id = ? AND state = "
                                             "'pending'"));
    cancel->Bind(1, reason).Bind(2, absl::ToUnixMillis(now)).Bind(3, task_id);
    return cancel->Run();
  });
}

Result<int64_t> SqliteStore::ReplicatedBytesSince(absl::Time since) {
  return Read([&](SqliteDb& db) -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT coalesce(sum(size), 0) FROM tasks WHERE "
                                           "kind = 'replicate' AND state = 'done' AND "
                                           "finished_at_ms >= ?"));
    stmt->Bind(1, absl::ToUnixMillis(since));
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    return row ? stmt->Int(0) : 0;
  });
}

Result<int> SqliteStore::PruneTasks(absl::Time before) {
  return Write([&](SqliteDb& db) -> Result<int> {
    ASSIGN_OR_RETURN(auto prune, db.Prepare("DELETE FROM tasks WHERE state IN ('done', "
                                            "'failed') AND finished_at_ms < ?"));
    prune->Bind(1, absl::ToUnixMillis(before));
    RETURN_IF_ERROR(prune->Run());
    return db.changes();
  });
}

Result<std::vector<TaskRecord>> SqliteStore::AssignTasks(std::string_view node_id, int limit,
                                                         absl::Time now, absl::Time deadline) {
  // Most heartbeats find nothing to hand out: they look on a reader and do
  // not queue behind the writer.
  ASSIGN_OR_RETURN(bool any, Read([&](SqliteDb& db) -> Result<bool> {
                     ASSIGN_OR_RETURN(auto pending,
                                      db.Prepare("SELECT 1 FROM tasks WHERE node_id = ? AND state "
                                                 "= 'pending' AND not_before_ms <= ? LIMIT 1"));
                     pending->Bind(1, node_id).Bind(2, absl::ToUnixMillis(now));
                     return pending->Step();
                   }));
  std::vector<TaskRecord> tasks;
  if (!any) return tasks;
  RETURN_IF_ERROR(Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto select,
                     db.Prepare(StrCat("SELECT ", kTaskColumns,
                                       " FROM tasks WHERE node_id = ? AND state = 'pending' "
                                       "AND not_before_ms <= ? ORDER BY created_at_ms LIMIT ?")));
    select->Bind(1, node_id).Bind(2, absl::ToUnixMillis(now)).Bind(3, int64_t{limit});
    while (true) {
      ASSIGN_OR_RETURN(bool row, select->Step());
      if (!row) break;
      ASSIGN_OR_RETURN(TaskRecord task, ReadTask(*select));
      task.attempts += 1;
      task.state = TaskState::kAssigned;
      task.deadline = deadline;
      tasks.push_back(std::move(task));
    }
    select.reset();
    for (const TaskRecord& task : tasks) {
      ASSIGN_OR_RETURN(auto assign,
                       db.Prepare("UPDATE tasks SET state = 'assigned', attempts = attempts + "
                                  "1, deadline_ms = ? WHERE id = ?"));
      assign->Bind(1, absl::ToUnixMillis(deadline)).Bind(2, task.id);
      RETURN_IF_ERROR(assign->Run());
    }
    return absl::OkStatus();
  }));
  return tasks;
}

Result<TaskState> SqliteStore::RetryOrFailIn(SqliteDb& db, std::string_view task_id, TaskKind kind,
                                             int attempts, std::string_view error, absl::Time now,
                                             absl::Duration retry_after, int max_attempts) {
  const bool give_up = kind == TaskKind::kReplicate || attempts >= max_attempts;
  ASSIGN_OR_RETURN(auto update,
                   db.Prepare("UPDATE tasks SET state = ?, not_before_ms = ?, error = ?, "
                              "finished_at_ms = ? WHERE id = ?"));
  update->Bind(1, give_up ? "failed" : "pending")
      .Bind(2, absl::ToUnixMillis(now + retry_after))
      .Bind(3, error)
      .Bind(4, give_up ? absl::ToUnixMillis(now) : int64_t{0})
      .Bind(5, task_id);
  RETURN_IF_ERROR(update->Run());
  return give_up ? TaskState::kFailed : TaskState::kPending;
}

Result<std::optional<TaskRecord>> SqliteStore::FinishTask(std::string_view node_id,
                                                          std::string_view task_id, bool ok,
                                                          std::string_view error, absl::Time now,
                                                          absl::Duration retry_after,
                                                          int max_attempts) {
  std::optional<TaskRecord> finished;
  RETURN_IF_ERROR(Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto select, db.Prepare(StrCat("SELECT ", kTaskColumns,
                                                    " FROM tasks WHERE id = ? AND node_id = ?")));
    select->Bind(1, task_id).Bind(2, node_id);
    ASSIGN_OR_RETURN(bool row, select->Step());
    // Unknown, another node's, or already finished: a repeated report.
    if (!row || select->Text(5) != "assigned") return absl::OkStatus();
    ASSIGN_OR_RETURN(TaskRecord task, ReadTask(*select));
    select.reset();
    if (ok) {
      ASSIGN_OR_RETURN(auto done, db.Prepare("UPDATE tasks SET state = 'done', error = '', "
                                             "finished_at_ms = ? WHERE id = ?"));
      done->Bind(1, absl::ToUnixMillis(now)).Bind(2, task_id);
      RETURN_IF_ERROR(done->Run());
      task.state = TaskState::kDone;
      task.error.clear();
    } else {
      ASSIGN_OR_RETURN(task.state, RetryOrFailIn(db, task_id, task.kind, task.attempts, error, now,
                                                 retry_after, max_attempts));
      task.error = std::string(error);
    }
    if (task.state == TaskState::kDone || task.state == TaskState::kFailed) task.finished_at = now;
    // What the outcome says about the node's copy.
    std::string_view replica_sql;
    if (task.kind == TaskKind::kDelete && ok) {
      replica_sql = "DELETE FROM replicas WHERE ";
    } else if (task.kind == TaskKind::kVerify && ok) {
      replica_sql =
          "UPDATE replicas SET state = 'stored', updated_at_ms = ?3 WHERE state = "
          "'corrupt' AND ";
    } else if (task.kind == TaskKind::kVerify) {
      replica_sql = "DELETE FROM replicas WHERE state != 'deleting' AND ";
    }
    if (!replica_sql.empty()) {
      ASSIGN_OR_RETURN(auto replica, db.Prepare(StrCat(replica_sql, kReplicaIs)));
      replica->Bind(1, task.chunk_id).Bind(2, node_id).Bind(3, absl::ToUnixMillis(now));
      RETURN_IF_ERROR(replica->Run());
      replica.reset();
      RETURN_IF_ERROR(ForgetUnknownChunksIn(db));
    }
    finished = std::move(task);
    return absl::OkStatus();
  }));
  return finished;
}

Result<int> SqliteStore::ExpireTasks(absl::Time now, absl::Duration retry_after, int max_attempts) {
  int expired = 0;
  RETURN_IF_ERROR(Write([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(auto select, db.Prepare("SELECT id, kind, attempts FROM tasks WHERE "
                                             "state = 'assigned' AND deadline_ms < ?"));
    select->Bind(1, absl::ToUnixMillis(now));
    std::vector<std::tuple<std::string, TaskKind, int>> late;
    while (true) {
      ASSIGN_OR_RETURN(bool row, select->Step());
      if (!row) break;
      ASSIGN_OR_RETURN(TaskKind kind, ParseTaskKind(select->Text(1)));
      late.emplace_back(select->Text(0), kind, static_cast<int>(select->Int(2)));
    }
    select.reset();
    for (const auto& [id, kind, attempts] : late) {
      RETURN_IF_ERROR(
          RetryOrFailIn(db, id, kind, attempts, "deadline passed", now, retry_after, max_attempts)
              .status());
    }
    expired = static_cast<int>(late.size());
    return absl::OkStatus();
  }));
  return expired;
}

Result<std::map<std::pair<TaskKind, TaskState>, int64_t>> SqliteStore::CountTasks() {
  return Read([&](SqliteDb& db) -> Result<std::map<std::pair<TaskKind, TaskState>, int64_t>> {
    ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT kind, state, count(*) FROM tasks GROUP BY "
                                           "kind, state"));
    std::map<std::pair<TaskKind, TaskState>, int64_t> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) return out;
      ASSIGN_OR_RETURN(TaskKind kind, ParseTaskKind(stmt->Text(0)));
      ASSIGN_OR_RETURN(TaskState state, ParseTaskState(stmt->Text(1)));
      out[{kind, state}] = stmt->Int(2);
    }
  });
}

}  // namespace gale::coordinator
