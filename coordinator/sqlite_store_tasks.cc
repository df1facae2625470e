// SqliteStore: the task ledger (see metadata_store.h).

#include "common/ids.h"
#include "common/strings.h"
#include "coordinator/sqlite_store.h"
#include "nlohmann/json.hpp"

namespace gale::coordinator {

Status SqliteStore::InsertTaskLocked(TaskKind kind, std::string_view chunk_id,
                                     std::string_view node_id,
                                     const std::vector<std::string>& sources, absl::Time now) {
  ASSIGN_OR_RETURN(auto insert,
                   db_->Prepare("INSERT INTO tasks (id, kind, chunk_id, node_id, sources, state, "
                                "created_at_ms) VALUES (?, ?, ?, ?, ?, 'pending', ?)"));
  insert->Bind(1, common::NewUuid())
      .Bind(2, TaskKindName(kind))
      .Bind(3, chunk_id)
      .Bind(4, node_id)
      .Bind(5, nlohmann::json(sources).dump())
      .Bind(6, absl::ToUnixMillis(now));
  return insert->Run();
}

Result<std::vector<TaskRecord>> SqliteStore::AssignTasks(std::string_view node_id, int limit,
                                                         absl::Time now, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  std::vector<TaskRecord> tasks;
  RETURN_IF_ERROR(db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(auto select,
                     db_->Prepare("SELECT id, kind, chunk_id, sources, attempts, created_at_ms "
                                  "FROM tasks WHERE node_id = ? AND state = 'pending' AND "
                                  "not_before_ms <= ? ORDER BY created_at_ms LIMIT ?"));
    select->Bind(1, node_id).Bind(2, absl::ToUnixMillis(now)).Bind(3, int64_t{limit});
    while (true) {
      ASSIGN_OR_RETURN(bool row, select->Step());
      if (!row) break;
      TaskRecord task;
      task.id = select->Text(0);
      ASSIGN_OR_RETURN(task.kind, ParseTaskKind(select->Text(1)));
      task.chunk_id = select->Text(2);
      auto sources = nlohmann::json::parse(select->Text(3), nullptr, false);
      if (sources.is_array()) {
        for (const auto& s : sources) {
          if (s.is_string()) task.sources.push_back(s.get<std::string>());
        }
      }
      task.attempts = static_cast<int>(select->Int(4)) + 1;
      task.created_at = absl::FromUnixMillis(select->Int(5));
      task.node_id = std::string(node_id);
      task.state = TaskState::kAssigned;
      task.deadline = deadline;
      tasks.push_back(std::move(task));
    }
    select.reset();
    for (const TaskRecord& task : tasks) {
      ASSIGN_OR_RETURN(auto assign,
                       db_->Prepare("UPDATE tasks SET state = 'assigned', attempts = attempts + "
                                    "1, deadline_ms = ? WHERE id = ?"));
      assign->Bind(1, absl::ToUnixMillis(deadline)).Bind(2, task.id);
      RETURN_IF_ERROR(assign->Run());
    }
    return absl::OkStatus();
  }));
  return tasks;
}

Status SqliteStore::RetryOrFailLocked(std::string_view task_id, int attempts,
                                      std::string_view error, absl::Time now,
                                      absl::Duration retry_after, int max_attempts) {
  const bool give_up = attempts >= max_attempts;
  ASSIGN_OR_RETURN(auto update,
                   db_->Prepare("UPDATE tasks SET state = ?, not_before_ms = ?, error = ? "
                                "WHERE id = ?"));
  update->Bind(1, give_up ? "failed" : "pending")
      .Bind(2, absl::ToUnixMillis(now + retry_after))
      .Bind(3, error)
      .Bind(4, task_id);
  return update->Run();
}

Status SqliteStore::FinishTask(std::string_view node_id, std::string_view task_id, bool ok,
                               std::string_view error, absl::Time now, absl::Duration retry_after,
                               int max_attempts) {
  absl::MutexLock lock(&mu_);
  return db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(auto select, db_->Prepare("SELECT kind, chunk_id, state, attempts FROM "
                                               "tasks WHERE id = ? AND node_id = ?"));
    select->Bind(1, task_id).Bind(2, node_id);
    ASSIGN_OR_RETURN(bool row, select->Step());
    // Unknown, another node's, or already finished: a repeated report.
    if (!row || select->Text(2) != "assigned") return absl::OkStatus();
    ASSIGN_OR_RETURN(TaskKind kind, ParseTaskKind(select->Text(0)));
    const std::string chunk_id = select->Text(1);
    const int attempts = static_cast<int>(select->Int(3));
    select.reset();
    if (!ok) return RetryOrFailLocked(task_id, attempts, error, now, retry_after, max_attempts);
    ASSIGN_OR_RETURN(auto done, db_->Prepare("UPDATE tasks SET state = 'done', error = '' "
                                             "WHERE id = ?"));
    done->Bind(1, task_id);
    RETURN_IF_ERROR(done->Run());
    if (kind == TaskKind::kDelete) {
      ASSIGN_OR_RETURN(auto forget, db_->Prepare("DELETE FROM replicas WHERE chunk_id = ? AND "
                                                 "node_id = ?"));
      forget->Bind(1, chunk_id).Bind(2, node_id);
      RETURN_IF_ERROR(forget->Run());
    }
    return absl::OkStatus();
  });
}

Result<int> SqliteStore::ExpireTasks(absl::Time now, absl::Duration retry_after, int max_attempts) {
  absl::MutexLock lock(&mu_);
  int expired = 0;
  RETURN_IF_ERROR(db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(auto select, db_->Prepare("SELECT id, attempts FROM tasks WHERE state = "
                                               "'assigned' AND deadline_ms < ?"));
    select->Bind(1, absl::ToUnixMillis(now));
    std::vector<std::pair<std::string, int>> late;
    while (true) {
      ASSIGN_OR_RETURN(bool row, select->Step());
      if (!row) break;
      late.emplace_back(select->Text(0), static_cast<int>(select->Int(1)));
    }
    select.reset();
    for (const auto& [id, attempts] : late) {
      RETURN_IF_ERROR(
          RetryOrFailLocked(id, attempts, "deadline passed", now, retry_after, max_attempts));
    }
    expired = static_cast<int>(late.size());
    return absl::OkStatus();
  }));
  return expired;
}

Result<std::map<std::pair<TaskKind, TaskState>, int64_t>> SqliteStore::CountTasks() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT kind, state, count(*) FROM tasks GROUP BY "
                                           "kind, state"));
  std::map<std::pair<TaskKind, TaskState>, int64_t> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    ASSIGN_OR_RETURN(TaskKind kind, ParseTaskKind(stmt->Text(0)));
    ASSIGN_OR_RETURN(TaskState state, ParseTaskState(stmt->Text(1)));
    out[{kind, state}] = stmt->Int(2);
  }
}

}  // namespace gale::coordinator
