// Cost functions: their value and their output error δ_L, for a batch of examples held as columns.
#pragma once

#include <cstdint>

#include "digitnet/activation.hpp"
#include "digitnet/matrix.hpp"

namespace digitnet {

// Identifiers are stored in model files: never renumber.
enum class Cost : std::uint8_t {
  quadratic = 1,  // C_x = ½‖y(x) − a‖², the seeds' cost
};

// Σ over the batch of ½‖y − a‖². a, y: n_out × m.
template <typename Scalar>
Scalar quadratic_cost(ConstMatrixRef<Scalar> a, ConstMatrixRef<Scalar> y) {
  return Scalar(0.5) * (a - y).squaredNorm();
}

// δ_L = (a − y) ⊙ σ'(z_L), with σ'(z_L) = a(1 − a) for a sigmoid output, 1 − a given as
// `complement` (computed accurately by the forward pass). a, complement, y, delta: n_out × m.
template <typename Scalar>
void quadratic_output_delta(ConstMatrixRef<Scalar> a, ConstMatrixRef<Scalar> complement,
                            ConstMatrixRef<Scalar> y, MatrixRef<Scalar> delta) {
  delta.array() = (a - y).array() * a.array() * complement.array();
}

}  // namespace digitnet
