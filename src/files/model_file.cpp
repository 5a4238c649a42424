// Reading and writing the binary model format of docs/model-format.md.
#include "digitnet/files/model_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>
#include <fstream>
#include <string>

#include "digitnet/files/atomic_file.hpp"
#include "digitnet/core/error.hpp"
#include "digitnet/files/network2_json.hpp"

namespace digitnet {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the model format stores little-endian floats; add byte swapping for this host");

constexpr char magic[8] = {'D', 'I', 'G', 'I', 'T', 'N', 'E', 'T'};
const char* const model_hint = "expected a model file written by 'digitnet train --save'";
const char* const damaged_hint = "the model file is damaged: save it again";

std::uint32_t crc32_of(const std::uint8_t* bytes, std::size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (size > 0) {
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
    crc = crc32(crc, bytes, chunk);
    bytes += chunk;
    size -= chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

class Writer {
 public:
  void bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    out_.insert(out_.end(), p, p + size);
  }
  template <typename T>
  void value(T v) {
    bytes(&v, sizeof v);
  }
  std::vector<std::uint8_t>& out() { return out_; }

 private:
  std::vector<std::uint8_t> out_;
};

// Reads fields in order, knowing the offset of each for error messages.
class Reader {
 public:
  Reader(const std::vector<std::uint8_t>& bytes, const std::filesystem::path& path)
      : bytes_(bytes), path_(path) {}
  std::size_t offset() const { return offset_; }
  void read(void* out, std::size_t size, const char* field) {
    if (bytes_.size() - offset_ < size)
      throw file_error(path_, bytes_.size(),
                       std::string("file ends inside the ") + field + " (needs " +
                           std::to_string(offset_ + size) + " bytes, has " +
                           std::to_string(bytes_.size()) + ")",
                       "the file is truncated: save it again");
    if (size == 0) return;  // `out` may be null then
    std::memcpy(out, bytes_.data() + offset_, size);
    offset_ += size;
  }
  template <typename T>
  T value(const char* field) {
    T v;
    read(&v, sizeof v, field);
    return v;
  }
  [[noreturn]] void fail(std::size_t at, const std::string& what, const char* hint = model_hint) {
    throw file_error(path_, at, what, hint);
  }

 private:
  const std::vector<std::uint8_t>& bytes_;
  const std::filesystem::path& path_;
  std::size_t offset_ = 0;
};

}  // namespace

std::vector<std::uint8_t> serialize_model(const Network& net) {
  Writer w;
  w.bytes(magic, sizeof magic);
  w.value<std::uint32_t>(model_format_version);
  w.value<std::uint32_t>(static_cast<std::uint32_t>(net.sizes().size()));
  for (std::size_t size : net.sizes()) w.value<std::uint32_t>(static_cast<std::uint32_t>(size));
  for (std::size_t l = 0; l < net.layers(); ++l)
    w.value<std::uint8_t>(static_cast<std::uint8_t>(net.activation(l)));
  w.value<std::uint8_t>(static_cast<std::uint8_t>(net.cost()));
  const auto parameters = net.parameters().flat();
  w.value<std::uint64_t>(parameters.size());
  w.bytes(parameters.data(), parameters.size_bytes());
  w.value<std::uint32_t>(crc32_of(w.out().data(), w.out().size()));
  return std::move(w.out());
}

bool is_json_path(const std::filesystem::path& path) { return path.extension() == ".json"; }

void save_model(const Network& net, const std::filesystem::path& path) {
  if (is_json_path(path)) {
    const std::string text = network2_json(net, path);
    write_file_atomically(path, std::vector<std::uint8_t>(text.begin(), text.end()));
  } else {
    write_file_atomically(path, serialize_model(net));
  }
}

Network parse_model(const std::vector<std::uint8_t>& bytes, const std::filesystem::path& path) {
  Reader r(bytes, path);
  char found[sizeof magic];
  r.read(found, sizeof found, "magic number");
  if (std::memcmp(found, magic, sizeof magic) != 0)
    r.fail(0, "bad magic number (not a digitnet model file)");
  const auto version = r.value<std::uint32_t>("format version");
  if (version != model_format_version)
    r.fail(8,
           "unknown format version " + std::to_string(version) + " (this digitnet reads " +
               std::to_string(model_format_version) + ")",
           "the file is damaged, or was written by a newer digitnet");

  const std::size_t count_at = r.offset();
  const auto count = r.value<std::uint32_t>("layer count");
  if (count < 2 || count > model_max_layers)
    r.fail(count_at, "layer count " + std::to_string(count) + " is not between 2 and " +
                         std::to_string(model_max_layers));
  std::vector<std::size_t> sizes;
  std::uint64_t expected_parameters = 0;
  for (std::uint32_t l = 0; l < count; ++l) {
    const std::size_t at = r.offset();
    const auto size = r.value<std::uint32_t>("layer sizes");
    if (size < 1 || size > model_max_layer_size)
      r.fail(at, "layer " + std::to_string(l) + " has size " + std::to_string(size) +
                     " (expected 1 to " + std::to_string(model_max_layer_size) + ")");
    if (l > 0) expected_parameters += std::uint64_t{size} * sizes.back() + size;
    if (expected_parameters > model_max_parameters)
      r.fail(at, "absurd layer sizes: more than " + std::to_string(model_max_parameters) +
                     " parameters");
    sizes.push_back(size);
  }
  Architecture arch;
  arch.sizes = std::move(sizes);
  const std::size_t activations_at = r.offset();
  for (std::uint32_t l = 0; l + 1 < count; ++l) {
    const std::size_t at = r.offset();
    const auto activation = r.value<std::uint8_t>("activations");
    if (!is_activation_id(activation))
      r.fail(at,
             "unknown activation id " + std::to_string(activation) + " for layer " +
                 std::to_string(l + 1),
             "the file is damaged, or was written by a newer digitnet");
    arch.activations.push_back(static_cast<Activation>(activation));
  }
  const std::size_t cost_at = r.offset();
  const auto cost = r.value<std::uint8_t>("cost");
  if (!is_cost_id(cost))
    r.fail(cost_at, "unknown cost id " + std::to_string(cost),
           "the file is damaged, or was written by a newer digitnet");
  arch.cost = static_cast<Cost>(cost);
  if (const std::string problem = architecture_problem(arch); !problem.empty())
    r.fail(activations_at, "impossible network: " + problem, damaged_hint);
  const std::size_t parameters_at = r.offset();
  const auto parameter_count = r.value<std::uint64_t>("parameter count");
  if (parameter_count != expected_parameters)
    r.fail(parameters_at,
           "parameter count " + std::to_string(parameter_count) +
               " does not match the layer sizes (" + std::to_string(expected_parameters) + ")",
           damaged_hint);

  const std::uint64_t expected_size = r.offset() + 4 * expected_parameters + 4;
  if (bytes.size() < expected_size)
    r.fail(bytes.size(),
           "file ends early: the header declares " + std::to_string(expected_size) +
               " bytes but the file has " + std::to_string(bytes.size()),
           "the file is truncated: save it again");
  if (bytes.size() > expected_size)
    r.fail(expected_size,
           std::to_string(bytes.size() - expected_size) +
               " unexpected bytes after the end of the model",
           damaged_hint);

  Network net(std::move(arch));
  auto parameters = net.parameters().flat();
  r.read(parameters.data(), parameters.size_bytes(), "parameters");
  const std::size_t checksum_at = r.offset();
  const auto stored = r.value<std::uint32_t>("checksum");
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION  // the fuzz preset: let mutations reach the parser
  if (stored != crc32_of(bytes.data(), checksum_at))
    r.fail(checksum_at, "checksum mismatch: the contents are damaged", damaged_hint);
#else
  static_cast<void>(stored);
#endif
  return net;
}

Network load_model(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw file_error(path,
                     std::filesystem::exists(path, ec) ? "not a regular file" : "file not found",
                     "give the path of a model saved with 'digitnet train --save FILE'");
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  const std::uint64_t largest =
      std::max<std::uint64_t>(64 + 4 * model_max_layers * 2 + 4 * model_max_parameters,
                              model_max_json_bytes);
  if (ec || size > largest)
    throw file_error(path, "file too large to be a model (" + std::to_string(size) + " bytes)",
                     model_hint);
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> bytes(size);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
    throw file_error(path, "cannot read the file", "check its permissions");
  // JSON starts with '{' or '[' (after any white space); our binary format with "DIGITNET".
  const auto first = std::find_if(bytes.begin(), bytes.end(),
                                  [](std::uint8_t c) { return !std::isspace(c); });
  if (first != bytes.end() && (*first == '{' || *first == '[')) {
    if (size > model_max_json_bytes)
      throw file_error(path, "JSON model too large (" + std::to_string(size) + " bytes, at most " +
                                 std::to_string(model_max_json_bytes) + ")",
                       "save large networks in the binary format");
    return parse_network2_json(std::string(bytes.begin(), bytes.end()), path);
  }
  return parse_model(bytes, path);
}

}  // namespace digitnet
