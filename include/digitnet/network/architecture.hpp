// What a network is, apart from its weights: the shape of its input, its list of layers (each
// a kind, its numbers and its activation) and the cost it is trained on. The seeds' network is
// a stack of dense sigmoid layers with the quadratic cost, given by its sizes (784, 30, 10).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "digitnet/network/activation.hpp"
#include "digitnet/network/cost.hpp"
#include "digitnet/network/layer_spec.hpp"
#include "digitnet/network/shape.hpp"

namespace digitnet {

struct Architecture {
  Architecture() = default;  // (not an aggregate: {784, 30, 10} means sizes, not a Shape)

  Shape input;                    // one example's input
  std::vector<LayerSpec> layers;  // input to output
  Cost cost = Cost::quadratic;

  // The seeds' network of these sizes: dense sigmoid layers, quadratic cost; the input is flat.
  static Architecture seeds(std::vector<std::size_t> sizes);
  // Dense layers of these sizes: hidden layers `hidden`, output layer `output`.
  static Architecture of(std::vector<std::size_t> sizes, Activation hidden, Activation output,
                         Cost cost);
  // Dense layers of these sizes with one activation each (activations.size() + 1 sizes).
  static Architecture dense(const std::vector<std::size_t>& sizes,
                            const std::vector<Activation>& activations, Cost cost);

  // Each layer's activation, input to output.
  std::vector<Activation> activations() const;
  // Every layer's input shape and, last, the output's (layers.size() + 1 shapes).
  // Requires: architecture_problem(*this) is empty.
  std::vector<Shape> shapes() const;
  // The same as flat sizes: for a dense stack, network.py's `sizes`.
  std::vector<std::size_t> sizes() const;
  // Whether every layer is dense (what network2.py's JSON and `--sizes` can describe).
  bool is_dense_stack() const;

  bool operator==(const Architecture&) const = default;
};

// The output activation a cost goes with when none is named: softmax for the log-likelihood,
// sigmoid for the others (the seeds').
Activation default_output(Cost cost);

// Why `arch` cannot be built or trained, or "" when it can: an input, at least one layer, each
// layer a known kind that accepts its input (the message names the layer: "layer 2 (dense:0):
// ..."), softmax only on the output layer and only with the log-likelihood cost (which needs
// it), cross-entropy only on a sigmoid output.
std::string architecture_problem(const Architecture& arch);

}  // namespace digitnet
