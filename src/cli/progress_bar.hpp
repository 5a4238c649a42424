// A live progress bar for training on a terminal: batches done, images per second and the time
// left in the epoch, redrawn at most ten times a second on stderr, erased before each epoch's
// line. Off the terminal (CI, pipes) it draws nothing.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace digitnet::cli {

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO) != 0) {}

  void update(std::size_t epoch, std::size_t done, std::size_t total) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (epoch != epoch_ || done < last_done_) {  // a new epoch
      epoch_ = epoch;
      start_ = now;
      last_draw_ = now - std::chrono::seconds(1);
    }
    last_done_ = done;
    if (now - last_draw_ < std::chrono::milliseconds(100) && done < total) return;
    last_draw_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
    const double left = rate > 0 ? static_cast<double>(total - done) / rate : 0;
    constexpr std::size_t width = 30;
    const std::size_t filled = total ? done * width / total : width;
    const std::string bar = std::string(filled, '#') + std::string(width - filled, '.');
    std::fprintf(stderr, "\r\033[KEpoch %zu [%s] %zu/%zu images  %.0f images/s  ETA %.1f s", epoch,
                 bar.c_str(), done, total, rate, left);
    std::fflush(stderr);
    drawn_ = true;
  }

  // Erases the bar so that a line can be printed in its place.
  void clear() {
    if (!drawn_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::size_t epoch_ = static_cast<std::size_t>(-1);
  std::size_t last_done_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace digitnet::cli
