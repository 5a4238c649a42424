// Reading and writing the binary model format of docs/model-format.md.
#include "digitnet/files/model_file.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>
#include <fstream>
#include <string>

#include "digitnet/files/atomic_file.hpp"
#include "digitnet/core/error.hpp"
#include "digitnet/files/network2_json.hpp"
#include "digitnet/network/layer_registry.hpp"
#include "files/byte_io.hpp"

namespace digitnet {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the model format stores little-endian floats; add byte swapping for this host");

constexpr char magic[8] = {'D', 'I', 'G', 'I', 'T', 'N', 'E', 'T'};
const char* const model_hint = "expected a digitnet model file (docs/model-format.md)";
const char* const damaged_hint = "the model file is damaged: save it again";

}  // namespace

std::vector<std::uint8_t> serialize_model(const Network& net) {
  const Architecture& arch = net.architecture();
  ByteWriter w;
  w.bytes(magic, sizeof magic);
  w.value<std::uint32_t>(model_format_version);
  for (const std::size_t dim : {arch.input.channels, arch.input.height, arch.input.width})
    w.value<std::uint32_t>(static_cast<std::uint32_t>(dim));
  w.value<std::uint32_t>(static_cast<std::uint32_t>(arch.layers.size()));
  for (const LayerSpec& layer : arch.layers) {
    w.value<std::uint8_t>(find_layer_kind(layer.kind)->id);
    w.value<std::uint8_t>(static_cast<std::uint8_t>(layer.activation));
    w.value<std::uint8_t>(static_cast<std::uint8_t>(layer.numbers.size()));
    w.value<std::uint8_t>(static_cast<std::uint8_t>(layer.options.size()));
    for (const std::size_t number : layer.numbers)
      w.value<std::uint32_t>(static_cast<std::uint32_t>(number));
    for (const std::string& option : layer.options) {
      w.value<std::uint8_t>(static_cast<std::uint8_t>(option.size()));
      w.bytes(option.data(), option.size());
    }
  }
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

namespace {

// Version 1: dense layers given by their sizes (digitnet 0.1).
Architecture read_v1_architecture(ByteReader& r, std::uint64_t* expected_parameters) {
  const std::size_t count_at = r.offset();
  const auto count = r.value<std::uint32_t>("layer count");
  if (count < 2 || count > model_max_layers)
    r.fail(count_at, "layer count " + std::to_string(count) + " is not between 2 and " +
                         std::to_string(model_max_layers));
  std::vector<std::size_t> sizes;
  std::uint64_t expected = 0;
  for (std::uint32_t l = 0; l < count; ++l) {
    const std::size_t at = r.offset();
    const auto size = r.value<std::uint32_t>("layer sizes");
    if (size < 1 || size > model_max_layer_size)
      r.fail(at, "layer " + std::to_string(l) + " has size " + std::to_string(size) +
                     " (expected 1 to " + std::to_string(model_max_layer_size) + ")");
    if (l > 0) expected += std::uint64_t{size} * sizes.back() + size;
    if (expected > model_max_parameters)
      r.fail(at, "absurd layer sizes: more than " + std::to_string(model_max_parameters) +
                     " parameters");
    sizes.push_back(size);
  }
  std::vector<Activation> activations;
  const std::size_t activations_at = r.offset();
  for (std::uint32_t l = 0; l + 1 < count; ++l) {
    const std::size_t at = r.offset();
    const auto activation = r.value<std::uint8_t>("activations");
    if (!is_activation_id(activation))
      r.fail(at,
             "unknown activation id " + std::to_string(activation) + " for layer " +
                 std::to_string(l + 1),
             "the file is damaged, or was written by a newer digitnet");
    activations.push_back(static_cast<Activation>(activation));
  }
  const std::size_t cost_at = r.offset();
  const auto cost = r.value<std::uint8_t>("cost");
  if (!is_cost_id(cost))
    r.fail(cost_at, "unknown cost id " + std::to_string(cost),
           "the file is damaged, or was written by a newer digitnet");
  const Architecture arch = Architecture::dense(sizes, activations, static_cast<Cost>(cost));
  if (const std::string problem = architecture_problem(arch); !problem.empty())
    r.fail(activations_at, "impossible network: " + problem, damaged_hint);
  *expected_parameters = expected;
  return arch;
}

// Version 2: the input shape and a list of layers, each its kind, activation, numbers and
// options. Every field is checked against the caps before anything is sized by it.
Architecture read_v2_architecture(ByteReader& r, std::uint64_t* expected_parameters) {
  Architecture arch;
  const std::size_t input_at = r.offset();
  std::size_t* dims[] = {&arch.input.channels, &arch.input.height, &arch.input.width};
  for (std::size_t* dim : dims) {
    *dim = r.value<std::uint32_t>("input shape");
    if (*dim < 1 || *dim > model_max_layer_size)
      r.fail(input_at, "input dimension " + std::to_string(*dim) + " is not between 1 and " +
                           std::to_string(model_max_layer_size), damaged_hint);
  }
  if (arch.input.size() > model_max_layer_size)
    r.fail(input_at, "input of " + std::to_string(arch.input.size()) + " values (at most " +
                         std::to_string(model_max_layer_size) + ")", damaged_hint);
  const std::size_t count_at = r.offset();
  const auto count = r.value<std::uint32_t>("layer count");
  if (count < 1 || count > model_max_layers)
    r.fail(count_at, "layer count " + std::to_string(count) + " is not between 1 and " +
                         std::to_string(model_max_layers));
  const std::size_t layers_at = r.offset();
  for (std::uint32_t l = 0; l < count; ++l) {
    const std::size_t at = r.offset();
    const std::string which = "layer " + std::to_string(l + 1);
    const auto kind_id = r.value<std::uint8_t>("layer kind");
    const LayerKind* kind = find_layer_kind(kind_id);
    if (kind == nullptr)
      r.fail(at, "unknown layer kind " + std::to_string(kind_id) + " for " + which,
             "the file is damaged, or was written by a newer digitnet");
    const auto activation = r.value<std::uint8_t>("activation");
    if (!is_activation_id(activation))
      r.fail(at + 1, "unknown activation id " + std::to_string(activation) + " for " + which,
             "the file is damaged, or was written by a newer digitnet");
    const auto numbers = r.value<std::uint8_t>("layer numbers");
    const auto options = r.value<std::uint8_t>("layer options");
    if (numbers > model_max_layer_numbers || options > model_max_layer_options)
      r.fail(at + 2, which + " has " + std::to_string(numbers) + " numbers and " +
                         std::to_string(options) + " options (at most " +
                         std::to_string(model_max_layer_numbers) + " and " +
                         std::to_string(model_max_layer_options) + ")", damaged_hint);
    LayerSpec spec{kind->name, {}, static_cast<Activation>(activation), {}};
    for (std::uint8_t i = 0; i < numbers; ++i) {
      const std::size_t number_at = r.offset();
      const auto number = r.value<std::uint32_t>("layer numbers");
      if (number > model_max_layer_size)
        r.fail(number_at, which + ": number " + std::to_string(number) + " is over " +
                              std::to_string(model_max_layer_size), damaged_hint);
      spec.numbers.push_back(number);
    }
    for (std::uint8_t i = 0; i < options; ++i) {
      const std::size_t option_at = r.offset();
      const auto length = r.value<std::uint8_t>("layer option");
      if (length < 1 || length > model_max_option_length)
        r.fail(option_at, which + ": option of " + std::to_string(length) + " bytes", damaged_hint);
      std::string option(length, '\0');
      r.read(option.data(), length, "layer option");
      spec.options.push_back(std::move(option));
    }
    arch.layers.push_back(std::move(spec));
  }
  const std::size_t cost_at = r.offset();
  const auto cost = r.value<std::uint8_t>("cost");
  if (!is_cost_id(cost))
    r.fail(cost_at, "unknown cost id " + std::to_string(cost),
           "the file is damaged, or was written by a newer digitnet");
  arch.cost = static_cast<Cost>(cost);
  if (const std::string problem = architecture_problem(arch); !problem.empty())
    r.fail(layers_at, "impossible network: " + problem, damaged_hint);
  std::uint64_t expected = 0;
  for (const Shape& shape : arch.shapes())
    if (shape.size() > model_max_layer_size)
      r.fail(layers_at, "a layer of " + std::to_string(shape.size()) + " values (at most " +
                            std::to_string(model_max_layer_size) + ")", damaged_hint);
  for (const ParameterBlock& block : parameter_layout(arch)) expected += block.size();
  if (expected > model_max_parameters)
    r.fail(layers_at, "absurd layer sizes: more than " + std::to_string(model_max_parameters) +
                          " parameters", damaged_hint);
  *expected_parameters = expected;
  return arch;
}

}  // namespace

Network parse_model(const std::vector<std::uint8_t>& bytes, const std::filesystem::path& path) {
  ByteReader r(bytes, path, "the file is truncated: save it again", model_hint);
  char found[sizeof magic];
  r.read(found, sizeof found, "magic number");
  if (std::memcmp(found, magic, sizeof magic) != 0)
    r.fail(0, "bad magic number (not a digitnet model file)");
  const auto version = r.value<std::uint32_t>("format version");
  if (version != 1 && version != model_format_version)
    r.fail(8,
           "unknown format version " + std::to_string(version) + " (this digitnet reads 1 to " +
               std::to_string(model_format_version) + ")",
           "the file is damaged, or was written by a newer digitnet");
  std::uint64_t expected_parameters = 0;
  const Architecture arch = version == 1 ? read_v1_architecture(r, &expected_parameters)
                                         : read_v2_architecture(r, &expected_parameters);
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
  const std::uint64_t largest = std::max<std::uint64_t>(
      64 + model_max_layers * (4 + 4 * model_max_layer_numbers +
                               model_max_layer_options * (1 + model_max_option_length)) +
          4 * model_max_parameters,
      model_max_json_bytes);
  const std::vector<std::uint8_t> bytes = read_whole_file(
      path, {.what = "a model", .max_bytes = largest, .missing = "",
             .missing_hint = "give the path of a saved model", .large_hint = model_hint});
  const std::uint64_t size = bytes.size();
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
