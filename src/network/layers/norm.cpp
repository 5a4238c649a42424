// Batch normalisation's forward and backward passes.
#include "digitnet/network/layers/norm.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "network/activate.hpp"

namespace digitnet {
namespace {

// Σ a·b over n values added to *ab, and Σ a to *a_sum: Eigen's vectorised sums in Scalar per
// call (one example's values of a channel: tens to hundreds, so they stay short and exact
// enough), added up over the batch in double.
template <typename Scalar>
void add_sums(const Scalar* a, const Scalar* b, std::size_t n, double* a_sum, double* ab) {
  using Values = Eigen::Map<const Eigen::Array<Scalar, Eigen::Dynamic, 1>>;
  const Values x(a, static_cast<Eigen::Index>(n)), y(b, static_cast<Eigen::Index>(n));
  *a_sum += static_cast<double>(x.sum());
  *ab += static_cast<double>((x * y).sum());
}

// z = s·x + shift, then the activation (identity or ReLU), in training with f'(z) and the
// dropout mask, in one pass over an example's values of a channel; the choices are template
// arguments so that the loop has no branch and vectorises.
template <typename Scalar, bool relu, bool training, bool masked>
void normalise(const Scalar* __restrict x, std::size_t n, Scalar s, Scalar shift,
               Scalar* __restrict a, Scalar* __restrict derivative,
               const Scalar* __restrict mask) {
  for (std::size_t i = 0; i < n; ++i) {
    const Scalar z = s * x[i] + shift;
    Scalar value = z, slope = 1;
    if constexpr (relu) {
      slope = z > 0 ? Scalar(1) : Scalar(0);
      value = z > 0 ? z : Scalar(0);
    }
    if constexpr (masked) {
      value *= mask[i];
      slope *= mask[i];
    }
    a[i] = value;
    if constexpr (training) derivative[i] = slope;
  }
}

template <typename Scalar, bool relu>
void normalise(const Scalar* x, std::size_t n, Scalar s, Scalar shift, Scalar* a,
               Scalar* derivative, const Scalar* mask) {
  if (derivative == nullptr)
    normalise<Scalar, relu, false, false>(x, n, s, shift, a, derivative, mask);
  else if (mask == nullptr)
    normalise<Scalar, relu, true, false>(x, n, s, shift, a, derivative, mask);
  else
    normalise<Scalar, relu, true, true>(x, n, s, shift, a, derivative, mask);
}

}  // namespace

std::string NormKind::check(const LayerSpec& spec, Shape input, Shape* output) {
  if (!spec.numbers.empty())
    return "a normalisation layer takes no number (norm, or norm:relu)";
  if (!spec.options.empty())
    return "a normalisation layer takes no option '" + spec.options.front() + "'";
  if (spec.activation == Activation::softmax)
    return "a normalisation layer cannot end in softmax; put a dense softmax layer after it";
  if (input.size() < 1) return "a normalisation layer needs at least one input";
  *output = input;
  return "";
}

template <typename Scalar>
bool NormLayer<Scalar>::set_initial_values(Parameters<Scalar>& parameters) const {
  auto w = parameters.weights(this->index());
  w.col(0).setOnes();   // γ
  w.col(1).setZero();   // mean
  w.col(2).setOnes();   // variance
  parameters.biases(this->index()).setZero();  // β
  return true;
}

template <typename Scalar>
void NormLayer<Scalar>::add_batch_statistics(const Matrix<Scalar>& scratch, std::size_t m,
                                             std::span<double> sums) const {
  // Per channel, m·mean and m·(variance + mean²): their sums over batches give the mean and
  // the second moment of every value seen, batches weighted by their examples.
  const std::size_t c_count = channels();
  assert(sums.size() == statistics_size());
  for (std::size_t c = 0; c < c_count; ++c) {
    const double mean = static_cast<double>(scratch(static_cast<Eigen::Index>(c), 0));
    const double variance =
        static_cast<double>(scratch(static_cast<Eigen::Index>(c_count + c), 0));
    sums[c] += static_cast<double>(m) * mean;
    sums[c_count + c] += static_cast<double>(m) * (variance + mean * mean);
  }
}

template <typename Scalar>
void NormLayer<Scalar>::set_statistics(std::span<const double> sums, double examples,
                                       Parameters<Scalar>& parameters) const {
  assert(sums.size() == statistics_size() && examples > 0);
  auto w = parameters.weights(this->index());
  const std::size_t c_count = channels();
  for (std::size_t c = 0; c < c_count; ++c) {
    const double mean = sums[c] / examples;
    const double variance = std::max(0.0, sums[c_count + c] / examples - mean * mean);
    w(static_cast<Eigen::Index>(c), 1) = static_cast<Scalar>(mean);
    w(static_cast<Eigen::Index>(c), 2) = static_cast<Scalar>(variance);
  }
}

template <typename Scalar>
void NormLayer<Scalar>::forward(const Parameters<Scalar>& parameters, ForwardArgs<Scalar> args,
                                Team team) const {
  const Eigen::Index m = args.input.cols();
  const std::size_t n = plane(), c_count = channels();
  const auto w = parameters.weights(this->index());
  const auto beta = parameters.biases(this->index());
  const bool training = args.derivative != nullptr;
  assert(!training || args.scratch != nullptr);
  const Activation f = this->activation();
  // Identity and ReLU are applied in the pass that writes z (one pass over the output instead
  // of two); the others after it.
  const bool fused = f == Activation::identity || f == Activation::relu;
  const auto [c0, count] = team.of(static_cast<Eigen::Index>(c_count));
  for (Eigen::Index c = c0; c < c0 + count; ++c) {
    const std::size_t row = static_cast<std::size_t>(c) * n;
    double mean = static_cast<double>(w(c, 1)), variance = static_cast<double>(w(c, 2));
    if (training) {
      // The batch's mean and (biased) variance, from Σ x and Σ x² in double.
      double sum = 0, squares = 0;
      for (Eigen::Index e = 0; e < m; ++e) {
        const Scalar* x = args.input.col(e).data() + row;
        add_sums(x, x, n, &sum, &squares);
      }
      const double values = static_cast<double>(n) * static_cast<double>(m);
      mean = sum / values;
      variance = std::max(0.0, squares / values - mean * mean);
      (*args.scratch)(c, 0) = static_cast<Scalar>(mean);
      (*args.scratch)(static_cast<Eigen::Index>(c_count) + c, 0) = static_cast<Scalar>(variance);
    }
    // z = scale·x + shift.
    const double scale = static_cast<double>(w(c, 0)) / std::sqrt(variance + NormKind::epsilon);
    const auto s = static_cast<Scalar>(scale);
    const auto shift = static_cast<Scalar>(static_cast<double>(beta(c)) - mean * scale);
    for (Eigen::Index e = 0; e < m; ++e) {
      const Scalar* x = args.input.col(e).data() + row;
      Scalar* a = args.output.col(e).data() + row;
      if (!fused) {
        for (std::size_t i = 0; i < n; ++i) a[i] = s * x[i] + shift;
        continue;
      }
      Scalar* derivative = training ? args.derivative->col(e).data() + row : nullptr;
      const Scalar* mask =
          training && args.mask != nullptr ? args.mask->col(e).data() + row : nullptr;
      if (f == Activation::relu)
        normalise<Scalar, true>(x, n, s, shift, a, derivative, mask);
      else
        normalise<Scalar, false>(x, n, s, shift, a, derivative, mask);
    }
  }
  if (fused) return;
  const Eigen::Index first_row = c0 * static_cast<Eigen::Index>(n),
                     rows = count * static_cast<Eigen::Index>(n);
  activate_output(f, args, [&](auto&& matrix) { return matrix.middleRows(first_row, rows); });
}

template <typename Scalar>
Band NormLayer<Scalar>::backward(const Parameters<Scalar>& parameters,
                                 const BackwardArgs<Scalar>& args, Team team) const {
  assert(args.scratch != nullptr);
  const Eigen::Index m = args.input.cols();
  const std::size_t n = plane(), c_count = channels();
  const double values = static_cast<double>(n) * static_cast<double>(m);
  const auto w = parameters.weights(this->index());
  auto target_w = args.target->weights(this->index());
  auto target_b = args.target->biases(this->index());
  // Each thread reads and writes its own channels only: no barrier is needed even when the
  // target is the weights themselves.
  const auto [c0, count] = team.of(static_cast<Eigen::Index>(c_count));
  for (Eigen::Index c = c0; c < c0 + count; ++c) {
    const std::size_t row = static_cast<std::size_t>(c) * n;
    const double mean = static_cast<double>((*args.scratch)(c, 0));
    const double variance =
        static_cast<double>((*args.scratch)(static_cast<Eigen::Index>(c_count) + c, 0));
    const double inverse = 1 / std::sqrt(variance + NormKind::epsilon);
    // Σ δ and Σ δ·x, so Σ δ·(x − mean) = Σ δ·x − mean·Σ δ.
    double sum = 0, product = 0;
    for (Eigen::Index e = 0; e < m; ++e)
      add_sums(args.delta.col(e).data() + row, args.input.col(e).data() + row, n, &sum, &product);
    const double gamma = static_cast<double>(w(c, 0));
    const double gamma_gradient = (product - mean * sum) * inverse;  // Σ δ·x̂
    if (args.input_delta != nullptr) {
      // ∂C/∂x = a·δ + b·x + d, with a = γ/σ, b = −γ/σ·∇γ/(N·σ), d = −γ/σ·(∇β/N − mean·∇γ/(N·σ)).
      const double a = gamma * inverse;
      const double b = -a * gamma_gradient * inverse / values;
      const double d = -a * (sum / values) - b * mean;
      const auto sa = static_cast<Scalar>(a), sb = static_cast<Scalar>(b),
                 sd = static_cast<Scalar>(d);
      for (Eigen::Index e = 0; e < m; ++e) {
        const Scalar* delta = args.delta.col(e).data() + row;
        const Scalar* x = args.input.col(e).data() + row;
        Scalar* out = args.input_delta->col(e).data() + row;
        with_input_derivative(args, e, [&](auto derivative) {
          for (std::size_t i = 0; i < n; ++i)
            out[i] = (sa * delta[i] + sb * x[i] + sd) * derivative(row + i);
        });
      }
    }
    const auto g = static_cast<Scalar>(args.alpha * gamma_gradient);
    const auto bg = static_cast<Scalar>(args.alpha * sum);
    if (args.accumulate) {
      target_w(c, 0) += g;
      target_b(c) += bg;
    } else {
      target_w(c, 0) = g;
      target_w(c, 1) = 0;
      target_w(c, 2) = 0;
      target_b(c) = bg;
    }
  }
  return {c0, count};
}

template class NormLayer<float>;
template class NormLayer<double>;

}  // namespace digitnet
