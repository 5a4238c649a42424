// The one interface every kind of layer implements (dense today; convolution, pooling and the
// others add a file pair each under network/layers/ and one line in layer_registry.cpp).
//
// A layer maps a batch of m inputs (input_shape().size() × m, one example per column) to m
// outputs (output_shape().size() × m). Its parameters are not its own: they are the block
// parameter_block() of the network's one buffer (parameters.hpp), layer index() of it, so
// that the optimiser is one flat loop and saving is one write. It keeps no state between calls
// either: what forward leaves for backward is in the workspace (network.hpp), sized once.
//
// Threads: forward and backward are called on every thread of a team (team.hpp) with the same
// arguments; each thread computes its share and the calls meet at the same barriers on every
// thread. The network puts a barrier after each layer's forward and backward, so a layer sees
// its whole input and δ complete.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "digitnet/kernels/matrix.hpp"
#include "digitnet/kernels/team.hpp"
#include "digitnet/network/activation.hpp"
#include "digitnet/network/layer_spec.hpp"
#include "digitnet/network/parameters.hpp"
#include "digitnet/network/shape.hpp"

namespace digitnet {

struct Regularization;

// How a layer's f'(z) is had in training (Layer::derivative_rule): the matrix its forward pass
// wrote, or a rule that needs none.
enum class DerivativeRule : std::uint8_t {
  stored,  // the matrix (ForwardArgs::derivative, BackwardArgs::input_derivative)
  relu,    // 1 where the layer's output is > 0, else 0
  one,     // 1 everywhere (identity, pooling)
};
// The rule of an activation's f'(z) (sigmoid and tanh: none, their f'(z) is stored).
inline DerivativeRule rule_of(Activation f) {
  if (f == Activation::relu) return DerivativeRule::relu;
  if (f == Activation::identity) return DerivativeRule::one;
  return DerivativeRule::stored;
}

// What forward reads and writes for a batch of m examples.
template <typename Scalar>
struct ForwardArgs {
  ConstMatrixRef<Scalar> input;  // input_shape().size() × m
  MatrixRef<Scalar> output;      // output_shape().size() × m: the activations a = f(z)
  // Training only (null otherwise): f'(z), output-shaped, for backward and the output error.
  // Null in training too where the network has f'(z) by a rule instead (Layer::derivative_rule):
  // the layer then computes what inference computes.
  MatrixRef<Scalar>* derivative = nullptr;
  // Dropout (training only, null otherwise): output-shaped entries 0 or 1/(1 − p) that
  // multiply the activations and f'(z) after the activation.
  const Matrix<Scalar>* mask = nullptr;
  // The layer's own scratch space in the workspace: scratch_rows() × capacity (what forward
  // keeps for backward beyond z and f'(z), e.g. where each pooled maximum came from).
  Matrix<Scalar>* scratch = nullptr;
};

// What backward reads and writes for the same batch, after forward(training).
template <typename Scalar>
struct BackwardArgs {
  ConstMatrixRef<Scalar> input;  // the input forward had
  ConstMatrixRef<Scalar> delta;  // δ = ∂C/∂z of this layer's outputs, complete
  // ∂C/∂z of the layer below, to write: (∂C/∂input) ⊙ input_derivative. Null for the first
  // layer (nothing below to pass δ to).
  MatrixRef<Scalar>* input_delta = nullptr;
  // f'(z) of the layer below: the whole matrix when input_rule is `stored`, else null and the
  // rule (relu: 1 where `input`, its output, is > 0; one: 1). Layers apply it with
  // times_input_derivative or with_input_derivative (network/activate.hpp).
  const Matrix<Scalar>* input_derivative = nullptr;
  DerivativeRule input_rule = DerivativeRule::stored;
  // The gradient's destination: target's block index() (+)= alpha·∂C/∂(weights, biases), a sum
  // over the batch. Overwritten unless `accumulate`.
  Parameters<Scalar>* target = nullptr;
  Scalar alpha = 1;
  bool accumulate = false;
  // When the target is the parameters themselves (the fused SGD step, or an update that runs
  // right after): every thread must have finished reading the old weights for input_delta
  // before any thread writes them.
  bool target_is_read = false;
  // With a penalty, the target's weights are first shrunk by its SGD step at rate eta.
  const Regularization* penalty = nullptr;
  Scalar eta = 0;
  Matrix<Scalar>* scratch = nullptr;  // as forward left it
};

// The rows of a layer's parameter block that one thread's backward hands on, complete, to the
// update that follows (written by that thread, or by the team before a barrier).
struct Band {
  Eigen::Index first = 0;
  Eigen::Index rows = 0;
};

template <typename Scalar>
class Layer {
 public:
  Layer(LayerSpec spec, Shape input, Shape output, std::size_t index)
      : spec_(std::move(spec)), input_(input), output_(output), index_(index) {}
  virtual ~Layer() = default;

  const LayerSpec& spec() const { return spec_; }
  Shape input_shape() const { return input_; }
  Shape output_shape() const { return output_; }
  std::size_t index() const { return index_; }  // its place in the network and the buffer
  Activation activation() const { return spec_.activation; }

  // Its block of the network's parameter buffer ({0, 0}: it has none).
  virtual ParameterBlock parameter_block() const = 0;
  // The fan-in and fan-out the initialisation scales by (initialization.hpp).
  virtual double fan_in() const { return static_cast<double>(parameter_block().cols); }
  virtual double fan_out() const { return static_cast<double>(parameter_block().rows); }
  // Multiply-adds ×2 per example of forward, to judge whether threads pay.
  virtual double flops_per_example() const = 0;
  // Rows of scratch space per example in the workspace (ForwardArgs::scratch).
  virtual std::size_t scratch_rows() const { return 0; }
  // Sets its parameters' initial values itself and returns true, or returns false: the network
  // draws them (N(0, σ²) for the layer's fan-in and fan-out, initialization.hpp).
  virtual bool set_initial_values(Parameters<Scalar>&) const { return false; }
  // Whether weight penalties (regularization.hpp) apply to its weights.
  virtual bool penalized() const { return true; }
  // Whether its f'(z) follows a rule (ReLU's 0 or 1 by the sign of its output, identity's 1),
  // so that forward(training) may be given no f'(z) to write (ForwardArgs::derivative null) and
  // compute what inference does. The network then stores none for it, unless dropout multiplies
  // it or it is the last layer (the output error reads that one), and hands the layer above
  // the rule (BackwardArgs::input_rule): fast-99's first layer spent a seventh of its time
  // writing a float of 0 or 1 per output.
  virtual DerivativeRule derivative_rule() const { return DerivativeRule::stored; }

  // Layers whose inference uses statistics of the training images (norm) keep them among their
  // parameters, estimated by the network (estimate_statistics): after forward(training) of a
  // batch of m examples, add_batch_statistics adds that batch's statistics_size() numbers from
  // the scratch to `sums`; set_statistics turns the sums over `examples` examples into
  // parameters. statistics_size() 0: none (the others are then never called).
  virtual std::size_t statistics_size() const { return 0; }
  virtual void add_batch_statistics(const Matrix<Scalar>& /*scratch*/, std::size_t /*m*/,
                                    std::span<double> /*sums*/) const {}
  virtual void set_statistics(std::span<const double> /*sums*/, double /*examples*/,
                              Parameters<Scalar>& /*parameters*/) const {}

  // Whether it computes each example's outputs (a, f'(z), its scratch) from that example's
  // input alone, at no cost per call beyond the examples' own (convolution, pooling). Its
  // forward_examples may then be given any examples, and the network hands a run of such
  // layers to its threads in small chunks of the batch, each chunk through the whole run, the
  // next chunk to the first thread free (forward_layers).
  virtual bool computes_examples_alone() const { return false; }
  // forward for the examples [first, first + count) only, on the calling thread (called only
  // where computes_examples_alone()).
  virtual void forward_examples(const Parameters<Scalar>& /*parameters*/,
                                ForwardArgs<Scalar> /*args*/, Eigen::Index /*first*/,
                                Eigen::Index /*count*/) const {}

  // Requires: args' shapes as documented, m <= the workspace's capacity.
  // Ensures: args.output (and with training *args.derivative) hold this thread's share after
  // the call, the whole once the network's barrier has passed.
  virtual void forward(const Parameters<Scalar>& parameters, ForwardArgs<Scalar> args,
                       Team team) const = 0;
  // Requires: forward(training) of the same input, and args.delta complete.
  // Ensures: *args.input_delta (when given) and this thread's band of the target's block
  // written; returns that band, so that a caller can update it at once (backprop_update).
  virtual Band backward(const Parameters<Scalar>& parameters, const BackwardArgs<Scalar>& args,
                        Team team) const = 0;

 private:
  LayerSpec spec_;
  Shape input_;
  Shape output_;
  std::size_t index_;
};

}  // namespace digitnet
