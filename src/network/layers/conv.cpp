// The convolution's forward and backward passes: the direct products of convolution.hpp.
#include "digitnet/network/layers/conv.hpp"

#include <algorithm>
#include <tuple>
#include <vector>

#include "digitnet/kernels/convolution.hpp"
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
ConvGeometry ConvLayer<Scalar>::geometry() const {
  const Shape in = this->input_shape();
  return {in.channels, in.height, in.width, maps(), k_, pad_};
}

template <typename Scalar>
std::size_t ConvLayer<Scalar>::scratch_rows() const {
  return conv_weight_gradient_shared_per_example<Scalar>(geometry());
}

template <typename Scalar>
void ConvLayer<Scalar>::forward(const Parameters<Scalar>& parameters, ForwardArgs<Scalar> args,
                                Team team) const {
  const auto [e0, count] = team.of(args.input.cols());
  forward_examples(parameters, args, e0, count);
}

template <typename Scalar>
void ConvLayer<Scalar>::forward_examples(const Parameters<Scalar>& parameters,
                                         ForwardArgs<Scalar> args, Eigen::Index e0,
                                         Eigen::Index count) const {
  const auto weights = parameters.weights(this->index());
  const auto biases = parameters.biases(this->index());
  // The examples [e0, e0 + count): z = W·patches + b straight into the output columns
  // (convolution.hpp). ReLU without dropout (the modern recipes) is applied as they are written,
  // with its derivative: a second pass over z took a twelfth of fast-99's epoch.
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
  activate_output(this->activation(), args, [&](auto&& m) { return m.middleCols(e0, count); });
}

template <typename Scalar>
Band ConvLayer<Scalar>::backward(const Parameters<Scalar>& parameters,
                                 const BackwardArgs<Scalar>& args, Team team) const {
  const Eigen::Index m = args.input.cols();
  const auto weights = parameters.weights(this->index());
  // This thread's examples: ∂C/∂x = col2im(Wᵀ·δ) (convolution.hpp), times f'(z) of the layer
  // below.
  const auto [e0, count] = team.of(m);
  if (args.input_delta != nullptr && count > 0) {
    conv_input_gradient<Scalar>(geometry(), weights.data(), args.delta.col(e0).data(),
                                static_cast<std::size_t>(args.delta.outerStride()),
                                args.input_delta->col(e0).data(),
                                static_cast<std::size_t>(args.input_delta->outerStride()),
                                static_cast<std::size_t>(count));
    const Eigen::Index first = e0, examples = count;  // (clang < 16: no captured bindings)
    times_input_derivative(args.input_delta->middleCols(e0, count), args,
                           [&](const auto& below) { return below.middleCols(first, examples); });
  }
  // (One barrier: every thread has read the weights, for when the target is the parameters.)
  team.barrier();
  // target_w (+)= alpha·δ·patchesᵀ over every position of every example (K = m·P), and
  // target_b (+)= alpha·Σ δ, by bands of maps: each thread returns its band, and the update
  // that follows reads only that band.
  auto target_w = args.target->weights(this->index());
  auto target_b = args.target->biases(this->index());
  const auto [f0, rows] = team.of(static_cast<Eigen::Index>(maps()));
  if (args.penalty != nullptr && rows > 0)
    args.penalty->shrink(target_w.middleRows(f0, rows), args.eta);
  // Σ δ of this thread's band of maps, for the biases.
  thread_local std::vector<Scalar> delta_sums;  // (grown once: training allocates nothing)
  delta_sums.resize(static_cast<std::size_t>(rows));
  // When every map fits in one vector (fast-99's layers: 16 maps, 512-bit vectors), bands of
  // maps would leave lanes of each thread's vectors empty: the threads then split the positions
  // instead, each summing the slices of K that its examples' δ holds, and add the slices' sums up
  // in order (the same sums: conv_weight_gradient_partials). Splitting the patch's elements
  // instead made every thread read and transpose all of δ (11% of fast-99's epoch; now 6%).
  if (team.threads > 1 && maps() <= conv_weight_gradient_lanes<Scalar>()) {
    const ConvGeometry g = geometry();
    const auto examples = static_cast<std::size_t>(m);
    const auto delta_stride = static_cast<std::size_t>(args.delta.outerStride());
    Scalar* shared = args.scratch->data();
    const auto [s0, slices] =
        team.of(static_cast<Eigen::Index>(conv_weight_gradient_slices(g, examples)));
    const auto first_slice = static_cast<std::size_t>(s0);
    const auto count = static_cast<std::size_t>(slices);
    // (Σ δ's running sums start with the first thread's positions.)
    conv_weight_gradient_partials(g, args.input.data(),
                                  static_cast<std::size_t>(args.input.outerStride()),
                                  args.delta.data(), delta_stride, examples, first_slice, count,
                                  team.thread == 0, shared);
    team.barrier();  // every slice summed, every band shrunk
    const auto [p0, elements] = team.of(static_cast<Eigen::Index>(patch()));
    conv_weight_gradient_combine(g, examples, shared, static_cast<std::size_t>(p0),
                                 static_cast<std::size_t>(elements), args.alpha, args.accumulate,
                                 target_w.data());
    for (int t = 1; t < team.threads; ++t) {  // the others' positions, in turn
      if (team.thread == t)
        conv_delta_running_sums(g, args.delta.data(), delta_stride, examples, first_slice, count,
                                shared);
      team.barrier();  // (the last: every element written before the bands are updated)
    }
    conv_delta_sums(g, shared, static_cast<std::size_t>(f0),
                    static_cast<std::size_t>(rows), delta_sums.data());
  } else if (rows > 0) {
    conv_weight_gradient<Scalar>(
        geometry(), args.input.data(), static_cast<std::size_t>(args.input.outerStride()),
        args.delta.data(), static_cast<std::size_t>(args.delta.outerStride()),
        static_cast<std::size_t>(m), static_cast<std::size_t>(f0), static_cast<std::size_t>(rows),
        args.alpha, args.accumulate,
        target_w.data() + static_cast<std::size_t>(f0) * patch(), delta_sums.data());
  }
  for (Eigen::Index map = f0; map < f0 + rows; ++map) {
    const Scalar sum = delta_sums[static_cast<std::size_t>(map - f0)];
    target_b(map) = (args.accumulate ? target_b(map) : Scalar(0)) + args.alpha * sum;
  }
  return {f0, rows};
}

template class ConvLayer<float>;
template class ConvLayer<double>;

}  // namespace digitnet
