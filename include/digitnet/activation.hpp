// Neuron activation functions, applied elementwise to a layer's weighted inputs z.
#pragma once

#include <Eigen/Core>
#include <cstdint>

namespace digitnet {

// Identifiers are stored in model files: never renumber.
enum class Activation : std::uint8_t {
  sigmoid = 1,  // σ(z) = 1 / (1 + e^(−z)), the seeds' only activation
};

// σ(z), elementwise.
template <typename Derived>
auto sigmoid(const Eigen::ArrayBase<Derived>& z) {
  using Scalar = typename Derived::Scalar;
  return Scalar(1) / (Scalar(1) + (-z).exp());
}

// σ'(z) = σ(z)(1 − σ(z)) is computed in the network's backward pass from σ(z) and an exact
// 1 − σ(z) (see network.cpp for why not from σ(z) alone).

}  // namespace digitnet
