// Forward and backward passes of the seeds' network, a mini-batch at a time.
#include "digitnet/network/network.hpp"

#include <cassert>

#include "digitnet/kernels/gemm.hpp"
#include "digitnet/kernels/kernels.hpp"
#include "digitnet/core/random.hpp"
#include "digitnet/kernels/team.hpp"

namespace digitnet {
namespace {

// Which products go to the register-blocked kernels of kernels.hpp rather than the packed
// product of gemm.hpp: narrow batches, where packing costs more than the arithmetic
// (Backprop/30/10 in bench/kernels_bench: 40 µs with Eigen's packed product, about 20 µs with
// the kernels). The seeds' canonical run (batch 10) takes this path.
bool use_kernels(Eigen::Index m) { return m <= 16; }

// A column-major matrix read as its transpose, as an operand of gemm.
template <typename M>
Operand<typename M::Scalar> transposed(const M& x) {
  return {x.data(), x.outerStride(), 1};
}

// a ← f(a) in place for every activation but softmax; with `derivative`, also f'(z) there.
template <typename A, typename D>
void activate(Activation f, A&& a, D* derivative) {
  using Scalar = typename std::remove_reference_t<A>::Scalar;
  switch (f) {
    case Activation::sigmoid:
      if (derivative != nullptr) {
        // σ'(z) = σ(z)(1 − σ(z)). Computed as 1 − a in float, 1 − σ(z) is exactly 0 once
        // z > 17 and a saturated neuron stops learning for good (float64, the seeds' precision,
        // keeps it alive until z > 37). So 1 − σ(z) = σ(−z) = t·σ(z), t = e^(−z), is kept
        // exactly: t·a for a ≥ ½ (t ≤ 1), plain 1 − a below ½, where there is no cancellation.
        // t is kept in `derivative` until it is replaced (a temporary would allocate).
        auto t = derivative->array();
        t = (-a.array()).exp();
        a.array() = Scalar(1) / (Scalar(1) + t);
        for (Eigen::Index j = 0; j < a.cols(); ++j)
          sigmoid_derivative(&a.coeffRef(0, j), &derivative->coeffRef(0, j),
                             static_cast<std::size_t>(a.rows()));
      } else {
        a.array() = Scalar(1) / (Scalar(1) + (-a.array()).exp());
      }
      break;
    case Activation::tanh:
      a.array() = a.array().tanh();
      if (derivative != nullptr)
        derivative->array() = (Scalar(1) - a.array()) * (Scalar(1) + a.array());
      break;
    case Activation::relu:
      if (derivative != nullptr)
        derivative->array() = (a.array() > Scalar(0)).template cast<Scalar>();
      a.array() = a.array().max(Scalar(0));
      break;
    case Activation::identity:
      if (derivative != nullptr) derivative->setOnes();
      break;
    case Activation::softmax:
      assert(false && "softmax is applied to whole columns");
      break;
  }
}

// Each column of a ← softmax(column), shifted by its maximum so that e^z cannot overflow.
template <typename A>
void softmax_columns(A&& a) {
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    auto column = a.col(j);
    column.array() = (column.array() - column.maxCoeff()).exp();
    column /= column.sum();
  }
}

}  // namespace

template <typename Scalar>
BasicNetwork<Scalar>::BasicNetwork(Architecture arch)
    : parameters_(std::move(arch.sizes)),
      activations_(std::move(arch.activations)),
      cost_(arch.cost) {
  assert(architecture_problem(architecture()).empty());
}

template <typename Scalar>
BasicNetwork<Scalar>::BasicNetwork(Architecture arch, std::uint64_t seed, Init init)
    : BasicNetwork(std::move(arch)) {
  Rng rng(seed);
  // Layer by layer: the weights row by row (their order in memory), then the biases.
  for (std::size_t l = 0; l < layers(); ++l) {
    const auto n_in = static_cast<double>(sizes()[l]);
    const auto n_out = static_cast<double>(sizes()[l + 1]);
    const double w_scale = weight_stddev(init, n_in, n_out);
    const double b_scale = bias_stddev(init);
    // In memory order (row-major: row by row), not Eigen's default column-major reshaped().
    auto weights = parameters_.weights(l);
    for (Scalar* w = weights.data(); w != weights.data() + weights.size(); ++w)
      *w = static_cast<Scalar>(w_scale * rng.normal());
    for (Scalar& b : parameters_.biases(l)) b = static_cast<Scalar>(b_scale * rng.normal());
  }
}

template <typename Scalar>
BasicNetwork<Scalar>::BasicNetwork(std::vector<std::size_t> sizes)
    : BasicNetwork(Architecture::seeds(std::move(sizes))) {}

template <typename Scalar>
BasicNetwork<Scalar>::BasicNetwork(std::vector<std::size_t> sizes, std::uint64_t seed)
    : BasicNetwork(Architecture::seeds(std::move(sizes)), seed) {}

template <typename Scalar>
Workspace<Scalar> BasicNetwork<Scalar>::make_workspace(std::size_t capacity, int threads) const {
  Workspace<Scalar> ws;
  ws.capacity = capacity;
  // Threads meet at a barrier per layer and share cache lines at band edges: for a small batch
  // of a small network that costs more than it saves (bench/kernels_bench Backprop/30/10/2 took
  // 40 µs against 24 µs for one thread), so below a few MFLOP per batch one thread does it all.
  double flops = 0;
  for (std::size_t l = 0; l < layers(); ++l) flops += 2.0 * sizes()[l] * sizes()[l + 1];
  ws.threads = flops * static_cast<double>(capacity) >= 8e6 ? std::max(1, threads) : 1;
  const auto n = static_cast<Eigen::Index>(capacity);
  ws.activations.resize(layers() + 1);
  ws.derivatives.resize(layers() + 1);
  ws.deltas.resize(layers());
  ws.masks.resize(layers());
  for (std::size_t l = 0; l < layers(); ++l) {
    const auto rows = static_cast<Eigen::Index>(sizes()[l + 1]);
    ws.activations[l + 1].resize(rows, n);
    ws.derivatives[l + 1].resize(rows, n);
    ws.deltas[l].resize(rows, n);
  }
  return ws;
}

template <typename Scalar>
ConstMatrixRef<Scalar> BasicNetwork<Scalar>::layer_input(ConstMatrixRef<Scalar> x,
                                                         const Workspace<Scalar>& ws,
                                                         std::size_t l) const {
  if (l == 0) return x;
  return ws.activations[l].leftCols(x.cols());
}

template <typename Scalar>
void BasicNetwork<Scalar>::forward_layers(ConstMatrixRef<Scalar> x, Workspace<Scalar>& ws,
                                          bool training, Team team) const {
  const Eigen::Index m = x.cols();
  for (std::size_t l = 0; l < layers(); ++l) {
    // a_prev: sizes[l] x m, weights: sizes[l+1] x sizes[l], a: sizes[l+1] x m; this thread
    // computes the rows [r0, r0 + rows) of a.
    const ConstMatrixRef<Scalar> a_prev = layer_input(x, ws, l);
    const auto weights = parameters_.weights(l);
    const auto biases = parameters_.biases(l);
    const auto [r0, rows] = team.of(weights.rows());
    auto a = ws.activations[l + 1].leftCols(m).middleRows(r0, rows);
    const auto n_in = static_cast<std::size_t>(weights.cols());
    if (use_kernels(m) && a_prev.outerStride() == a_prev.rows()) {
      dense_forward(weights.data() + r0 * weights.cols(), biases.data() + r0, a_prev.data(),
                    ws.activations[l + 1].data() + r0, static_cast<std::size_t>(rows), n_in,
                    static_cast<std::size_t>(m), static_cast<std::size_t>(weights.rows()));
    } else {
      // aᵀ = biases + a_prevᵀ·W_bandᵀ, computed as the transpose so that a's columns are rows.
      a.colwise() = biases.segment(r0, rows);
      gemm<Scalar>(static_cast<std::size_t>(m), static_cast<std::size_t>(rows), n_in, Scalar(1),
                   transposed(a_prev),
                   {weights.data() + r0 * weights.cols(), 1, weights.cols()}, a.data(),
                   static_cast<std::size_t>(a.outerStride()), true);
    }
    if (activations_[l] == Activation::softmax) {
      // Whole columns: one thread, after all have written their rows of z.
      team.barrier();
      if (team.thread == 0) softmax_columns(ws.activations[l + 1].leftCols(m));
    } else if (training) {
      auto derivative = ws.derivatives[l + 1].leftCols(m).middleRows(r0, rows);
      activate(activations_[l], a, &derivative);
      if (ws.dropout && l + 1 < layers()) {
        const auto mask = ws.masks[l + 1].leftCols(m).middleRows(r0, rows);
        a.array() *= mask.array();
        derivative.array() *= mask.array();
      }
    } else {
      activate(activations_[l], a, static_cast<decltype(a)*>(nullptr));
    }
    team.barrier();
  }
}

template <typename Scalar>
MatrixRef<Scalar> BasicNetwork<Scalar>::feedforward(ConstMatrixRef<Scalar> x,
                                                    Workspace<Scalar>& ws) const {
  assert(x.rows() == static_cast<Eigen::Index>(input_size()));
  assert(x.cols() <= static_cast<Eigen::Index>(ws.capacity));
  run_team(ws.threads, [&](Team team) { forward_layers(x, ws, false, team); });
  return ws.activations[layers()].leftCols(x.cols());
}

template <typename Scalar>
Matrix<Scalar> BasicNetwork<Scalar>::feedforward(ConstMatrixRef<Scalar> x) const {
  Workspace<Scalar> ws = make_workspace(static_cast<std::size_t>(x.cols()));
  return feedforward(x, ws);
}

template <typename Scalar>
void BasicNetwork<Scalar>::backward(ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> y,
                                    Workspace<Scalar>& ws, Team team, Parameters<Scalar>& target,
                                    Scalar alpha, bool accumulate,
                                    const Regularization* penalty, Scalar eta,
                                    const LayerUpdate* update) const {
  const Eigen::Index m = x.cols();
  const std::size_t last = layers() - 1;
  // δ_L = ∂C/∂z_L, by bands of output rows.
  {
    const auto [r0, rows] = team.of(static_cast<Eigen::Index>(output_size()));
    output_delta<Scalar>(cost_, ws.activations[last + 1].leftCols(m).middleRows(r0, rows),
                         ws.derivatives[last + 1].leftCols(m).middleRows(r0, rows),
                         y.middleRows(r0, rows), ws.deltas[last].leftCols(m).middleRows(r0, rows));
    team.barrier();
  }
  for (std::size_t l = last + 1; l-- > 0;) {
    const auto delta = ws.deltas[l].leftCols(m);
    const ConstMatrixRef<Scalar> a_prev = layer_input(x, ws, l);
    if (l > 0) {
      // δ_{l−1} = (W_lᵀ δ_l) ⊙ f'(z_{l−1}), by bands of rows of δ_{l−1}.
      const auto [k0, inputs] = team.of(static_cast<Eigen::Index>(sizes()[l]));
      auto delta_prev = ws.deltas[l - 1].leftCols(m).middleRows(k0, inputs);
      const auto weights = parameters_.weights(l);
      if (use_kernels(m)) {
        delta_prev.noalias() = weights.middleCols(k0, inputs).transpose() * delta;
      } else {
        // δ_prevᵀ = δᵀ·W(:, band).
        gemm<Scalar>(static_cast<std::size_t>(m), static_cast<std::size_t>(inputs),
                     static_cast<std::size_t>(weights.rows()), Scalar(1), transposed(delta),
                     {weights.data() + k0, weights.cols(), 1}, delta_prev.data(),
                     static_cast<std::size_t>(delta_prev.outerStride()), false);
      }
      delta_prev.array() *= ws.derivatives[l].leftCols(m).middleRows(k0, inputs).array();
    }
    // When the target or the update is the weights themselves, every thread must have read W_l
    // first.
    if (accumulate || update != nullptr) team.barrier();
    // target_w (+)= alpha·δ_l·A_{l−1}ᵀ, target_b (+)= alpha·Σ_x δ_l, by bands of rows of W_l.
    auto target_w = target.weights(l);
    auto target_b = target.biases(l);
    const auto [r0, rows] = team.of(target_w.rows());
    if (penalty != nullptr) penalty->shrink(target_w.middleRows(r0, rows), eta);
    if (use_kernels(m) && a_prev.outerStride() == a_prev.rows()) {
      weight_gradient(delta.data() + r0, a_prev.data(), target_w.data() + r0 * target_w.cols(),
                      target_b.data() + r0, static_cast<std::size_t>(rows),
                      static_cast<std::size_t>(target_w.cols()), static_cast<std::size_t>(m),
                      static_cast<std::size_t>(target_w.rows()), alpha, accumulate);
    } else {
      auto b = target_b.segment(r0, rows);
      if (!accumulate) b.setZero();
      b.noalias() += alpha * delta.middleRows(r0, rows).rowwise().sum();
      // W_band (+)= alpha·δ_band·A_prevᵀ (W is row-major).
      const auto n_in = static_cast<std::size_t>(target_w.cols());
      gemm<Scalar>(static_cast<std::size_t>(rows), n_in, static_cast<std::size_t>(m), alpha,
                   {delta.data() + r0, 1, delta.outerStride()}, transposed(a_prev),
                   target_w.data() + static_cast<std::size_t>(r0) * n_in, n_in, accumulate);
    }
    if (update != nullptr) (*update)(l, r0, rows);
    team.barrier();
  }
}

template <typename Scalar>
Scalar BasicNetwork<Scalar>::backprop(ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> y,
                                      Workspace<Scalar>& ws, Parameters<Scalar>& nabla) const {
  assert(x.rows() == static_cast<Eigen::Index>(input_size()));
  assert(x.cols() <= static_cast<Eigen::Index>(ws.capacity));
  run_team(ws.threads, [&](Team team) {
    forward_layers(x, ws, true, team);
    backward(x, y, ws, team, nabla, Scalar(1), false);
  });
  return total_cost<Scalar>(cost_, ws.activations[layers()].leftCols(x.cols()), y);
}

template <typename Scalar>
Scalar BasicNetwork<Scalar>::backprop_update(ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> y,
                                             Workspace<Scalar>& ws, Parameters<Scalar>& nabla,
                                             const LayerUpdate& update, Scalar scale) {
  assert(x.rows() == static_cast<Eigen::Index>(input_size()));
  assert(x.cols() <= static_cast<Eigen::Index>(ws.capacity));
  run_team(ws.threads, [&](Team team) {
    forward_layers(x, ws, true, team);
    backward(x, y, ws, team, nabla, scale, false, nullptr, Scalar(0), &update);
  });
  return total_cost<Scalar>(cost_, ws.activations[layers()].leftCols(x.cols()), y);
}

template <typename Scalar>
Scalar BasicNetwork<Scalar>::sgd_step(ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> y,
                                      Workspace<Scalar>& ws, Scalar eta,
                                      const Regularization& penalty) {
  assert(x.rows() == static_cast<Eigen::Index>(input_size()));
  assert(x.cols() <= static_cast<Eigen::Index>(ws.capacity));
  const Scalar alpha = -eta / static_cast<Scalar>(x.cols());
  run_team(ws.threads, [&](Team team) {
    forward_layers(x, ws, true, team);
    backward(x, y, ws, team, parameters_, alpha, true, penalty.active() ? &penalty : nullptr,
             eta);
  });
  // The cost of the forward pass, before the update (as backprop reports it).
  return total_cost<Scalar>(cost_, ws.activations[layers()].leftCols(x.cols()), y);
}

template class BasicNetwork<float>;
template class BasicNetwork<double>;

}  // namespace digitnet
