// A feed-forward network trained by backpropagation: a list of layers (layer.hpp) over one
// parameter buffer, with a cost. By default the seeds' network.py (dense sigmoid layers, the
// quadratic cost), or any Architecture (layer kinds, activations, softmax output, cross-entropy
// or log-likelihood cost). Computed a whole mini-batch at a time (one example per column),
// which equals the per-example definition up to float rounding.
//
// Templated on the scalar: digitnet trains in float (Network); double (NetworkD) serves the
// gradient checks. Both are compiled in network.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "digitnet/kernels/matrix.hpp"
#include "digitnet/kernels/team.hpp"
#include "digitnet/network/architecture.hpp"
#include "digitnet/network/initialization.hpp"
#include "digitnet/network/layer.hpp"
#include "digitnet/network/parameters.hpp"
#include "digitnet/training/regularization.hpp"

namespace digitnet {

// Scratch space for one batch size, allocated once and reused for every batch of at most
// `capacity` examples, so training allocates nothing per batch.
template <typename Scalar>
struct Workspace {
  std::size_t capacity = 0;
  int threads = 1;  // threads that share each batch's work, by bands of rows of every layer
  std::vector<Matrix<Scalar>> activations;  // activations[l+1]: sizes[l+1] x capacity (l = layer)
  std::vector<Matrix<Scalar>> derivatives;  // f'(z) of each layer, kept by backprop (see .cpp;
                                            // none for ReLU or identity: derivative_rule)
  std::vector<Matrix<Scalar>> deltas;       // deltas[l]: sizes[l+1] x capacity
  std::vector<Matrix<Scalar>> scratch;      // scratch[l]: layer l's scratch_rows() x capacity
  // Dropout (training only): when `dropout` is set, backprop and sgd_step multiply the
  // activations (and so f'(z)) of every hidden layer l+1 by masks[l+1] — entries 0 or 1/(1 − p),
  // filled by the caller before each batch (see dropout.hpp). The output layer is never dropped.
  bool dropout = false;
  std::vector<Matrix<Scalar>> masks;
};

template <typename Scalar>
class BasicNetwork {
 public:
  // Requires: architecture_problem(arch) is empty (callers validate user input first).
  // Ensures: every weight and bias is zero.
  explicit BasicNetwork(Architecture arch);
  // Every weight and bias drawn from Rng(seed), layer by layer, weights row by row (as numpy's
  // randn fills a sizes[l+1] x sizes[l] array) then the biases: N(0, 1) scaled to `init`'s
  // standard deviations for the layer's fan-in and fan-out. The seeds' initialisation is
  // Init::standard_normal. The same seed gives the same network.
  BasicNetwork(Architecture arch, std::uint64_t seed, Init init = Init::standard_normal);
  // The seeds' network of these sizes (sigmoid, quadratic cost), zero or from N(0, 1).
  explicit BasicNetwork(std::vector<std::size_t> sizes);
  BasicNetwork(std::vector<std::size_t> sizes, std::uint64_t seed);

  // Flat sizes: the input's, then each layer's output (for dense stacks, network.py's sizes).
  const std::vector<std::size_t>& sizes() const { return sizes_; }
  std::size_t layers() const { return layers_.size(); }
  std::size_t input_size() const { return sizes_.front(); }
  std::size_t output_size() const { return sizes_.back(); }
  const Layer<Scalar>& layer(std::size_t l) const { return *layers_[l]; }
  Activation activation(std::size_t l) const { return layers_[l]->activation(); }
  // Per layer, whether weight penalties apply to it (Regularization::cost's `penalized`).
  std::vector<bool> penalized_layers() const;
  Cost cost() const { return arch_.cost; }
  const Architecture& architecture() const { return arch_; }

  Parameters<Scalar>& parameters() { return parameters_; }
  const Parameters<Scalar>& parameters() const { return parameters_; }
  const ParameterLayout& parameter_layout() const { return parameters_.layout(); }

  // Scratch space for batches of up to `capacity` examples, computed by `threads` threads.
  Workspace<Scalar> make_workspace(std::size_t capacity, int threads = 1) const;

  // a ← f(W·a + b) for each layer. x: input_size() x m, m <= ws.capacity.
  // Returns the output activations, output_size() x m, a view into ws valid until its next use.
  MatrixRef<Scalar> feedforward(ConstMatrixRef<Scalar> x, Workspace<Scalar>& ws) const;
  // The same, allocating its own scratch space: for occasional use, not in loops.
  Matrix<Scalar> feedforward(ConstMatrixRef<Scalar> x) const;

  // Backpropagation over a batch. x: input_size() x m, y: output_size() x m (desired outputs).
  // Ensures: nabla holds Σ over the batch of ∂C_x/∂(weights, biases) (a sum, not a mean; nabla is
  // overwritten; no weight penalty), ws.activations hold the forward pass. Returns Σ_x C_x.
  Scalar backprop(ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> y, Workspace<Scalar>& ws,
                  Parameters<Scalar>& nabla) const;

  // Called by backprop_update for each layer with parameters as soon as the calling thread has
  // its band of that layer's gradient: (layer, first row, rows) of weights(layer), biases(layer).
  using LayerUpdate = std::function<void(std::size_t, Eigen::Index, Eigen::Index)>;
  // backprop, calling `update` on each thread for its band of each layer's gradient in nabla,
  // from the output layer down, once the layer's old weights are no longer needed (so `update`
  // may change them, and the bands run in parallel while they are in cache). nabla holds the
  // sum times `scale` (1/m for the mean, without a pass of its own). Returns Σ_x C_x.
  Scalar backprop_update(ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> y,
                         Workspace<Scalar>& ws, Parameters<Scalar>& nabla,
                         const LayerUpdate& update, Scalar scale = 1);

  // One step of the seeds' mini-batch SGD: backprop of (x, y), with W ← W − (eta/m)·Σ∇W and
  // b ← b − (eta/m)·Σ∇b applied to each layer as soon as the layer below has its δ (which needs
  // the old weights). Equals backprop + sgd_update up to float rounding, without writing and
  // reading back a gradient as large as the network. A weight penalty shrinks each layer's
  // weights just before its gradient is subtracted (regularization.hpp). Returns Σ_x C_x before
  // the step, without the penalty.
  Scalar sgd_step(ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> y, Workspace<Scalar>& ws,
                  Scalar eta, const Regularization& penalty = {});

  // The population statistics of the layers that keep them (norm; layer.hpp), "precise BN":
  // add_statistics runs the forward pass in training mode (batch statistics, no dropout) over a
  // batch x (input_size() x m, m <= ws.capacity) and adds its statistics to `sums` (start
  // from an empty one); set_statistics sets their averages over every example added as the
  // layers' parameters. The trainer calls them after every epoch.
  struct StatisticsSums {
    std::vector<std::vector<double>> layers;  // per layer, its statistics_size() sums
    double examples = 0;
  };
  bool keeps_statistics() const;
  void add_statistics(ConstMatrixRef<Scalar> x, Workspace<Scalar>& ws,
                      StatisticsSums& sums) const;
  void set_statistics(const StatisticsSums& sums);

 private:
  // The forward pass, this thread's share of it; with `training` it also stores f'(z) for
  // backprop and applies the dropout masks.
  void forward_layers(ConstMatrixRef<Scalar> x, Workspace<Scalar>& ws, bool training,
                      Team team) const;
  // The backward pass, this thread's share of it: target (+)= alpha·gradient, layer by layer;
  // with a `penalty`, target's weights are shrunk by it (learning rate eta) before the addition.
  void backward(ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> y, Workspace<Scalar>& ws,
                Team team, Parameters<Scalar>& target, Scalar alpha, bool accumulate,
                const Regularization* penalty = nullptr, Scalar eta = 0,
                const LayerUpdate* update = nullptr) const;
  // Whether dropout multiplies layer l's output in training (the workspace has its mask).
  bool masked(const Workspace<Scalar>& ws, std::size_t l) const;
  // Whether training stores layer l's f'(z): not where the layer above can read it from its
  // input or knows it (Layer::derivative_rule, no dropout, not the last layer).
  bool stores_derivative(const Workspace<Scalar>& ws, std::size_t l) const;
  // The input of layer l: x for the first, else the previous layer's activations.
  ConstMatrixRef<Scalar> layer_input(ConstMatrixRef<Scalar> x, const Workspace<Scalar>& ws,
                                     std::size_t l) const;

  Architecture arch_;
  std::vector<std::size_t> sizes_;
  // Layers hold no state of their own (parameters and scratch live outside), so copies of a
  // network share them.
  std::vector<std::shared_ptr<const Layer<Scalar>>> layers_;
  Parameters<Scalar> parameters_;
};

// The parameter blocks of a network of this architecture, without making it.
// Requires: architecture_problem(arch) is empty.
ParameterLayout parameter_layout(const Architecture& arch);

using Network = BasicNetwork<float>;
using NetworkD = BasicNetwork<double>;

extern template class BasicNetwork<float>;
extern template class BasicNetwork<double>;

}  // namespace digitnet
