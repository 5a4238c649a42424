// The registry of layer kinds: one line per kind.
#include "digitnet/network/layer_registry.hpp"

#include <cassert>

#include "digitnet/network/layers/conv.hpp"
#include "digitnet/network/layers/dense.hpp"
#include "digitnet/network/layers/norm.hpp"
#include "digitnet/network/layers/pool.hpp"

namespace digitnet {
namespace {

template <typename Kind, template <typename> class Type>
LayerKind kind() {
  return {Kind::name, Kind::id, Kind::takes_activation,
          // The kind's own rules, on its own options (the common ones are checked by
          // architecture_problem).
          [](const LayerSpec& spec, Shape input, Shape* output) {
            return Kind::check(without_common_options(spec), input, output);
          },
          [](LayerSpec spec, Shape input, Shape output, std::size_t index) {
            return std::unique_ptr<Layer<float>>(
                std::make_unique<Type<float>>(std::move(spec), input, output, index));
          },
          [](LayerSpec spec, Shape input, Shape output, std::size_t index) {
            return std::unique_ptr<Layer<double>>(
                std::make_unique<Type<double>>(std::move(spec), input, output, index));
          }};
}

}  // namespace

const std::vector<LayerKind>& layer_kinds() {
  static const std::vector<LayerKind> kinds = {
      kind<DenseKind, DenseLayer>(),
      kind<ConvKind, ConvLayer>(),
      kind<PoolKind, PoolLayer>(),
      kind<NormKind, NormLayer>(),
  };
  return kinds;
}

const LayerKind* find_layer_kind(const std::string& name) {
  for (const LayerKind& k : layer_kinds())
    if (k.name == name) return &k;
  return nullptr;
}

const LayerKind* find_layer_kind(std::uint8_t id) {
  for (const LayerKind& k : layer_kinds())
    if (k.id == id) return &k;
  return nullptr;
}

std::string layer_kind_names() {
  std::string names;
  for (const LayerKind& k : layer_kinds()) names += (names.empty() ? "" : ", ") + k.name;
  return names;
}

template <typename Scalar>
std::unique_ptr<Layer<Scalar>> make_layer(const LayerSpec& spec, Shape input, std::size_t index) {
  const LayerKind* k = find_layer_kind(spec.kind);
  assert(k != nullptr);
  Shape output;
  [[maybe_unused]] const std::string problem = k->check(spec, input, &output);
  assert(problem.empty());
  if constexpr (std::is_same_v<Scalar, float>)
    return k->make_float(spec, input, output, index);
  else
    return k->make_double(spec, input, output, index);
}

template std::unique_ptr<Layer<float>> make_layer<float>(const LayerSpec&, Shape, std::size_t);
template std::unique_ptr<Layer<double>> make_layer<double>(const LayerSpec&, Shape, std::size_t);

}  // namespace digitnet
