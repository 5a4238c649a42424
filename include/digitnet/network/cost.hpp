// Cost functions: their value and their output error δ_L, for a batch of examples held as columns.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "digitnet/kernels/matrix.hpp"

namespace digitnet {

// Identifiers are stored in model files: never renumber.
enum class Cost : std::uint8_t {
  quadratic = 1,       // C_x = ½‖y − a‖², the seeds' cost; any output activation but softmax
  cross_entropy = 2,   // C_x = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)]; sigmoid outputs
  log_likelihood = 3,  // C_x = −Σ_j y_j ln a_j (−ln a_y for a one-hot y); softmax outputs
};

// "quadratic", "cross-entropy", "log-likelihood", and back; nullopt for an unknown name.
std::string_view name(Cost cost);
std::optional<Cost> parse_cost(std::string_view name);
bool is_cost_id(std::uint8_t id);

// Σ over the batch of C_x. a, y: n_out × m. Logarithms of 0 are taken at the smallest normal
// number (float: ln ≈ −87) instead of −∞, as network2.py's np.nan_to_num keeps its cost finite.
template <typename Scalar>
Scalar total_cost(Cost cost, ConstMatrixRef<Scalar> a, ConstMatrixRef<Scalar> y);

// δ_L = ∂C_x/∂z_L for each column. `derivative` holds f'(z_L) for the quadratic cost and is not
// read by the others, whose δ_L = a − y (cross-entropy with σ, log-likelihood with softmax: the
// book's equations (66) and (84)). a, derivative, y, delta: n_out × m.
template <typename Scalar>
void output_delta(Cost cost, ConstMatrixRef<Scalar> a, ConstMatrixRef<Scalar> derivative,
                  ConstMatrixRef<Scalar> y, MatrixRef<Scalar> delta) {
  if (cost == Cost::quadratic)
    delta.array() = (a - y).array() * derivative.array();
  else
    delta = a - y;
}

// Kept for the seeds' cost: Σ over the batch of ½‖y − a‖².
template <typename Scalar>
Scalar quadratic_cost(ConstMatrixRef<Scalar> a, ConstMatrixRef<Scalar> y) {
  return Scalar(0.5) * (a - y).squaredNorm();
}

}  // namespace digitnet
