// The metrics file: one JSON object per line, one line per epoch, written as training goes
// (documented in docs/metrics-format.md).
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "digitnet/trainer.hpp"

namespace digitnet {

// The line for one epoch (without the newline).
std::string metrics_line(const EpochResult& result);

class MetricsWriter {
 public:
  // Creates or empties `path`. Throws digitnet::Error when it cannot be written.
  explicit MetricsWriter(const std::filesystem::path& path);
  // Appends the epoch's line and flushes it, so the file is current if training is stopped.
  void write(const EpochResult& result);

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace digitnet
