// Writing per-epoch metrics as JSON lines.
#include "digitnet/files/metrics_file.hpp"

#include <nlohmann/json.hpp>

#include "digitnet/core/error.hpp"
#include "files/metrics_json.hpp"

namespace digitnet {
namespace {

double ratio(std::size_t correct, std::size_t total) {
  return total == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(total);
}

}  // namespace

nlohmann::ordered_json epoch_json(const EpochResult& r) {
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
  return line;
}

EpochResult epoch_from_json(const nlohmann::json& j) {
  // A total is written only beside its count; the trainer leaves it 0 otherwise.
  const auto count = [&](const char* key) -> std::optional<std::size_t> {
    if (!j.contains(key)) return std::nullopt;
    return j.at(key).get<std::size_t>();
  };
  EpochResult r;
  r.epoch = j.at("epoch").get<std::size_t>();
  r.eta = j.at("eta").get<double>();
  r.seconds = j.at("seconds").get<double>();
  r.training_cost = j.at("training_cost").get<double>();
  r.training_correct = count("training_correct");
  r.training_total = count("training_total").value_or(0);
  if (j.contains("validation_cost")) r.validation_cost = j.at("validation_cost").get<double>();
  r.validation_correct = count("validation_correct");
  r.validation_total = count("validation_total").value_or(0);
  // Checkpoints before the spelling was shared wrote "correct" and "total".
  r.correct = j.contains("test_correct") ? count("test_correct") : count("correct");
  r.total = (j.contains("test_total") ? count("test_total") : count("total")).value_or(0);
  if (j.contains("gradient_norms"))
    r.gradient_norms = j.at("gradient_norms").get<std::vector<double>>();
  return r;
}

std::string metrics_line(const EpochResult& r) { return epoch_json(r).dump(); }

std::vector<MetricsLine> read_metrics(const std::filesystem::path& path) {
  const char* const hint =
      "expected a metrics file, one JSON object per epoch as training writes it";
  std::ifstream in(path);
  if (!in) throw file_error(path, std::filesystem::exists(path) ? "cannot read the file" : "file not found", hint);
  std::vector<MetricsLine> lines;
  std::string text;
  for (std::size_t number = 1; std::getline(in, text); ++number) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = "line " + std::to_string(number) + ": ";
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      throw file_error(path, where + "not JSON (column " + std::to_string(e.byte) + ")", hint);
    } catch (const nlohmann::json::exception& e) {  // e.g. a number too large for a double
      throw file_error(path, where + "not readable JSON (" + e.what() + ")", hint);
    }
    if (!j.is_object() || !j.contains("epoch") || !j["epoch"].is_number_unsigned())
      throw file_error(path, where + "no \"epoch\" number", hint);
    if (lines.size() > 1'000'000) throw file_error(path, where + "more than a million epochs", hint);
    MetricsLine line;
    line.epoch = j["epoch"].get<std::size_t>();
    for (const auto& [key, value] : j.items()) {
      if (key == "gradient_norms") {
        if (!value.is_array()) throw file_error(path, where + "\"gradient_norms\" is not a list", hint);
        for (const auto& norm : value) {
          if (!norm.is_number()) throw file_error(path, where + "a gradient norm is not a number", hint);
          line.gradient_norms.push_back(norm.get<double>());
        }
      } else if (value.is_number()) {
        line.values[key] = value.get<double>();
      } else {
        throw file_error(path, where + "\"" + key + "\" is not a number", hint);
      }
    }
    lines.push_back(std::move(line));
  }
  if (lines.empty()) throw file_error(path, "no epochs in the file", hint);
  return lines;
}

MetricsWriter::MetricsWriter(const std::filesystem::path& path, bool append)
    : path_(path), out_(path, append ? std::ios::app : std::ios::trunc) {
  if (!out_) throw file_error(path, "cannot create the metrics file", "check the folder exists and is writable");
}

void MetricsWriter::write(const EpochResult& result) {
  out_ << metrics_line(result) << '\n';
  out_.flush();
  if (!out_) throw file_error(path_, "cannot write the metrics file", "check the disk has space");
}

}  // namespace digitnet
