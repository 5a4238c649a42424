// The convolution's forward and backward passes: im2col, then the packed GEMM.
#include "digitnet/network/layers/conv.hpp"

#include <algorithm>
#include <cassert>

#include "digitnet/kernels/gemm.hpp"
#include "digitnet/training/regularization.hpp"
#include "network/activate.hpp"

namespace digitnet {
namespace {

bool has_option(const LayerSpec& spec, const char* option) {
  return std::find(spec.options.begin(), spec.options.end(), option) != spec.options.end();
}

}  // namespace

std::string ConvKind::check(const LayerSpec& spec, Shape input, Shape* output) {
  const auto& n = spec.numbers;
  if ((n.size() != 2 && n.size() != 3) || n[0] < 1 || n[1] < 1)
    return "a convolution takes its maps and kernel size (conv:20x5 or conv:20x5x5)";
  if (n.size() == 3 && n[2] != n[1])
    return "a convolution's kernel is square: give conv:" + std::to_string(n[0]) + "x" +
           std::to_string(n[1]) + "x" + std::to_string(n[1]);
  for (const std::string& option : spec.options)
    if (option != "valid" && option != "same")
      return "a convolution takes the option valid or same, not '" + option + "'";
  if (spec.options.size() > 1) return "give one of valid and same";
  if (spec.activation == Activation::softmax)
    return "a convolution cannot end in softmax; put a dense softmax layer after it";
  const std::size_t k = n[1];
  if (has_option(spec, "same")) {
    if (k % 2 == 0) return "same padding needs an odd kernel size, not " + std::to_string(k);
    *output = {n[0], input.height, input.width};
  } else {
    if (k > input.height || k > input.width)
      return "a " + std::to_string(k) + "x" + std::to_string(k) +
             " kernel does not fit its input without padding (add :same)";
    *output = {n[0], input.height - k + 1, input.width - k + 1};
  }
  return "";
}

template <typename Scalar>
ConvLayer<Scalar>::ConvLayer(LayerSpec spec, Shape input, Shape output, std::size_t index)
    : Layer<Scalar>(std::move(spec), input, output, index),
      k_(this->spec().numbers[1]),
      pad_(has_option(this->spec(), "same") ? (k_ - 1) / 2 : 0) {}

template <typename Scalar>
void ConvLayer<Scalar>::im2col(const Scalar* x, Scalar* patches) const {
  const Shape in = this->input_shape();
  const Shape out = this->output_shape();
  const auto k = static_cast<std::ptrdiff_t>(k_), pad = static_cast<std::ptrdiff_t>(pad_);
  const auto h = static_cast<std::ptrdiff_t>(in.height), w = static_cast<std::ptrdiff_t>(in.width);
  for (std::ptrdiff_t oy = 0; oy < static_cast<std::ptrdiff_t>(out.height); ++oy)
    for (std::ptrdiff_t ox = 0; ox < static_cast<std::ptrdiff_t>(out.width); ++ox)
      for (std::size_t c = 0; c < in.channels; ++c) {
        const Scalar* channel = x + c * in.height * in.width;
        for (std::ptrdiff_t i = 0; i < k; ++i) {
          const std::ptrdiff_t y = oy + i - pad;
          for (std::ptrdiff_t j = 0; j < k; ++j) {
            const std::ptrdiff_t xx = ox + j - pad;
            *patches++ = y >= 0 && y < h && xx >= 0 && xx < w ? channel[y * w + xx] : Scalar(0);
          }
        }
      }
}

template <typename Scalar>
void ConvLayer<Scalar>::col2im(const Scalar* patches, Scalar* x) const {
  const Shape in = this->input_shape();
  const Shape out = this->output_shape();
  const auto k = static_cast<std::ptrdiff_t>(k_), pad = static_cast<std::ptrdiff_t>(pad_);
  const auto h = static_cast<std::ptrdiff_t>(in.height), w = static_cast<std::ptrdiff_t>(in.width);
  std::fill(x, x + in.size(), Scalar(0));
  for (std::ptrdiff_t oy = 0; oy < static_cast<std::ptrdiff_t>(out.height); ++oy)
    for (std::ptrdiff_t ox = 0; ox < static_cast<std::ptrdiff_t>(out.width); ++ox)
      for (std::size_t c = 0; c < in.channels; ++c) {
        Scalar* channel = x + c * in.height * in.width;
        for (std::ptrdiff_t i = 0; i < k; ++i) {
          const std::ptrdiff_t y = oy + i - pad;
          for (std::ptrdiff_t j = 0; j < k; ++j, ++patches) {
            const std::ptrdiff_t xx = ox + j - pad;
            if (y >= 0 && y < h && xx >= 0 && xx < w) channel[y * w + xx] += *patches;
          }
        }
      }
}

template <typename Scalar>
void ConvLayer<Scalar>::forward(const Parameters<Scalar>& parameters, ForwardArgs<Scalar> args,
                                Team team) const {
  assert(args.scratch != nullptr);
  const auto weights = parameters.weights(this->index());
  const auto biases = parameters.biases(this->index());
  const std::size_t p = positions(), n = patch(), f = maps();
  // This thread's examples [e0, e0 + count).
  const auto [e0, count] = team.of(args.input.cols());
  for (Eigen::Index e = e0; e < e0 + count; ++e) {
    Scalar* patches = args.scratch->col(e).data();
    im2col(args.input.col(e).data(), patches);
    Scalar* z = args.output.col(e).data();  // maps × P, row-major
    for (std::size_t map = 0; map < f; ++map) std::fill(z + map * p, z + (map + 1) * p, biases(map));
    // z (maps × P) += W (maps × n) · patchesᵀ (n × P).
    gemm<Scalar>(f, p, n, Scalar(1), {weights.data(), static_cast<std::ptrdiff_t>(n), 1},
                 {patches, 1, static_cast<std::ptrdiff_t>(n)}, z, p, true);
  }
  auto a = args.output.middleCols(e0, count);
  if (args.derivative != nullptr) {
    auto derivative = args.derivative->middleCols(e0, count);
    activate(this->activation(), a, &derivative);
    if (args.mask != nullptr) {
      const auto mask = args.mask->middleCols(e0, count);
      a.array() *= mask.array();
      derivative.array() *= mask.array();
    }
  } else {
    activate(this->activation(), a, static_cast<decltype(a)*>(nullptr));
  }
}

template <typename Scalar>
Band ConvLayer<Scalar>::backward(const Parameters<Scalar>& parameters,
                                 const BackwardArgs<Scalar>& args, Team team) const {
  assert(args.scratch != nullptr);
  const Eigen::Index m = args.input.cols();
  const std::size_t p = positions(), n = patch(), f = maps();
  const auto weights = parameters.weights(this->index());
  if (args.input_delta != nullptr) {
    const auto [e0, count] = team.of(m);
    for (Eigen::Index e = e0; e < e0 + count; ++e) {
      Scalar* patch_delta = args.scratch->col(e).data() + p * n;
      // ∂C/∂patches (P × n) = δ_eᵀ (P × maps) · W (maps × n).
      gemm<Scalar>(p, n, f, Scalar(1), {args.delta.col(e).data(), 1, static_cast<std::ptrdiff_t>(p)},
                   {weights.data(), static_cast<std::ptrdiff_t>(n), 1}, patch_delta, n, false);
      col2im(patch_delta, args.input_delta->col(e).data());
    }
    auto delta_prev = args.input_delta->middleCols(e0, count);
    delta_prev.array() *= args.input_derivative->middleCols(e0, count).array();
  }
  if (args.target_is_read) team.barrier();
  // target_w (+)= alpha·Σ_e δ_e·patches_e and target_b (+)= alpha·Σ_e Σ_p δ_e, by bands of maps,
  // the examples in their order.
  auto target_w = args.target->weights(this->index());
  auto target_b = args.target->biases(this->index());
  const auto [f0, rows] = team.of(static_cast<Eigen::Index>(f));
  if (rows == 0) return {f0, 0};
  if (args.penalty != nullptr) args.penalty->shrink(target_w.middleRows(f0, rows), args.eta);
  const auto band = static_cast<std::size_t>(rows);
  Scalar* w_band = target_w.data() + static_cast<std::size_t>(f0) * n;
  for (Eigen::Index e = 0; e < m; ++e) {
    const Scalar* delta = args.delta.col(e).data() + static_cast<std::size_t>(f0) * p;
    gemm<Scalar>(band, n, p, args.alpha, {delta, static_cast<std::ptrdiff_t>(p), 1},
                 {args.scratch->col(e).data(), static_cast<std::ptrdiff_t>(n), 1}, w_band, n,
                 args.accumulate || e > 0);
  }
  for (Eigen::Index map = f0; map < f0 + rows; ++map) {
    Scalar sum = 0;
    for (Eigen::Index e = 0; e < m; ++e) {
      const Scalar* delta = args.delta.col(e).data() + static_cast<std::size_t>(map) * p;
      for (std::size_t i = 0; i < p; ++i) sum += delta[i];
    }
    target_b(map) = (args.accumulate ? target_b(map) : Scalar(0)) + args.alpha * sum;
  }
  return {f0, rows};
}

template class ConvLayer<float>;
template class ConvLayer<double>;

}  // namespace digitnet
