// Weight penalties added to the cost (biases are not penalised, as in the book):
//   L2: C = C_0 + (λ/2n)·Σ w²   — with SGD, the book's weight decay w ← (1 − eta·λ/n)·w − (eta/m)·Σ∇w
//   L1: C = C_0 + (λ/n)·Σ |w|   — with SGD, w ← w − (eta·λ/n)·sgn(w) − (eta/m)·Σ∇w
// n is the size of the whole training set, as in network2.py.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "digitnet/network/parameters.hpp"

namespace digitnet {

struct Regularization {
  enum class Kind { none, l2, l1 };
  Kind kind = Kind::none;
  double lambda = 0;   // λ
  double n = 1;        // training set size

  bool active() const { return kind != Kind::none && lambda != 0; }

  // The penalty term of the cost for these weights: every layer's, or those whose entry in
  // `penalized` is true (layer.hpp's penalized(); normalisation layers' are not).
  template <typename Scalar>
  double cost(const Parameters<Scalar>& p, const std::vector<bool>& penalized = {}) const {
    if (!active()) return 0;
    double sum = 0;
    for (std::size_t l = 0; l < p.layers(); ++l)
      if (penalized.empty() || penalized[l])
        sum += kind == Kind::l2 ? 0.5 * p.weights(l).template cast<double>().squaredNorm()
                                : p.weights(l).template cast<double>().cwiseAbs().sum();
    return lambda / n * sum;
  }

  // gradient_w += ∂penalty/∂w for layer weights `w` (a block of rows of them).
  template <typename W, typename G>
  void add_gradient(const W& w, G&& gradient) const {
    using Scalar = typename W::Scalar;
    if (!active()) return;
    const auto rate = static_cast<Scalar>(lambda / n);
    if (kind == Kind::l2)
      gradient += rate * w;
    else
      gradient += rate * w.array().sign().matrix();
  }

  // The penalty's part of one SGD step with learning rate eta, applied to weights `w` in place.
  template <typename W>
  void shrink(W&& w, double eta) const {
    using Scalar = typename std::remove_reference_t<W>::Scalar;
    if (!active()) return;
    if (kind == Kind::l2)
      w *= static_cast<Scalar>(1 - eta * lambda / n);
    else
      w.array() -= static_cast<Scalar>(eta * lambda / n) * w.array().sign();
  }
};

// "none", "l2", "l1", and back.
std::string_view name(Regularization::Kind kind);
std::optional<Regularization::Kind> parse_regularization(std::string_view name);

}  // namespace digitnet
