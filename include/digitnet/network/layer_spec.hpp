// A layer described as data: its kind, the kind's numbers and its activation, as in a layer
// list of a recipe or of the command line ("dense:100:relu", later "conv:20x5x5,pool:2").
// What the numbers mean, and which are allowed, is the kind's own (network/layers/*.hpp); the
// registry (layer_registry.hpp) checks a spec against its input shape.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "digitnet/core/error.hpp"
#include "digitnet/network/activation.hpp"

namespace digitnet {

struct LayerSpec {
  std::string kind = "dense";        // a registered kind's name
  std::vector<std::size_t> numbers;  // dense: {units}
  Activation activation = Activation::sigmoid;  // applied to the layer's output
  std::vector<std::string> options;  // the kind's words beside its activation (e.g. padding)

  bool operator==(const LayerSpec&) const = default;
};

// "dense:100:relu": the kind, its numbers joined by 'x', then the activation and any options.
std::string to_string(const LayerSpec& spec);
// A comma-separated list of layers, each `kind:N[xN...][:word...]`, where a word is an
// activation name or one of the kind's options. A layer that names no activation gets
// `hidden`, the last one `output`. Returns the problem ("layer 2 'dense:x': ...") in `problem`
// and an empty list when the text is not a layer list; the kinds' own rules are checked later
// (architecture_problem), against the input shape.
std::vector<LayerSpec> parse_layer_list(const std::string& text, Activation hidden,
                                        Activation output, std::string* problem);
std::string to_string(const std::vector<LayerSpec>& layers);

}  // namespace digitnet
