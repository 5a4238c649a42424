// Neuron activation functions, applied elementwise to a layer's weighted inputs z (softmax: to
// each example's column of z).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace digitnet {

// Identifiers are stored in model files: never renumber.
enum class Activation : std::uint8_t {
  sigmoid = 1,   // σ(z) = 1 / (1 + e^(−z)), the seeds' only activation
  tanh = 2,      // tanh(z)
  relu = 3,      // max(0, z)
  identity = 4,  // z
  softmax = 5,   // e^(z_j) / Σ_k e^(z_k) over a column: output layer only, with log-likelihood
};

// The name used on the command line and in recipes ("sigmoid", "tanh", "relu", "identity",
// "softmax"), and back; nullopt for an unknown name.
std::string_view name(Activation activation);
std::optional<Activation> parse_activation(std::string_view name);
// Whether `id` is the identifier of an Activation (for readers of model files).
bool is_activation_id(std::uint8_t id);

// The derivative f'(z) of every activation but softmax is computed in the network's forward pass
// from f(z) (see network.cpp; for σ through an exact 1 − σ(z)).

}  // namespace digitnet
