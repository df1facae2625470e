#pragma once

#include <string>

#include "absl/time/time.h"

namespace gale::testing {

// A plain TCP connection to 127.0.0.1, for tests that must misbehave at the
// byte level (half-sent bodies, Expect: 100-continue). Not thread-safe.
class RawSocket {
 public:
  explicit RawSocket(int port);
  ~RawSocket();
  bool connected() const { return fd_ >= 0; }
  bool Send(const std::string& bytes);
  // Reads until `until` appears, the peer closes, or `timeout` passes.
  std::string ReadUntil(const std::string& until, absl::Duration timeout = absl::Seconds(10));
  void Close();

 private:
  int fd_ = -1;
};

}  // namespace gale::testing
