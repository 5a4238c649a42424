// Names of activations and costs, and which combinations make a network.
#include "digitnet/network/architecture.hpp"

#include "core/name_table.hpp"

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
  const std::size_t layers = sizes.empty() ? 0 : sizes.size() - 1;
  arch.sizes = std::move(sizes);
  arch.activations.assign(layers, hidden);
  if (layers > 0) arch.activations.back() = output;
  arch.cost = cost;
  return arch;
}

std::string architecture_problem(const Architecture& arch) {
  if (arch.sizes.size() < 2) return "a network needs at least two layer sizes, input and output";
  for (std::size_t size : arch.sizes)
    if (size < 1) return "every layer needs at least one neuron";
  if (arch.activations.size() != arch.sizes.size() - 1)
    return "one activation per weight layer is needed (" + std::to_string(arch.sizes.size() - 1) +
           "), got " + std::to_string(arch.activations.size());
  for (std::size_t l = 0; l + 1 < arch.activations.size(); ++l)
    if (arch.activations[l] == Activation::softmax)
      return "softmax is only possible on the output layer (hidden layer " +
             std::to_string(l + 1) + " has it)";
  const Activation output = arch.activations.back();
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
