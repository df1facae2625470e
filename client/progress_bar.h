#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace gale::client {

// A one-line progress bar on stderr (bytes, rate, ETA), drawn only when
// stderr is a terminal and at most ten times a second. Thread-safe.
class ProgressBar {
 public:
  // `total` bytes, or -1 when unknown (a stream).
  ProgressBar(std::string label, int64_t total);
  ~ProgressBar();

  void Update(int64_t done);
  // Draws the final state and ends the line.
  void Finish();

 private:
  void Draw(int64_t done, bool final);

  const std::string label_;
  const int64_t total_;
  const bool enabled_;
  const std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_draw_;
  int64_t done_ = 0;
  bool finished_ = false;
};

}  // namespace gale::client
