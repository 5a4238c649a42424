// Parameter updates from gradients. The seeds' rule is plain mini-batch SGD.
#pragma once

#include <cstddef>

#include "digitnet/parameters.hpp"

namespace digitnet {

// W ← W − (eta/m)·Σ∇W, b ← b − (eta/m)·Σ∇b: one flat loop over the parameter buffer.
// Requires: nabla has the layout of parameters and holds sums over a batch of m examples.
template <typename Scalar>
void sgd_update(Parameters<Scalar>& parameters, const Parameters<Scalar>& nabla, Scalar eta,
                std::size_t m) {
  parameters.as_vector() -= (eta / static_cast<Scalar>(m)) * nabla.as_vector();
}

}  // namespace digitnet
