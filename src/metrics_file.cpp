// Writing per-epoch metrics as JSON lines.
#include "digitnet/metrics_file.hpp"

#include <nlohmann/json.hpp>

#include "digitnet/error.hpp"

namespace digitnet {
namespace {

double ratio(std::size_t correct, std::size_t total) {
  return total == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(total);
}

}  // namespace

std::string metrics_line(const EpochResult& r) {
  nlohmann::ordered_json line;
  line["epoch"] = r.epoch;
  line["eta"] = r.eta;
  line["seconds"] = r.seconds;
  line["training_cost"] = r.training_cost;
  if (r.training_correct) {
    line["training_correct"] = *r.training_correct;
    line["training_total"] = r.training_total;
    line["training_accuracy"] = ratio(*r.training_correct, r.training_total);
  }
  if (r.validation_cost) line["validation_cost"] = *r.validation_cost;
  if (r.validation_correct) {
    line["validation_correct"] = *r.validation_correct;
    line["validation_total"] = r.validation_total;
    line["validation_accuracy"] = ratio(*r.validation_correct, r.validation_total);
  }
  if (r.correct) {
    line["test_correct"] = *r.correct;
    line["test_total"] = r.total;
    line["test_accuracy"] = ratio(*r.correct, r.total);
  }
  if (!r.gradient_norms.empty()) line["gradient_norms"] = r.gradient_norms;
  return line.dump();
}

MetricsWriter::MetricsWriter(const std::filesystem::path& path)
    : path_(path), out_(path, std::ios::trunc) {
  if (!out_) throw file_error(path, "cannot create the metrics file", "check the folder exists and is writable");
}

void MetricsWriter::write(const EpochResult& result) {
  out_ << metrics_line(result) << '\n';
  out_.flush();
  if (!out_) throw file_error(path_, "cannot write the metrics file", "check the disk has space");
}

}  // namespace digitnet
