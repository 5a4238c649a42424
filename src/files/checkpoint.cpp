// Reading and writing checkpoints (docs/checkpoint-format.md).
#include "digitnet/files/checkpoint.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "digitnet/core/error.hpp"
#include "digitnet/files/atomic_file.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/network/layer_spec.hpp"
#include "digitnet/network/shape.hpp"
#include "files/byte_io.hpp"
#include "files/metrics_json.hpp"

namespace digitnet {
namespace {

constexpr char magic[8] = {'D', 'I', 'G', 'I', 'T', 'C', 'K', 'P'};
// 2: the network inside is a version 2 model (layers) and the options fingerprint is a list of
// name=value entries. Version 1 checkpoints (digitnet 0.1) are refused, saying so.
constexpr std::uint32_t version = 2;
const char* const hint = "the checkpoint is damaged: start the run afresh";

using nlohmann::json;

// The shortest text that reads back to the same number.
template <typename Number>
std::string shortest(Number value) {
  char text[64];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

// A fingerprint's entries: "name=value" pairs separated by ';'.
using Entries = std::vector<std::pair<std::string, std::string>>;

// The entries of `fingerprint`, or nothing when a part of it is not "name=value".
std::optional<Entries> entries_of(const std::string& fingerprint) {
  Entries entries;
  std::size_t start = 0;
  while (start <= fingerprint.size()) {
    const std::size_t end = std::min(fingerprint.find(';', start), fingerprint.size());
    const std::string entry = fingerprint.substr(start, end - start);
    const std::size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) return std::nullopt;
    entries.emplace_back(entry.substr(0, equals), entry.substr(equals + 1));
    start = end + 1;
  }
  return entries;
}

}  // namespace

std::string options_fingerprint(const Network& net, const TrainOptions& o,
                                std::size_t training_size) {
  const Architecture& arch = net.architecture();
  const auto flag = [](bool on) { return std::string(on ? "true" : "false"); };
  Entries entries = {
      {"input", to_string(arch.input)},
      {"layers", to_string(arch.layers)},
      {"cost", std::string(name(arch.cost))},
      {"training_images", std::to_string(training_size)},
      {"mini_batch_size", std::to_string(o.mini_batch_size)},
      {"eta", shortest(o.eta)},
      {"seed", std::to_string(o.seed)},
      {"regularization", std::string(name(o.regularization))},
      {"lambda", shortest(o.lambda)},
      {"dropout", shortest(o.dropout)},
      {"optimizer", std::string(name(o.optimizer.kind))},
      {"momentum", shortest(o.optimizer.momentum)},
      {"beta1", shortest(o.optimizer.beta1)},
      {"beta2", shortest(o.optimizer.beta2)},
      {"epsilon", shortest(o.optimizer.epsilon)},
      {"schedule", std::string(name(o.schedule.kind))},
      {"step_every", std::to_string(o.schedule.every)},
      {"step_factor", shortest(o.schedule.factor)},
      {"patience", std::to_string(o.schedule.patience)},
      {"stop_fraction", shortest(o.schedule.stop_fraction)},
      {"early_stopping", std::to_string(o.early_stopping)},
      {"keep_best", flag(o.keep_best)},
      {"monitor_training_accuracy", flag(o.monitor_training_accuracy)},
      {"monitor_training_cost", flag(o.monitor_training_cost)},
      {"monitor_validation_cost", flag(o.monitor_validation_cost)},
      {"gradient_norm_images", std::to_string(o.gradient_norm_images)},
  };
  // One-cycle's rates follow the run's progress through all its epochs: another --epochs would
  // change them (other schedules may be extended). Only then, so other checkpoints read as before.
  if (o.schedule.kind == ScheduleSettings::Kind::one_cycle)
    entries.push_back({"epochs", std::to_string(o.epochs)});
  // Only when set, so that the checkpoints of runs without distortions read as before.
  if (o.distort.any()) {
    const double values[] = {o.distort.rotation,    o.distort.scale,
                             o.distort.shear,       o.distort.translation,
                             o.distort.elastic_alpha, o.distort.elastic_sigma};
    for (std::size_t i = 0; i < distort_option_ranges().size(); ++i)
      entries.push_back({std::string(distort_option_ranges()[i].option), shortest(values[i])});
  }
  std::string text;
  for (const auto& [entry, value] : entries)
    text += (text.empty() ? "" : ";") + entry + "=" + value;
  return text;
}

std::string resume_problem(const std::string& written, const std::string& now,
                           const std::function<std::string(const std::string&)>& spell) {
  if (written == now) return "";
  const auto spelled = [&](const std::string& option) { return spell ? spell(option) : option; };
  const std::optional<Entries> before = entries_of(written), after = entries_of(now);
  bool same_names = before && after && before->size() == after->size();
  for (std::size_t i = 0; same_names && i < before->size(); ++i)
    same_names = (*before)[i].first == (*after)[i].first;
  if (!same_names)
    return "the checkpoint records its run's options in another form (it was written by another "
           "version of digitnet), so this run cannot be checked against it; start afresh, or "
           "resume with the version that wrote it";
  std::string differences;
  for (std::size_t i = 0; i < before->size(); ++i) {
    const auto& [option, then] = (*before)[i];
    const std::string& value = (*after)[i].second;
    if (then != value)
      differences +=
          (differences.empty() ? "" : "; ") + spelled(option) + " was " + then + ", now " + value;
  }
  return "the checkpoint was written by a run with other options or data (" + differences +
         "); give the same options (only " + spelled("epochs") + " and " + spelled("threads") +
         " may change)";
}

void save_checkpoint(const Network& net, const TrainState& state,
                     const std::filesystem::path& path) {
  json header;
  header["epoch"] = state.epoch;
  header["position"] = state.position;
  header["cost"] = state.cost;
  header["seconds"] = state.seconds;
  header["shuffle_rng"] = state.shuffle_rng;
  header["dropout_rng"] = state.dropout_rng;
  header["optimizer_steps"] = state.optimizer_steps;
  header["schedule"] = {{"eta", state.schedule.eta},
                        {"since_best", state.schedule.since_best},
                        {"since_change", state.schedule.since_change}};
  if (state.schedule.best_accuracy) header["schedule"]["best_accuracy"] = *state.schedule.best_accuracy;
  if (state.schedule.best_epoch) header["schedule"]["best_epoch"] = *state.schedule.best_epoch;
  header["history"] = json::array();
  for (const EpochResult& r : state.history) header["history"].push_back(json(epoch_json(r)));
  header["options"] = state.options;
  header["stopped"] = state.stopped;
  const std::string text = header.dump();

  ByteWriter w;
  w.bytes(magic, sizeof magic);
  w.value(version);
  w.array(std::vector<char>(text.begin(), text.end()));
  w.array(serialize_model(net));
  w.array(state.order);
  w.array(state.optimizer_first);
  w.array(state.optimizer_second);
  w.array(state.best);
  w.value(crc32_of(w.out().data(), w.out().size()));
  write_file_atomically(path, w.out());
}

Checkpoint load_checkpoint(const std::filesystem::path& path) {
  const std::vector<std::uint8_t> bytes = read_whole_file(
      path, {.what = "a checkpoint", .max_bytes = std::uint64_t{4} << 30,
             .missing = "no checkpoint here",
             .missing_hint = "give the checkpoint file of an earlier run", .large_hint = hint});

  ByteReader r(bytes, path, hint, hint);
  char found[sizeof magic];
  r.read(found, sizeof found, "magic number");
  if (std::memcmp(found, magic, sizeof magic) != 0) r.fail(0, "not a digitnet checkpoint");
  if (const auto v = r.value<std::uint32_t>("version"); v != version)
    r.fail(8, v == 1 ? "a checkpoint of version 1, written by digitnet 0.1, which this digitnet "
                       "cannot resume (its options are recorded in another form)"
                     : "unknown checkpoint version " + std::to_string(v),
           "start the run afresh");
  if (bytes.size() < r.offset() + 4) r.fail(bytes.size(), "file ends early");
  const std::uint32_t stored = [&] {
    std::uint32_t crc;
    std::memcpy(&crc, bytes.data() + bytes.size() - 4, 4);
    return crc;
  }();
  const std::uint32_t computed = crc32_of(bytes.data(), bytes.size() - 4);
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION  // the fuzz preset: let mutations reach the parser
  if (stored != computed) r.fail(bytes.size() - 4, "checksum mismatch: the contents are damaged");
#else
  static_cast<void>(stored), static_cast<void>(computed);
#endif

  const std::size_t header_at = r.offset();
  const std::vector<char> text = r.array<char>("header");
  const std::size_t model_at = r.offset();
  const std::vector<std::uint8_t> model = r.array<std::uint8_t>("network");
  Checkpoint c;
  c.net = parse_model(model, path.string() + " (the network inside, from byte " +
                                 std::to_string(model_at + 8) + ")");
  TrainState& s = c.state;
  s.order = r.array<std::uint32_t>("example order");
  s.optimizer_first = r.array<float>("optimizer state");
  s.optimizer_second = r.array<float>("optimizer state");
  s.best = r.array<float>("best weights");
  if (r.offset() + 4 != bytes.size()) r.fail(r.offset(), "unexpected bytes after the contents");
  const std::size_t parameters = c.net.parameters().size();
  for (const auto* v : {&s.optimizer_first, &s.optimizer_second, &s.best})
    if (!v->empty() && v->size() != parameters)
      r.fail(model_at, "the saved optimizer state does not match the network's size");
  for (std::uint32_t i : s.order)
    if (i >= s.order.size()) r.fail(model_at, "the example order is not a permutation");
  try {
    const json h = json::parse(text.begin(), text.end());
    s.epoch = h.at("epoch").get<std::size_t>();
    s.position = h.at("position").get<std::size_t>();
    s.cost = h.at("cost").get<double>();
    s.seconds = h.at("seconds").get<double>();
    s.shuffle_rng = h.at("shuffle_rng").get<std::string>();
    s.dropout_rng = h.at("dropout_rng").get<std::string>();
    s.optimizer_steps = h.at("optimizer_steps").get<std::uint64_t>();
    const json& sched = h.at("schedule");
    s.schedule.eta = sched.at("eta").get<double>();
    s.schedule.since_best = sched.at("since_best").get<std::size_t>();
    s.schedule.since_change = sched.at("since_change").get<std::size_t>();
    if (sched.contains("best_accuracy")) s.schedule.best_accuracy = sched["best_accuracy"].get<double>();
    if (sched.contains("best_epoch")) s.schedule.best_epoch = sched["best_epoch"].get<std::size_t>();
    for (const json& e : h.at("history")) s.history.push_back(epoch_from_json(e));
    s.options = h.at("options").get<std::string>();
    s.stopped = h.at("stopped").get<std::string>();
  } catch (const json::exception& e) {
    r.fail(header_at, std::string("bad header (") + e.what() + ")");
  }
  if (s.position > s.order.size()) r.fail(header_at, "position past the end of the epoch");
  return c;
}

}  // namespace digitnet
