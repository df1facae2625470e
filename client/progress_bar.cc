#include "client/progress_bar.h"

#include <unistd.h>

#include <cstdio>

#include "common/units.h"
#include "fmt/format.h"

namespace gale::client {

ProgressBar::ProgressBar(std::string label, int64_t total)
    : label_(std::move(label)),
      total_(total),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(int64_t done) {
  std::lock_guard<std::mutex> lock(mu_);
  done_ = std::max(done_, done);
  auto now = std::chrono::steady_clock::now();
  if (!enabled_ || now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(done_, false);
}

void ProgressBar::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  finished_ = true;
  if (enabled_ && done_ > 0) Draw(done_, true);
}

void ProgressBar::Draw(int64_t done, bool final) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string line = fmt::format("{} {}", label_, common::FormatBytes(done));
  if (total_ > 0) {
    const double fraction = std::min(1.0, static_cast<double>(done) / total_);
    const int width = 24;
    const int filled = static_cast<int>(fraction * width);
    line = fmt::format("{} [{}{}] {:3.0f}% {} / {}", label_, std::string(filled, '#'),
                       std::string(width - filled, ' '), fraction * 100, common::FormatBytes(done),
                       common::FormatBytes(total_));
  }
  line += fmt::format("  {}/s", common::FormatBytes(static_cast<int64_t>(rate)));
  if (total_ > 0 && rate > 0 && !final) {
    line += fmt::format("  ETA {:.0f}s", static_cast<double>(total_ - done) / rate);
  }
  std::fprintf(stderr, "\r%s\033[K%s", line.c_str(), final ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace gale::client
