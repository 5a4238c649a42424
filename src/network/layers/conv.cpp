// The convolution's forward and backward passes: the direct products of convolution.hpp, and
// the weight gradient through im2col and the packed GEMM.
#include "digitnet/network/layers/conv.hpp"

#include <algorithm>
#include <cassert>

#include "digitnet/kernels/convolution.hpp"
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

// The scratch of a batch of `capacity` examples for the weight gradient, one flat buffer (P =
// positions, n = patch):
//   patches  n × (capacity·P), row-major: example e's patches in columns [e·P, (e + 1)·P)
//   maps     maps × (capacity·P): δ, map-major
namespace {

template <typename Scalar>
struct ConvScratch {
  Scalar* patches;
  Scalar* maps;
  std::size_t ld;  // capacity·P, the row stride of all three
};

template <typename Scalar>
ConvScratch<Scalar> scratch_of(Matrix<Scalar>* scratch, std::size_t n, std::size_t p) {
  Scalar* base = scratch->data();
  const std::size_t ld = static_cast<std::size_t>(scratch->cols()) * p;
  return {base, base + n * ld, ld};
}

// How many examples backward takes at a time: about 512 KB of float patches (n·P values an
// example), so that a chunk's patches and δ stay in L2 between the steps.
Eigen::Index examples_per_chunk(std::size_t n, std::size_t p) {
  return static_cast<Eigen::Index>(std::max<std::size_t>(1, (std::size_t{1} << 17) / (n * p)));
}

}  // namespace

template <typename Scalar>
void ConvLayer<Scalar>::im2col(const Scalar* x, Scalar* patches, std::size_t ld) const {
  const Shape in = this->input_shape();
  const Shape out = this->output_shape();
  const auto k = static_cast<std::ptrdiff_t>(k_), pad = static_cast<std::ptrdiff_t>(pad_);
  const auto h = static_cast<std::ptrdiff_t>(in.height), w = static_cast<std::ptrdiff_t>(in.width);
  const auto oh = static_cast<std::ptrdiff_t>(out.height), ow = static_cast<std::ptrdiff_t>(out.width);
  for (std::size_t c = 0; c < in.channels; ++c) {
    const Scalar* channel = x + c * in.height * in.width;
    for (std::ptrdiff_t i = 0; i < k; ++i)
      for (std::ptrdiff_t j = 0; j < k; ++j, patches += ld) {
        // Columns ox in [lo, hi) read inside the image: x = ox + j − pad in [0, w).
        const std::ptrdiff_t lo = std::clamp<std::ptrdiff_t>(pad - j, 0, ow);
        const std::ptrdiff_t hi = std::clamp<std::ptrdiff_t>(w + pad - j, lo, ow);
        Scalar* row = patches;
        for (std::ptrdiff_t oy = 0; oy < oh; ++oy, row += ow) {
          const std::ptrdiff_t y = oy + i - pad;
          if (y < 0 || y >= h) {
            std::fill(row, row + ow, Scalar(0));
            continue;
          }
          std::fill(row, row + lo, Scalar(0));
          std::copy(channel + y * w + lo + j - pad, channel + y * w + hi + j - pad, row + lo);
          std::fill(row + hi, row + ow, Scalar(0));
        }
      }
  }
}

namespace {

// Σ of a row's n values in an order fixed by n alone: 16 running sums, then their total.
template <typename Scalar>
Scalar fixed_order_sum(const Scalar* row, std::size_t n) {
  Scalar lanes[16] = {};
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (std::size_t l = 0; l < 16; ++l) lanes[l] += row[i + l];
  for (std::size_t l = 0; i < n; ++i, ++l) lanes[l] += row[i];
  Scalar sum = 0;
  for (const Scalar lane : lanes) sum += lane;
  return sum;
}

}  // namespace

template <typename Scalar>
ConvGeometry ConvLayer<Scalar>::geometry() const {
  const Shape in = this->input_shape();
  return {in.channels, in.height, in.width, maps(), k_, pad_};
}

template <typename Scalar>
void ConvLayer<Scalar>::forward(const Parameters<Scalar>& parameters, ForwardArgs<Scalar> args,
                                Team team) const {
  const auto weights = parameters.weights(this->index());
  const auto biases = parameters.biases(this->index());
  // This thread's examples [e0, e0 + count): z = W·patches + b straight into the output columns
  // (convolution.hpp). ReLU without dropout (the modern recipes) is applied as they are written,
  // with its derivative: a second pass over z took a twelfth of fast-99's epoch.
  const auto [e0, count] = team.of(args.input.cols());
  if (count == 0) return;
  const bool fused = this->activation() == Activation::relu && args.mask == nullptr;
  ConvOutput<Scalar> out{args.output.col(e0).data(),
                         static_cast<std::size_t>(args.output.outerStride()), fused};
  if (fused && args.derivative != nullptr) {
    out.derivative = args.derivative->col(e0).data();
    out.derivative_stride = static_cast<std::size_t>(args.derivative->outerStride());
  }
  conv_forward<Scalar>(geometry(), weights.data(), biases.data(), args.input.col(e0).data(),
                       static_cast<std::size_t>(args.input.outerStride()), out,
                       static_cast<std::size_t>(count));
  if (fused) return;
  // (Copies of the bindings: clang before 16 cannot capture structured bindings.)
  const Eigen::Index first_example = e0, examples = count;
  activate_output(this->activation(), args,
                  [&](auto&& m) { return m.middleCols(first_example, examples); });
}

template <typename Scalar>
Band ConvLayer<Scalar>::backward(const Parameters<Scalar>& parameters,
                                 const BackwardArgs<Scalar>& args, Team team) const {
  assert(args.scratch != nullptr);
  const Eigen::Index m = args.input.cols();
  const std::size_t p = positions(), n = patch(), f = maps();
  const ConvScratch<Scalar> s = scratch_of(args.scratch, n, p);
  const auto weights = parameters.weights(this->index());
  // This thread's examples a chunk at a time: their patches (im2col) and δ in map-major order
  // for the weight gradient below, and ∂C/∂x = col2im(Wᵀ·δ) (convolution.hpp) times f'(z) of
  // the layer below, while the chunk is in L2. Every thread's share is in place before the
  // gradient.
  const auto [e0, count] = team.of(m);
  const Eigen::Index chunk = examples_per_chunk(n, p);
  for (Eigen::Index c0 = e0; c0 < e0 + count; c0 += chunk) {
    const Eigen::Index c1 = std::min(c0 + chunk, e0 + count);
    for (Eigen::Index e = c0; e < c1; ++e) {
      im2col(args.input.col(e).data(), s.patches + static_cast<std::size_t>(e) * p, s.ld);
      const Scalar* delta = args.delta.col(e).data();
      Scalar* to = s.maps + static_cast<std::size_t>(e) * p;
      for (std::size_t map = 0; map < f; ++map)
        std::copy(delta + map * p, delta + (map + 1) * p, to + map * s.ld);
    }
    if (args.input_delta == nullptr) continue;
    conv_input_gradient<Scalar>(geometry(), weights.data(), args.delta.col(c0).data(),
                                static_cast<std::size_t>(args.delta.outerStride()),
                                args.input_delta->col(c0).data(),
                                static_cast<std::size_t>(args.input_delta->outerStride()),
                                static_cast<std::size_t>(c1 - c0));
    auto delta_prev = args.input_delta->middleCols(c0, c1 - c0);
    delta_prev.array() *= args.input_derivative->middleCols(c0, c1 - c0).array();
  }
  // (One barrier: every thread has read the weights, for when the target is the parameters.)
  team.barrier();
  // target_w (+)= alpha·δ·patchesᵀ over every position of every example (K = m·P), and
  // target_b (+)= alpha·Σ δ, by bands of maps.
  auto target_w = args.target->weights(this->index());
  auto target_b = args.target->biases(this->index());
  const auto [f0, rows] = team.of(static_cast<Eigen::Index>(f));
  if (rows == 0) return {f0, 0};
  if (args.penalty != nullptr) args.penalty->shrink(target_w.middleRows(f0, rows), args.eta);
  const std::size_t positions_in_batch = static_cast<std::size_t>(m) * p;
  const Scalar* delta_band = s.maps + static_cast<std::size_t>(f0) * s.ld;
  gemm<Scalar>(static_cast<std::size_t>(rows), n, positions_in_batch, args.alpha,
               {delta_band, static_cast<std::ptrdiff_t>(s.ld), 1},
               {s.patches, 1, static_cast<std::ptrdiff_t>(s.ld)},
               target_w.data() + static_cast<std::size_t>(f0) * n, n, args.accumulate);
  for (Eigen::Index map = f0; map < f0 + rows; ++map) {
    const Scalar sum =
        fixed_order_sum(s.maps + static_cast<std::size_t>(map) * s.ld, positions_in_batch);
    target_b(map) = (args.accumulate ? target_b(map) : Scalar(0)) + args.alpha * sum;
  }
  return {f0, rows};
}

template class ConvLayer<float>;
template class ConvLayer<double>;

}  // namespace digitnet
