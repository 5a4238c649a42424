// A fully connected layer: a = f(W·x + b), every output joined to every input (the book's
// layers; the only kind network.py has). Spec: dense:N[:activation], N outputs; any input
// shape, read as its size() values. Parameters: W, N × n_in row-major (network.py's
// weights[l]), and b, N.
//
// Its kernels are chosen by batch width: up to 16 examples the register-blocked kernels of
// kernels.hpp (the seeds' batch of 10), wider ones the packed GEMM of gemm.hpp. Threads take
// bands of output rows in forward, of input rows for δ and of W's rows for the gradient.
#pragma once

#include "digitnet/network/layer.hpp"

namespace digitnet {

// The kind's registration (layer_registry.cpp).
struct DenseKind {
  static constexpr const char* name = "dense";
  static constexpr std::uint8_t id = 1;  // in model files: never renumber
  static constexpr bool takes_activation = true;
  // Why `spec` cannot follow `input`, or "" with the output shape in *output.
  static std::string check(const LayerSpec& spec, Shape input, Shape* output);
};

template <typename Scalar>
class DenseLayer final : public Layer<Scalar> {
 public:
  using Layer<Scalar>::Layer;

  ParameterBlock parameter_block() const override {
    return {this->output_shape().size(), this->input_shape().size()};
  }
  double flops_per_example() const override {
    return 2.0 * static_cast<double>(this->input_shape().size() * this->output_shape().size());
  }
  DerivativeRule derivative_rule() const override {
    return rule_of(this->activation());
  }
  // x: n_in × m, W: n_out × n_in, z, a: n_out × m.
  void forward(const Parameters<Scalar>& parameters, ForwardArgs<Scalar> args,
               Team team) const override;
  // δ: n_out × m; ∂C/∂x = Wᵀ·δ: n_in × m; ∇W = δ·xᵀ: n_out × n_in; ∇b = Σ_x δ: n_out.
  Band backward(const Parameters<Scalar>& parameters, const BackwardArgs<Scalar>& args,
                Team team) const override;
};

extern template class DenseLayer<float>;
extern template class DenseLayer<double>;

}  // namespace digitnet
