#include "coordinator/cluster/leader_election.h"

#include "spdlog/spdlog.h"

namespace gale::coordinator {

LeaderElection::LeaderElection(TryLock try_lock, Holder holder,
                               std::function<void(bool leader)> on_change)
    : try_lock_(std::move(try_lock)),
      holder_(std::move(holder)),
      on_change_(std::move(on_change)),
      leader_(try_lock_ == nullptr) {}

Status LeaderElection::RunOnce() {
  if (try_lock_ == nullptr) return absl::OkStatus();
  absl::MutexLock run_lock(&run_mu_);
  Result<bool> held = try_lock_();
  const bool now_leader = held.ok() && *held;
  bool was_leader;
  {
    absl::MutexLock lock(&mu_);
    was_leader = leader_;
    leader_ = now_leader;
  }
  std::string holder;
  if (!now_leader && holder_ != nullptr) {
    Result<std::string> found = holder_();
    if (found.ok()) holder = *std::move(found);
  }
  {
    absl::MutexLock lock(&mu_);
    holder_name_ = std::move(holder);
  }
  if (now_leader != was_leader) {
    if (now_leader) {
      spdlog::info("coordinator {} is now the leader: it runs the background loops", self());
    } else {
      spdlog::warn("coordinator {} is no longer the leader{}", self(),
                   held.ok() ? "" : ": " + held.status().ToString());
    }
    if (on_change_) on_change_(now_leader);
  }
  return held.status();
}

bool LeaderElection::is_leader() const {
  absl::MutexLock lock(&mu_);
  return leader_;
}

void LeaderElection::set_self(std::string self) {
  absl::MutexLock lock(&mu_);
  self_ = std::move(self);
}

std::string LeaderElection::self() const {
  absl::MutexLock lock(&mu_);
  return self_;
}

std::string LeaderElection::leader() const {
  absl::MutexLock lock(&mu_);
  return leader_ ? self_ : holder_name_;
}

}  // namespace gale::coordinator
