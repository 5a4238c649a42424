// Batch normalisation (Ioffe and Szegedy 2015; PyTorch's BatchNorm2d, or BatchNorm1d after a
// dense layer): each channel's values normalised to mean 0 and variance 1, then scaled by γ and
// shifted by β, then the activation. Spec: norm[:activation]; the output has the input's shape.
// A channel is a feature map of an image-shaped input (its values at every position of every
// example are one population) or one neuron of a flat input.
//
// Parameters: W, C × 3 row-major, row c = (γ, population mean, population variance) of channel
// c, and b, C: β. Training (forward with a derivative) normalises by the batch's own mean and
// variance (biased, over m·H·W values) and backpropagates through them; inference by the
// population statistics of W's last two columns, which no gradient touches (backward writes
// 0 there, so SGD, momentum and Adam leave them exactly as they are) and no penalty shrinks
// (penalized() is false: neither are γ and β, as is usual). They are set after every epoch by
// the network's estimate over training images in training mode (set_statistics; "precise
// BN", Wu and Johnson 2021), not by running averages, so that forward stays free of state and
// a resumed run estimates the same numbers. Initial values: γ = 1, β = 0, mean 0, variance 1.
//
// Threads take bands of channels, in forward (each channel's statistics over the whole batch)
// and in backward: a channel's sums run in one fixed order, so one thread and two give the
// same numbers. Sums over the batch in double.
#pragma once

#include "digitnet/network/layer.hpp"

namespace digitnet {

// The kind's registration (layer_registry.cpp).
struct NormKind {
  static constexpr const char* name = "norm";
  static constexpr std::uint8_t id = 4;  // in model files: never renumber
  static constexpr bool takes_activation = true;
  // Why `spec` cannot follow `input`, or "" with the output shape in *output.
  static std::string check(const LayerSpec& spec, Shape input, Shape* output);
  // ε added to the variance (PyTorch's default).
  static constexpr double epsilon = 1e-5;
};

template <typename Scalar>
class NormLayer final : public Layer<Scalar> {
 public:
  using Layer<Scalar>::Layer;

  ParameterBlock parameter_block() const override { return {channels(), 3}; }
  double fan_in() const override { return 1; }
  double fan_out() const override { return 1; }
  double flops_per_example() const override {
    return 4.0 * static_cast<double>(this->input_shape().size());
  }
  // The batch's mean (rows 0..C−1) and variance (rows C..2C−1) of each channel, first column.
  std::size_t scratch_rows() const override { return 2 * channels(); }
  bool set_initial_values(Parameters<Scalar>& parameters) const override;
  bool penalized() const override { return false; }
  std::size_t statistics_size() const override { return 2 * channels(); }
  void add_batch_statistics(const Matrix<Scalar>& scratch, std::size_t m,
                            std::span<double> sums) const override;
  void set_statistics(std::span<const double> sums, double examples,
                      Parameters<Scalar>& parameters) const override;

  // x, a: C×H×W × m; z = γ·(x − mean)/√(variance + ε) + β, a = f(z).
  void forward(const Parameters<Scalar>& parameters, ForwardArgs<Scalar> args,
               Team team) const override;
  // With x̂ = (x − mean)/σ over the batch's N = m·H·W values of a channel: ∇γ = Σ δ·x̂,
  // ∇β = Σ δ, ∂C/∂x = (γ/σ)·(δ − ∇β/N − x̂·∇γ/N), then ⊙ f'(z) of the layer below.
  Band backward(const Parameters<Scalar>& parameters, const BackwardArgs<Scalar>& args,
                Team team) const override;

 private:
  std::size_t channels() const { return this->input_shape().channels; }
  std::size_t plane() const { return this->input_shape().height * this->input_shape().width; }
};

extern template class NormLayer<float>;
extern template class NormLayer<double>;

}  // namespace digitnet
