// Names of activations and costs, and which combinations make a network.
#include "digitnet/network/architecture.hpp"

#include "core/name_table.hpp"
#include "digitnet/network/layer_registry.hpp"

namespace digitnet {
namespace {

constexpr NameTable<Activation, 5> activation_names = {{
    {Activation::sigmoid, "sigmoid"},
    {Activation::tanh, "tanh"},
    {Activation::relu, "relu"},
    {Activation::identity, "identity"},
    {Activation::softmax, "softmax"},
}};
constexpr NameTable<Cost, 3> cost_names = {{
    {Cost::quadratic, "quadratic"},
    {Cost::cross_entropy, "cross-entropy"},
    {Cost::log_likelihood, "log-likelihood"},
}};

}  // namespace

std::string_view name(Activation activation) { return name_in(activation_names, activation); }
std::optional<Activation> parse_activation(std::string_view text) {
  return parse_in(activation_names, text);
}
bool is_activation_id(std::uint8_t id) { return id >= 1 && id <= 5; }

std::string_view name(Cost cost) { return name_in(cost_names, cost); }
std::optional<Cost> parse_cost(std::string_view text) { return parse_in(cost_names, text); }
bool is_cost_id(std::uint8_t id) { return id >= 1 && id <= 3; }

Architecture Architecture::seeds(std::vector<std::size_t> sizes) {
  return of(std::move(sizes), Activation::sigmoid, Activation::sigmoid, Cost::quadratic);
}

Architecture Architecture::of(std::vector<std::size_t> sizes, Activation hidden,
                              Activation output, Cost cost) {
  Architecture arch;
  arch.input = flat_shape(sizes.empty() ? 0 : sizes.front());
  for (std::size_t l = 1; l < sizes.size(); ++l)
    arch.layers.push_back({"dense", {sizes[l]}, l + 1 < sizes.size() ? hidden : output, {}});
  arch.cost = cost;
  return arch;
}

Architecture Architecture::dense(const std::vector<std::size_t>& sizes,
                                 const std::vector<Activation>& activations, Cost cost) {
  Architecture arch = of(sizes, Activation::sigmoid, Activation::sigmoid, cost);
  for (std::size_t l = 0; l < arch.layers.size() && l < activations.size(); ++l)
    arch.layers[l].activation = activations[l];
  return arch;
}

std::vector<Activation> Architecture::activations() const {
  std::vector<Activation> result;
  for (const LayerSpec& layer : layers) result.push_back(layer.activation);
  return result;
}

std::vector<Shape> Architecture::shapes() const {
  std::vector<Shape> result = {input};
  for (const LayerSpec& layer : layers) {
    Shape output;
    find_layer_kind(layer.kind)->check(layer, result.back(), &output);
    result.push_back(output);
  }
  return result;
}

std::vector<std::size_t> Architecture::sizes() const {
  std::vector<std::size_t> result;
  for (const Shape& shape : shapes()) result.push_back(shape.size());
  return result;
}

bool Architecture::is_dense_stack() const {
  for (const LayerSpec& layer : layers)
    if (layer.kind != "dense") return false;
  return true;
}

Activation default_output(Cost cost) {
  return cost == Cost::log_likelihood ? Activation::softmax : Activation::sigmoid;
}

std::string architecture_problem(const Architecture& arch) {
  if (arch.input.size() < 1) return "the input needs at least one value";
  if (arch.layers.empty()) return "a network needs at least one layer";
  Shape shape = arch.input;
  for (std::size_t l = 0; l < arch.layers.size(); ++l) {
    const LayerSpec& layer = arch.layers[l];
    const std::string where =
        "layer " + std::to_string(l + 1) + " (" + to_string(layer) + "): ";
    const LayerKind* kind = find_layer_kind(layer.kind);
    if (kind == nullptr)
      return where + "unknown kind '" + layer.kind + "'; the kinds are " + layer_kind_names();
    if (const std::string problem = common_options_problem(layer); !problem.empty())
      return where + problem;
    if (dropout_rate(layer).value_or(0) > 0 && l + 1 == arch.layers.size())
      return where + "the output layer cannot be dropped out; give dropout= to a hidden layer";
    Shape output;
    if (const std::string problem = kind->check(layer, shape, &output); !problem.empty())
      return where + problem + " (its input is " + to_string(shape) + ")";
    if (layer.activation == Activation::softmax && l + 1 < arch.layers.size())
      return where + "softmax is only possible on the output layer";
    shape = output;
  }
  const Activation output = arch.layers.back().activation;
  if (output == Activation::softmax && arch.cost != Cost::log_likelihood)
    return "a softmax output layer goes with the log-likelihood cost, not " +
           std::string(name(arch.cost));
  if (arch.cost == Cost::log_likelihood && output != Activation::softmax)
    return "the log-likelihood cost needs a softmax output layer, not " +
           std::string(name(output));
  if (arch.cost == Cost::cross_entropy && output != Activation::sigmoid)
    return "the cross-entropy cost needs a sigmoid output layer, not " + std::string(name(output));
  return "";
}

}  // namespace digitnet
