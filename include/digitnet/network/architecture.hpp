// What a network is, apart from its weights: the layer sizes, each layer's activation and the
// cost it is trained on. The seeds' network is all sigmoid with the quadratic cost.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "digitnet/network/activation.hpp"
#include "digitnet/network/cost.hpp"

namespace digitnet {

struct Architecture {
  std::vector<std::size_t> sizes;        // neurons per layer, input to output
  std::vector<Activation> activations;   // one per weight layer: sizes.size() − 1
  Cost cost = Cost::quadratic;

  // The seeds' network of these sizes: sigmoid everywhere, quadratic cost.
  static Architecture seeds(std::vector<std::size_t> sizes);
  // Hidden layers `hidden`, output layer `output`.
  static Architecture of(std::vector<std::size_t> sizes, Activation hidden, Activation output,
                         Cost cost);

  bool operator==(const Architecture&) const = default;
};

// Why `arch` cannot be built or trained, or "" when it can: at least two sizes, each at least 1,
// one activation per weight layer, softmax only on the output layer and only with the
// log-likelihood cost (which needs it), cross-entropy only on a sigmoid output.
std::string architecture_problem(const Architecture& arch);

}  // namespace digitnet
