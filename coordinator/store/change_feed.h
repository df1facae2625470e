#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/status.h"

namespace gale::coordinator {

// The changes other writers of a shared database commit, as the keys of the
// rows they touched, in commit order (PostgreSQL: LISTEN/NOTIFY, announced
// by triggers in the writing transaction; see migrations/postgres/0009).
// Changes committed through the opening store's own connections are not
// delivered: its owner applies its own changes itself.
// Keys: "f:<file id>" (the file or its chunk list), "c:<chunk id>" (the
// chunk's row), "r:<chunk id>" (its replicas), "b:<bucket>", "o:<bucket>/<key>",
// and "m:<token>" for a mark this or another listener sent. A mark is
// delivered after every change committed before it was sent: once a listener
// has applied what came before its own mark, it is as fresh as the moment it
// sent it. Owned by one thread at a time; not thread-safe.
class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;

  // The keys delivered since the last call, waiting up to `timeout` for the
  // first. UNAVAILABLE once the feed is broken (the connection lost, even if
  // it came back: changes may have been missed); open a new one.
  virtual Result<std::vector<std::string>> Next(absl::Duration timeout) = 0;
  // Sends the mark "m:<token>" through the feed, to every listener.
  virtual Status Mark(std::string_view token) = 0;
};

}  // namespace gale::coordinator
