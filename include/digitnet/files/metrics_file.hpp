// The metrics file: one JSON object per line, one line per epoch, written as training goes
// (documented in docs/metrics-format.md).
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "digitnet/training/trainer.hpp"

namespace digitnet {

// The line for one epoch (without the newline).
std::string metrics_line(const EpochResult& result);

// One epoch's figures as read back from a metrics file: every numeric field by name.
struct MetricsLine {
  std::size_t epoch = 0;
  std::map<std::string, double> values;  // e.g. "training_cost", "test_accuracy"
  std::vector<double> gradient_norms;
};

// Reads a metrics file. Throws digitnet::Error naming the file and line of anything that is not
// a metrics line (not JSON, no "epoch", a non-numeric field), or an empty file.
std::vector<MetricsLine> read_metrics(const std::filesystem::path& path);

class MetricsWriter {
 public:
  // Creates or empties `path` (or appends to it). Throws digitnet::Error when it cannot be written.
  explicit MetricsWriter(const std::filesystem::path& path, bool append = false);
  // Appends the epoch's line and flushes it, so the file is current if training is stopped.
  void write(const EpochResult& result);

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace digitnet
