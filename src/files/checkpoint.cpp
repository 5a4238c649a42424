// Reading and writing checkpoints (docs/checkpoint-format.md).
#include "digitnet/files/checkpoint.hpp"

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "digitnet/files/atomic_file.hpp"
#include "digitnet/core/error.hpp"
#include "digitnet/files/model_file.hpp"

namespace digitnet {
namespace {

constexpr char magic[8] = {'D', 'I', 'G', 'I', 'T', 'C', 'K', 'P'};
constexpr std::uint32_t version = 1;
const char* const hint = "the checkpoint is damaged: start again without --resume";

using nlohmann::json;

json history_json(const EpochResult& r) {
  json j;
  j["epoch"] = r.epoch;
  j["eta"] = r.eta;
  j["seconds"] = r.seconds;
  j["training_cost"] = r.training_cost;
  if (r.correct) j["correct"] = *r.correct;
  j["total"] = r.total;
  if (r.training_correct) j["training_correct"] = *r.training_correct;
  j["training_total"] = r.training_total;
  if (r.validation_correct) j["validation_correct"] = *r.validation_correct;
  j["validation_total"] = r.validation_total;
  if (r.validation_cost) j["validation_cost"] = *r.validation_cost;
  j["gradient_norms"] = r.gradient_norms;
  return j;
}

EpochResult history_from(const json& j) {
  EpochResult r;
  r.epoch = j.at("epoch").get<std::size_t>();
  r.eta = j.at("eta").get<double>();
  r.seconds = j.at("seconds").get<double>();
  r.training_cost = j.at("training_cost").get<double>();
  if (j.contains("correct")) r.correct = j["correct"].get<std::size_t>();
  r.total = j.at("total").get<std::size_t>();
  if (j.contains("training_correct")) r.training_correct = j["training_correct"].get<std::size_t>();
  r.training_total = j.at("training_total").get<std::size_t>();
  if (j.contains("validation_correct"))
    r.validation_correct = j["validation_correct"].get<std::size_t>();
  r.validation_total = j.at("validation_total").get<std::size_t>();
  if (j.contains("validation_cost")) r.validation_cost = j["validation_cost"].get<double>();
  r.gradient_norms = j.at("gradient_norms").get<std::vector<double>>();
  return r;
}

void put(std::vector<std::uint8_t>& out, const void* data, std::size_t size) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  out.insert(out.end(), p, p + size);
}
template <typename T>
void put_array(std::vector<std::uint8_t>& out, const std::vector<T>& values) {
  const std::uint64_t count = values.size();
  put(out, &count, sizeof count);
  put(out, values.data(), values.size() * sizeof(T));
}

class Reader {
 public:
  Reader(const std::vector<std::uint8_t>& bytes, const std::filesystem::path& path)
      : bytes_(bytes), path_(path) {}
  std::size_t offset() const { return offset_; }
  void read(void* out, std::size_t size, const char* what) {
    if (bytes_.size() - offset_ < size)
      throw file_error(path_, bytes_.size(), std::string("file ends inside the ") + what, hint);
    if (size == 0) return;  // `out` may be an empty vector's null data() (found by fuzzing)
    std::memcpy(out, bytes_.data() + offset_, size);
    offset_ += size;
  }
  template <typename T>
  T value(const char* what) {
    T v;
    read(&v, sizeof v, what);
    return v;
  }
  // A length-prefixed array; the length is checked against what is left before allocating.
  template <typename T>
  std::vector<T> array(const char* what) {
    const std::size_t at = offset_;
    const auto count = value<std::uint64_t>(what);
    if (count > (bytes_.size() - offset_) / sizeof(T))
      throw file_error(path_, at, std::string("the ") + what + " length " + std::to_string(count) +
                                      " runs past the end of the file", hint);
    std::vector<T> values(count);
    read(values.data(), count * sizeof(T), what);
    return values;
  }
  [[noreturn]] void fail(std::size_t at, const std::string& what) {
    throw file_error(path_, at, what, hint);
  }

 private:
  const std::vector<std::uint8_t>& bytes_;
  const std::filesystem::path& path_;
  std::size_t offset_ = 0;
};

}  // namespace

std::string options_fingerprint(const Network& net, const TrainOptions& o,
                                std::size_t training_size) {
  std::ostringstream s;
  s.precision(17);
  s << "sizes=";
  for (std::size_t size : net.sizes()) s << size << ",";
  s << " activations=";
  for (std::size_t l = 0; l < net.layers(); ++l) s << name(net.activation(l)) << ",";
  s << " cost=" << name(net.cost()) << " training_images=" << training_size
    << " batch=" << o.mini_batch_size << " eta=" << o.eta << " seed=" << o.seed
    << " regularization=" << name(o.regularization) << " lambda=" << o.lambda
    << " dropout=" << o.dropout << " optimizer=" << name(o.optimizer.kind)
    << " momentum=" << o.optimizer.momentum << " beta1=" << o.optimizer.beta1
    << " beta2=" << o.optimizer.beta2 << " epsilon=" << o.optimizer.epsilon
    << " schedule=" << name(o.schedule.kind) << " step_every=" << o.schedule.every
    << " step_factor=" << o.schedule.factor << " patience=" << o.schedule.patience
    << " early_stopping=" << o.early_stopping << " keep_best=" << o.keep_best
    << " monitor=" << o.monitor_training_accuracy << o.monitor_training_cost
    << o.monitor_validation_cost << o.gradient_norm_images;
  return s.str();
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
  for (const EpochResult& r : state.history) header["history"].push_back(history_json(r));
  header["options"] = state.options;
  header["stopped"] = state.stopped;
  const std::string text = header.dump();

  std::vector<std::uint8_t> out;
  put(out, magic, sizeof magic);
  put(out, &version, sizeof version);
  put_array(out, std::vector<char>(text.begin(), text.end()));
  put_array(out, serialize_model(net));
  put_array(out, state.order);
  put_array(out, state.optimizer_first);
  put_array(out, state.optimizer_second);
  put_array(out, state.best);
  const auto crc = static_cast<std::uint32_t>(crc32(crc32(0L, Z_NULL, 0), out.data(),
                                                    static_cast<uInt>(out.size())));
  put(out, &crc, sizeof crc);
  write_file_atomically(path, out);
}

Checkpoint load_checkpoint(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw file_error(path, "no checkpoint here", "give the folder of an earlier --checkpoint DIR");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > (std::uint64_t{4} << 30))
    throw file_error(path, "too large to be a checkpoint", hint);
  std::vector<std::uint8_t> bytes(size);
  std::ifstream in(path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
    throw file_error(path, "cannot read the file", "check its permissions");

  Reader r(bytes, path);
  char found[sizeof magic];
  r.read(found, sizeof found, "magic number");
  if (std::memcmp(found, magic, sizeof magic) != 0) r.fail(0, "not a digitnet checkpoint");
  if (const auto v = r.value<std::uint32_t>("version"); v != version)
    r.fail(8, "unknown checkpoint version " + std::to_string(v));
  if (bytes.size() < r.offset() + 4) r.fail(bytes.size(), "file ends early");
  const std::uint32_t stored = [&] {
    std::uint32_t crc;
    std::memcpy(&crc, bytes.data() + bytes.size() - 4, 4);
    return crc;
  }();
  const auto computed = static_cast<std::uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), bytes.data(), static_cast<uInt>(bytes.size() - 4)));
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
    for (const json& e : h.at("history")) s.history.push_back(history_from(e));
    s.options = h.at("options").get<std::string>();
    s.stopped = h.at("stopped").get<std::string>();
  } catch (const json::exception& e) {
    r.fail(header_at, std::string("bad header (") + e.what() + ")");
  }
  if (s.position > s.order.size()) r.fail(header_at, "position past the end of the epoch");
  return c;
}

}  // namespace digitnet
