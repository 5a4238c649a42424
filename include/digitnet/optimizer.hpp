// Parameter updates from gradients. The seeds' rule is plain mini-batch SGD.
#pragma once

#include <cstddef>

#include "digitnet/parameters.hpp"
#include "digitnet/team.hpp"

namespace digitnet {

// W ← W − (eta/m)·Σ∇W, b ← b − (eta/m)·Σ∇b: one flat loop over the parameter buffer, split
// among `threads` threads when it is long enough to pay for waking them.
// Requires: nabla has the layout of parameters and holds sums over a batch of m examples.
template <typename Scalar>
void sgd_update(Parameters<Scalar>& parameters, const Parameters<Scalar>& nabla, Scalar eta,
                std::size_t m, int threads = 1) {
  constexpr Eigen::Index parallel_from = 1 << 16;
  const Scalar rate = eta / static_cast<Scalar>(m);
  auto p = parameters.as_vector();
  const auto n = nabla.as_vector();
  run_team(p.size() >= parallel_from ? threads : 1, [&](Team team) {
    const auto [first, size] = team.of(p.size());
    p.segment(first, size) -= rate * n.segment(first, size);
  });
}

}  // namespace digitnet
