// The dense layer's forward and backward passes: today's kernels of the seeds' network.
#include "digitnet/network/layers/dense.hpp"

#include "digitnet/kernels/gemm.hpp"
#include "digitnet/kernels/kernels.hpp"
#include "digitnet/training/regularization.hpp"
#include "network/activate.hpp"

namespace digitnet {
namespace {

// Which products go to the register-blocked kernels of kernels.hpp rather than the packed
// product of gemm.hpp: narrow batches, where packing costs more than the arithmetic
// (Backprop/30/10 in bench/kernels_bench: 40 µs with Eigen's packed product, about 20 µs with
// the kernels). The seeds' canonical run (batch 10) takes this path.
bool use_kernels(Eigen::Index m) { return m <= 16; }

// Whether the team splits a layer's forward pass, and δ for the layer below, by examples rather
// than by bands of rows: when its weights are few enough for every core to read them all (at
// most 2^17, 512 KB of floats, a quarter of a core's L2 here). Each thread then packs only its
// own examples for the product, where it had packed all of them (half of them written by the
// other core), and a layer of few neurons no longer fills a few of each tile's 32 columns
// (fast-99's last layer: 5 rows a thread, then one thread's softmax after a barrier); δ below
// is written by the thread whose examples the layer below (pooling, a convolution) reads.
// Larger layers keep their band of the weights in their own core's cache. The same sums
// either way: gemm computes each element alike whatever the split.
bool by_examples(Eigen::Index m, Eigen::Index weights) {
  return !use_kernels(m) && weights <= (Eigen::Index(1) << 17);
}

// A column-major matrix read as its transpose, as an operand of gemm.
template <typename M>
Operand<typename M::Scalar> transposed(const M& x) {
  return {x.data(), x.outerStride(), 1};
}

}  // namespace

std::string DenseKind::check(const LayerSpec& spec, Shape input, Shape* output) {
  if (spec.numbers.size() != 1 || spec.numbers[0] < 1)
    return "a dense layer takes one number, its neurons (dense:100)";
  if (!spec.options.empty())
    return "a dense layer takes no option '" + spec.options.front() + "'";
  if (input.size() < 1) return "a dense layer needs at least one input";
  *output = flat_shape(spec.numbers[0]);
  return "";
}

template <typename Scalar>
void DenseLayer<Scalar>::forward(const Parameters<Scalar>& parameters,
                                 ForwardArgs<Scalar> args, Team team) const {
  const Eigen::Index m = args.input.cols();
  const ConstMatrixRef<Scalar>& a_prev = args.input;
  const auto weights = parameters.weights(this->index());
  const auto biases = parameters.biases(this->index());
  if (by_examples(m, weights.size())) {
    // This thread computes the examples [e0, e0 + count) of a, as below.
    const auto [e0, count] = team.of(m);
    auto a = args.output.middleCols(e0, count);
    a.colwise() = biases;
    gemm<Scalar>(static_cast<std::size_t>(count), static_cast<std::size_t>(weights.rows()),
                 static_cast<std::size_t>(weights.cols()), Scalar(1),
                 transposed(a_prev.middleCols(e0, count)), {weights.data(), 1, weights.cols()},
                 a.data(), static_cast<std::size_t>(a.outerStride()), true);
    if (this->activation() == Activation::softmax) {
      softmax_columns(a);
    } else {
      const Eigen::Index first_example = e0, examples = count;  // (clang < 16: see below)
      activate_output(this->activation(), args,
                      [&](auto&& x) { return x.middleCols(first_example, examples); });
    }
    return;
  }
  // This thread computes the rows [r0, r0 + rows) of a.
  const auto [r0, rows] = team.of(weights.rows());
  auto a = args.output.middleRows(r0, rows);
  const auto n_in = static_cast<std::size_t>(weights.cols());
  if (use_kernels(m) && a_prev.outerStride() == a_prev.rows()) {
    dense_forward(weights.data() + r0 * weights.cols(), biases.data() + r0, a_prev.data(),
                  args.output.data() + r0, static_cast<std::size_t>(rows), n_in,
                  static_cast<std::size_t>(m), static_cast<std::size_t>(args.output.outerStride()));
  } else {
    // aᵀ = biases + a_prevᵀ·W_bandᵀ, computed as the transpose so that a's columns are rows.
    a.colwise() = biases.segment(r0, rows);
    gemm<Scalar>(static_cast<std::size_t>(m), static_cast<std::size_t>(rows), n_in, Scalar(1),
                 transposed(a_prev), {weights.data() + r0 * weights.cols(), 1, weights.cols()},
                 a.data(), static_cast<std::size_t>(a.outerStride()), true);
  }
  if (this->activation() == Activation::softmax) {
    // Whole columns: one thread, after all have written their rows of z.
    team.barrier();
    if (team.thread == 0) softmax_columns(args.output);
  } else {
    const Eigen::Index first_row = r0, band = rows;  // (clang < 16: no captured bindings)
    activate_output(this->activation(), args,
                    [&](auto&& m) { return m.middleRows(first_row, band); });
  }
}

template <typename Scalar>
Band DenseLayer<Scalar>::backward(const Parameters<Scalar>& parameters,
                                  const BackwardArgs<Scalar>& args, Team team) const {
  const Eigen::Index m = args.input.cols();
  const ConstMatrixRef<Scalar>& delta = args.delta;
  const ConstMatrixRef<Scalar>& a_prev = args.input;
  const auto weights = parameters.weights(this->index());
  if (args.input_delta != nullptr && by_examples(m, weights.size())) {
    // δ_prev = (Wᵀ δ) ⊙ f'(z_prev) for this thread's examples: δ_prevᵀ = δᵀ·W.
    const auto [e0, count] = team.of(m);
    auto delta_prev = args.input_delta->middleCols(e0, count);
    gemm<Scalar>(static_cast<std::size_t>(count), static_cast<std::size_t>(weights.cols()),
                 static_cast<std::size_t>(weights.rows()), Scalar(1),
                 transposed(delta.middleCols(e0, count)), {weights.data(), weights.cols(), 1},
                 delta_prev.data(), static_cast<std::size_t>(delta_prev.outerStride()), false);
    const Eigen::Index first_example = e0, examples = count;  // (clang < 16: see below)
    times_input_derivative(delta_prev, args, [&](const auto& below) {
      return below.middleCols(first_example, examples);
    });
  } else if (args.input_delta != nullptr) {
    // δ_prev = (Wᵀ δ) ⊙ f'(z_prev), by bands of rows of δ_prev.
    const auto [k0, inputs] = team.of(static_cast<Eigen::Index>(this->input_shape().size()));
    auto delta_prev = args.input_delta->middleRows(k0, inputs);
    if (use_kernels(m)) {
      delta_prev.noalias() = weights.middleCols(k0, inputs).transpose() * delta;
    } else {
      // δ_prevᵀ = δᵀ·W(:, band).
      gemm<Scalar>(static_cast<std::size_t>(m), static_cast<std::size_t>(inputs),
                   static_cast<std::size_t>(weights.rows()), Scalar(1), transposed(delta),
                   {weights.data() + k0, weights.cols(), 1}, delta_prev.data(),
                   static_cast<std::size_t>(delta_prev.outerStride()), false);
    }
    const Eigen::Index first_row = k0, rows = inputs;  // (clang < 16: no captured bindings)
    times_input_derivative(delta_prev, args, [&](const auto& below) {
      return below.leftCols(m).middleRows(first_row, rows);
    });
  }
  if (args.target_is_read) team.barrier();
  // target_w (+)= alpha·δ·A_prevᵀ, target_b (+)= alpha·Σ_x δ, by bands of rows of W.
  auto target_w = args.target->weights(this->index());
  auto target_b = args.target->biases(this->index());
  const auto [r0, rows] = team.of(target_w.rows());
  if (args.penalty != nullptr) args.penalty->shrink(target_w.middleRows(r0, rows), args.eta);
  const auto n_in = static_cast<std::size_t>(target_w.cols());
  if (use_kernels(m) && a_prev.outerStride() == a_prev.rows()) {
    weight_gradient(delta.data() + r0, a_prev.data(), target_w.data() + r0 * target_w.cols(),
                    target_b.data() + r0, static_cast<std::size_t>(rows), n_in,
                    static_cast<std::size_t>(m), static_cast<std::size_t>(delta.outerStride()),
                    args.alpha, args.accumulate);
  } else {
    bias_gradient(delta.data() + r0, target_b.data() + r0, static_cast<std::size_t>(rows),
                  static_cast<std::size_t>(m), static_cast<std::size_t>(delta.outerStride()),
                  args.alpha, args.accumulate);
    // W_band (+)= alpha·δ_band·A_prevᵀ (W is row-major).
    gemm<Scalar>(static_cast<std::size_t>(rows), n_in, static_cast<std::size_t>(m), args.alpha,
                 {delta.data() + r0, 1, delta.outerStride()}, transposed(a_prev),
                 target_w.data() + static_cast<std::size_t>(r0) * n_in, n_in, args.accumulate);
  }
  return {r0, rows};
}

template class DenseLayer<float>;
template class DenseLayer<double>;

}  // namespace digitnet
