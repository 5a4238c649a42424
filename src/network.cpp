// Forward and backward passes of the seeds' network, a mini-batch at a time.
#include "digitnet/network.hpp"

#include <cassert>

#include "digitnet/random.hpp"

namespace digitnet {

template <typename Scalar>
BasicNetwork<Scalar>::BasicNetwork(std::vector<std::size_t> sizes)
    : parameters_(std::move(sizes)) {}

template <typename Scalar>
BasicNetwork<Scalar>::BasicNetwork(std::vector<std::size_t> sizes, std::uint64_t seed)
    : parameters_(std::move(sizes)) {
  Rng rng(seed);
  for (std::size_t l = 0; l < layers(); ++l) {
    auto weights = parameters_.weights(l);
    for (Eigen::Index j = 0; j < weights.rows(); ++j)
      for (Eigen::Index k = 0; k < weights.cols(); ++k)
        weights(j, k) = static_cast<Scalar>(rng.normal());
    auto biases = parameters_.biases(l);
    for (Eigen::Index j = 0; j < biases.size(); ++j) biases(j) = static_cast<Scalar>(rng.normal());
  }
}

template <typename Scalar>
Workspace<Scalar> BasicNetwork<Scalar>::make_workspace(std::size_t capacity) const {
  Workspace<Scalar> ws;
  ws.capacity = capacity;
  const auto n = static_cast<Eigen::Index>(capacity);
  ws.activations.resize(layers() + 1);
  ws.complements.resize(layers() + 1);
  ws.deltas.resize(layers());
  for (std::size_t l = 0; l < layers(); ++l) {
    const auto rows = static_cast<Eigen::Index>(sizes()[l + 1]);
    ws.activations[l + 1].resize(rows, n);
    ws.complements[l + 1].resize(rows, n);
    ws.deltas[l].resize(rows, n);
  }
  return ws;
}

template <typename Scalar>
MatrixRef<Scalar> BasicNetwork<Scalar>::feedforward(ConstMatrixRef<Scalar> x,
                                                    Workspace<Scalar>& ws) const {
  return forward(x, ws, false);
}

template <typename Scalar>
MatrixRef<Scalar> BasicNetwork<Scalar>::forward(ConstMatrixRef<Scalar> x, Workspace<Scalar>& ws,
                                                bool keep_complements) const {
  const Eigen::Index m = x.cols();
  assert(x.rows() == static_cast<Eigen::Index>(input_size()));
  assert(m <= static_cast<Eigen::Index>(ws.capacity));
  for (std::size_t l = 0; l < layers(); ++l) {
    // a_prev: sizes[l] x m, weights: sizes[l+1] x sizes[l], a: sizes[l+1] x m
    auto a = ws.activations[l + 1].leftCols(m);
    if (l == 0)
      a.noalias() = parameters_.weights(l) * x;
    else
      a.noalias() = parameters_.weights(l) * ws.activations[l].leftCols(m);
    a.colwise() += parameters_.biases(l);
    if (keep_complements) {
      // σ'(z) = σ(z)(1 − σ(z)). Computed as 1 − a in float, 1 − σ(z) is exactly 0 once z > 17
      // and a saturated neuron stops learning for good (float64, the seeds' precision, keeps
      // it alive until z > 37). So 1 − σ(z) = σ(−z) = t·σ(z), t = e^(−z), is kept exactly:
      // t·a for a ≥ ½ (t ≤ 1), plain 1 − a below ½, where there is no cancellation.
      auto complement = ws.complements[l + 1].leftCols(m);
      const auto t = (-a.array()).exp().eval();
      a.array() = Scalar(1) / (Scalar(1) + t);
      complement.array() = (a.array() < Scalar(0.5)).select(Scalar(1) - a.array(), t * a.array());
    } else {
      a.array() = sigmoid(a.array());
    }
  }
  return ws.activations[layers()].leftCols(m);
}

template <typename Scalar>
Matrix<Scalar> BasicNetwork<Scalar>::feedforward(ConstMatrixRef<Scalar> x) const {
  Workspace<Scalar> ws = make_workspace(static_cast<std::size_t>(x.cols()));
  return feedforward(x, ws);
}

template <typename Scalar>
Scalar BasicNetwork<Scalar>::backprop(ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> y,
                                      Workspace<Scalar>& ws, Parameters<Scalar>& nabla) const {
  const Eigen::Index m = x.cols();
  const std::size_t last = layers() - 1;
  const auto output = forward(x, ws, true);
  const Scalar cost = quadratic_cost<Scalar>(output, y);

  // δ_L = (a_L − y) ⊙ σ'(z_L); then δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ σ'(z_l).
  quadratic_output_delta<Scalar>(output, ws.complements[last + 1].leftCols(m), y,
                                 ws.deltas[last].leftCols(m));
  for (std::size_t l = last + 1; l-- > 0;) {
    auto delta = ws.deltas[l].leftCols(m);
    // ∇b_l = Σ_x δ_l, ∇W_l = Σ_x δ_l a_{l−1}ᵀ = δ_l · A_{l−1}ᵀ
    nabla.biases(l).noalias() = delta.rowwise().sum();
    if (l == 0) {
      nabla.weights(l).noalias() = delta * x.transpose();
    } else {
      const auto a_prev = ws.activations[l].leftCols(m);
      nabla.weights(l).noalias() = delta * a_prev.transpose();
      auto delta_prev = ws.deltas[l - 1].leftCols(m);
      delta_prev.noalias() = parameters_.weights(l).transpose() * delta;
      delta_prev.array() *= a_prev.array() * ws.complements[l].leftCols(m).array();
    }
  }
  return cost;
}

template class BasicNetwork<float>;
template class BasicNetwork<double>;

}  // namespace digitnet
