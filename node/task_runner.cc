#include "node/task_runner.h"

#include "common/ids.h"
#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::node {
namespace {

constexpr size_t kRememberedTasks = 100000;

}  // namespace

TaskRunner::TaskRunner(ChunkStore* store, client::ChunkTransport* transport,
                       common::RateLimiter* bandwidth, int workers,
                       std::function<void()> on_finished)
    : store_(store),
      transport_(transport),
      bandwidth_(bandwidth),
      on_finished_(std::move(on_finished)) {
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { Work(); });
}

TaskRunner::~TaskRunner() { Stop(); }

void TaskRunner::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

void TaskRunner::Submit(const std::vector<v1::Task>& tasks) {
  absl::MutexLock lock(&mu_);
  for (const v1::Task& task : tasks) {
    if (!seen_.insert(task.task_id()).second) continue;
    seen_order_.push_back(task.task_id());
    if (seen_order_.size() > kRememberedTasks) {
      seen_.erase(seen_order_.front());
      seen_order_.pop_front();
    }
    queue_.push_back(task);
  }
}

std::vector<v1::TaskResult> TaskRunner::TakeResults() {
  absl::MutexLock lock(&mu_);
  std::vector<v1::TaskResult> out;
  out.swap(results_);
  return out;
}

void TaskRunner::Restore(std::vector<v1::TaskResult> results) {
  absl::MutexLock lock(&mu_);
  results_.insert(results_.begin(), results.begin(), results.end());
}

int64_t TaskRunner::completed_total() const {
  absl::MutexLock lock(&mu_);
  return completed_;
}

bool TaskRunner::busy() const {
  absl::MutexLock lock(&mu_);
  return !queue_.empty() || running_ > 0;
}

void TaskRunner::Work() {
  while (true) {
    v1::Task task;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    Status status = Run(task);
    v1::TaskResult result;
    result.set_task_id(task.task_id());
    result.set_ok(status.ok());
    if (!status.ok()) {
      result.set_error(std::string(status.message()));
      spdlog::warn("task {} ({}) failed: {}", task.task_id(), v1::TaskKind_Name(task.kind()),
                   status.ToString());
    }
    {
      absl::MutexLock lock(&mu_);
      results_.push_back(std::move(result));
      ++completed_;
      --running_;
    }
    if (on_finished_) on_finished_();
  }
}

Status TaskRunner::Run(const v1::Task& task) {
  switch (task.kind()) {
    case v1::TASK_KIND_REPLICATE:
      return Replicate(task);
    case v1::TASK_KIND_DELETE:
      // Deleting what is not there is done too.
      return store_->Delete(task.chunk_id()).status();
    case v1::TASK_KIND_VERIFY:
      return store_->Verify(task.chunk_id());
    default:
      return absl::UnimplementedError(
          StrCat("this node cannot run ", v1::TaskKind_Name(task.kind()), " tasks"));
  }
}

Status TaskRunner::Replicate(const v1::Task& task) {
  RETURN_IF_ERROR(common::ValidateChunkId(task.chunk_id()));
  if (store_->Size(task.chunk_id()).ok()) return absl::OkStatus();  // here already
  if (task.sources().empty()) {
    return absl::FailedPreconditionError("no source node is known for this chunk");
  }
  Status last;
  for (const std::string& source : task.sources()) {
    last = CopyFrom(source, task);
    if (last.ok() || absl::IsCancelled(last)) return last;
    spdlog::warn("copying chunk {} from {} failed: {}", task.chunk_id(), source, last.ToString());
  }
  return Status(last.code(),
                StrCat("no source served chunk ", task.chunk_id(), "; last: ", last.message()));
}

Status TaskRunner::CopyFrom(const std::string& source, const v1::Task& task) {
  ASSIGN_OR_RETURN(std::unique_ptr<ChunkWriter> writer,
                   store_->BeginWrite(task.chunk_id(), task.size()));
  Status failed;
  Status fetched = transport_->Fetch(source, task.chunk_id(), [&](std::string_view piece) {
    failed = Pace(static_cast<int64_t>(piece.size()));
    if (failed.ok()) failed = writer->Append(piece);
    return failed.ok();
  });
  if (!failed.ok()) return failed;
  RETURN_IF_ERROR(fetched);
  // Checks the length and the SHA-256 against the id before the copy exists.
  RETURN_IF_ERROR(writer->Commit().status());
  replicated_bytes_.fetch_add(task.size());
  return absl::OkStatus();
}

Status TaskRunner::Pace(int64_t bytes) {
  const absl::Duration wait = bandwidth_->Reserve(bytes);
  if (wait <= absl::ZeroDuration()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
  if (mu_.AwaitWithTimeout(absl::Condition(&stopping), wait)) {
    return absl::CancelledError("the node is shutting down");
  }
  return absl::OkStatus();
}

}  // namespace gale::node
