// Max-pooling (network3.py's pool_size, PyTorch's MaxPool2d(p)): each channel cut into p×p
// windows with stride p, each window replaced by its largest value. Spec: pool:P[xP]; the
// output is C × ⌊H/p⌋ × ⌊W/p⌋ (rows and columns left over at the bottom and right are dropped,
// as PyTorch does). No parameters, no activation (its values are its input's).
//
// Ties: the first largest value in the window, row by row, wins, and backward gives its δ to
// that one input only. Forward records, per output, where its maximum came from (the scratch);
// threads take whole examples.
#pragma once

#include "digitnet/network/layer.hpp"

namespace digitnet {

// The kind's registration (layer_registry.cpp).
struct PoolKind {
  static constexpr const char* name = "pool";
  static constexpr std::uint8_t id = 3;  // in model files: never renumber
  static constexpr bool takes_activation = false;
  // Why `spec` cannot follow `input`, or "" with the output shape in *output.
  static std::string check(const LayerSpec& spec, Shape input, Shape* output);
};

template <typename Scalar>
class PoolLayer final : public Layer<Scalar> {
 public:
  using Layer<Scalar>::Layer;

  ParameterBlock parameter_block() const override { return {0, 0}; }
  double fan_in() const override { return 0; }
  double fan_out() const override { return 0; }
  double flops_per_example() const override {
    return static_cast<double>(this->input_shape().size());
  }
  DerivativeRule derivative_rule() const override { return DerivativeRule::one; }
  // Per output, where its maximum came from: its index within the example's input (for 2 × 2
  // windows as max_pool_2x2 records it, with the ReLU rule's f'(z) in its sign).
  std::size_t scratch_rows() const override { return this->output_shape().size(); }
  bool computes_examples_alone() const override { return true; }

  // x: C×H×W × m; a: C×⌊H/p⌋×⌊W/p⌋ × m, each the maximum of its window.
  void forward(const Parameters<Scalar>& parameters, ForwardArgs<Scalar> args,
               Team team) const override;
  void forward_examples(const Parameters<Scalar>& parameters, ForwardArgs<Scalar> args,
                        Eigen::Index first, Eigen::Index count) const override;
  // ∂C/∂x: δ at each window's maximum, 0 elsewhere, then ⊙ f'(z) of the layer below.
  Band backward(const Parameters<Scalar>& parameters, const BackwardArgs<Scalar>& args,
                Team team) const override;
};

extern template class PoolLayer<float>;
extern template class PoolLayer<double>;

}  // namespace digitnet
