// A layer described as data: its kind, the kind's numbers and its activation, as in a layer
// list of a recipe or of the command line ("dense:100:relu", later "conv:20x5x5,pool:2").
// What the numbers mean, and which are allowed, is the kind's own (network/layers/*.hpp); the
// registry (layer_registry.hpp) checks a spec against its input shape.
#pragma once

#include <cstddef>
#include <optional>
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

// The option every kind takes: "dropout=P", the layer's outputs dropped with probability P
// while training (as network3.py's p_dropout on the layer that reads them; dropout.hpp).
// Its rate, or nullopt when the spec names none (or names it wrongly: see below).
std::optional<double> dropout_rate(const LayerSpec& spec);
// Why the spec's common options are wrong ("dropout=1.5: ..."), or "".
std::string common_options_problem(const LayerSpec& spec);
// The spec without its common options: what the kind's own rules see.
LayerSpec without_common_options(LayerSpec spec);

}  // namespace digitnet
