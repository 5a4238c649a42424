// A 2-D convolution (the book's ConvPoolLayer without its pooling, network3.py; PyTorch's
// Conv2d with stride 1): `maps` feature maps, each a k×k kernel over all input channels plus a
// bias, then the activation. Spec: conv:MAPSxK[xK][:activation][:valid|:same]; "valid" (the
// default) keeps only the positions where the kernel lies inside the image, (H−k+1)×(W−k+1);
// "same" pads the input with (k−1)/2 zeros on each side (k odd) so that the output is H×W.
// Parameters: W, maps × (C·k·k) row-major, element (f, (c·k + i)·k + j) the weight of input
// channel c at kernel row i, column j (PyTorch's weight[f][c][i][j]), and b, maps.
//
// z = W·patches, ∂C/∂x = col2im(Wᵀ·δ) and ∇W = δ·patchesᵀ (summed over every position of
// every example, K = m·P) are computed directly on the images (kernels/convolution.hpp), with
// no patches in memory; they give the numbers that im2col and the packed GEMM gave, bit for
// bit. Threads take whole examples in forward and for ∂C/∂x, and bands of maps for the
// gradient: one thread and two give the same numbers.
#pragma once

#include "digitnet/network/layer.hpp"

namespace digitnet {

struct ConvGeometry;  // kernels/convolution.hpp

// The kind's registration (layer_registry.cpp).
struct ConvKind {
  static constexpr const char* name = "conv";
  static constexpr std::uint8_t id = 2;  // in model files: never renumber
  static constexpr bool takes_activation = true;
  // Why `spec` cannot follow `input`, or "" with the output shape in *output.
  static std::string check(const LayerSpec& spec, Shape input, Shape* output);
};

template <typename Scalar>
class ConvLayer final : public Layer<Scalar> {
 public:
  ConvLayer(LayerSpec spec, Shape input, Shape output, std::size_t index);

  ParameterBlock parameter_block() const override { return {maps(), patch()}; }
  double fan_in() const override { return static_cast<double>(patch()); }
  double fan_out() const override { return static_cast<double>(maps() * k_ * k_); }
  double flops_per_example() const override {
    return 2.0 * static_cast<double>(maps() * positions() * patch());
  }
  DerivativeRule derivative_rule() const override {
    return rule_of(this->activation());
  }
  // What the threads share when they split ∇W's positions (backward; none for more maps than
  // a vector holds): conv_weight_gradient_shared_per_example.
  std::size_t scratch_rows() const override;
  bool computes_examples_alone() const override { return true; }

  // x: C×H×W × m; z, a: maps×OH×OW × m, z_e = W·patches_e + b.
  void forward(const Parameters<Scalar>& parameters, ForwardArgs<Scalar> args,
               Team team) const override;
  void forward_examples(const Parameters<Scalar>& parameters, ForwardArgs<Scalar> args,
                        Eigen::Index first, Eigen::Index count) const override;
  // δ: maps×OH×OW × m; ∂C/∂x_e = col2im(Wᵀ·δ_e), each patch's gradient added where it was taken;
  // ∇W = Σ_e δ_e·patches_eᵀ: maps × C·k·k; ∇b = Σ_e Σ_positions δ_e: maps.
  Band backward(const Parameters<Scalar>& parameters, const BackwardArgs<Scalar>& args,
                Team team) const override;

 private:
  std::size_t maps() const { return this->output_shape().channels; }
  std::size_t positions() const {
    return this->output_shape().height * this->output_shape().width;
  }
  std::size_t patch() const { return this->input_shape().channels * k_ * k_; }
  ConvGeometry geometry() const;

  std::size_t k_;
  std::size_t pad_;
};

extern template class ConvLayer<float>;
extern template class ConvLayer<double>;

}  // namespace digitnet
