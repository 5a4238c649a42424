// The kinds of layer digitnet knows, by name (layer lists) and by identifier (model files).
// Adding a kind: its file pair under network/layers/ and one line in layer_registry.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "digitnet/network/layer.hpp"

namespace digitnet {

struct LayerKind {
  std::string name;  // as in layer lists: "dense"
  std::uint8_t id;   // in model files; never renumbered
  bool takes_activation;  // false: its output is its input's values rearranged (identity)
  // Why a spec of this kind cannot follow `input`, or "" with its output shape in *output.
  std::string (*check)(const LayerSpec& spec, Shape input, Shape* output);
  std::unique_ptr<Layer<float>> (*make_float)(LayerSpec, Shape, Shape, std::size_t);
  std::unique_ptr<Layer<double>> (*make_double)(LayerSpec, Shape, Shape, std::size_t);
};

// Every kind, in the order of their identifiers.
const std::vector<LayerKind>& layer_kinds();
// The kind of this name or identifier, or null.
const LayerKind* find_layer_kind(const std::string& name);
const LayerKind* find_layer_kind(std::uint8_t id);
// "dense, conv, ...": for messages.
std::string layer_kind_names();

// The layer `spec` makes after `input`, as layer `index` of a network.
// Requires: the kind exists and check() accepted the spec for this input (architecture_problem).
template <typename Scalar>
std::unique_ptr<Layer<Scalar>> make_layer(const LayerSpec& spec, Shape input, std::size_t index);

}  // namespace digitnet
