// Parameter updates from gradients: the seeds' plain mini-batch SGD, momentum (classical and
// Nesterov) and Adam.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "digitnet/network/parameters.hpp"
#include "digitnet/training/regularization.hpp"
#include "digitnet/kernels/team.hpp"

namespace digitnet {

// W ← W − (eta/m)·Σ∇W, b ← b − (eta/m)·Σ∇b: one flat loop over the parameter buffer, split
// among `threads` threads when it is long enough to pay for waking them.
// Requires: nabla has the layout of parameters and holds sums over a batch of m examples.
template <typename Scalar>
void sgd_update(Parameters<Scalar>& parameters, const Parameters<Scalar>& nabla, Scalar eta,
                std::size_t m, int threads = 1) {
  constexpr Eigen::Index parallel_from = 1 << 16;
  const Scalar rate = eta / static_cast<Scalar>(m);
  auto p = parameters.as_vector();
  const auto n = nabla.as_vector();
  run_team(p.size() >= parallel_from ? threads : 1, [&](Team team) {
    const auto [first, size] = team.of(p.size());
    p.segment(first, size) -= rate * n.segment(first, size);
  });
}

struct OptimizerSettings {
  enum class Kind { sgd, momentum, nesterov, adam };
  Kind kind = Kind::sgd;
  double momentum = 0.9;  // μ of momentum and Nesterov
  double beta1 = 0.9;     // Adam's decay of the first moment
  double beta2 = 0.999;   // and of the second
  double epsilon = 1e-8;  // Adam's guard against division by zero
};

// "sgd", "momentum", "nesterov", "adam", and back.
std::string_view name(OptimizerSettings::Kind kind);
std::optional<OptimizerSettings::Kind> parse_optimizer(std::string_view name);

// An optimiser with state (velocities, moments) shaped like the parameters. With g the mean
// gradient of a batch (penalty included) and eta the learning rate:
//   sgd:       w ← w − eta·g
//   momentum:  v ← μ·v − eta·g;  w ← w + v                    (the book's chapter 3)
//   nesterov:  v ← μ·v − eta·g;  w ← w + μ·v − eta·g          (Sutskever et al. 2013, as PyTorch)
//   adam:      m ← β1·m + (1 − β1)·g;  s ← β2·s + (1 − β2)·g²;  t ← t + 1;
//              w ← w − eta·(m/(1 − β1^t)) / (√(s/(1 − β2^t)) + ε)   (Kingma & Ba 2015)
class Optimizer {
 public:
  Optimizer(const OptimizerSettings& settings, const ParameterLayout& layout);

  // One step on all parameters, gradient = g.
  void step(Parameters<float>& parameters, Parameters<float>& gradient, float eta);

  // The same in pieces, so that threads can update bands of layers as backprop produces them:
  // begin_step() once per batch, then update() on disjoint ranges covering every parameter.
  // update() takes g = gradient_scale·gradient[first, first + count) (plus, when `penalty` is
  // given, the penalty's gradient: the range must then hold weights only), and leaves g in
  // that range of `gradient`.
  void begin_step();
  void update(Parameters<float>& parameters, Parameters<float>& gradient,
              std::size_t first, std::size_t count, float eta, float gradient_scale,
              const Regularization* penalty = nullptr);

  const OptimizerSettings& settings() const { return settings_; }
  // The state, for checkpoints: steps taken and the first and second state buffers (velocity or
  // Adam's m; Adam's s), empty where the kind has none.
  std::uint64_t steps() const { return steps_; }
  Parameters<float>& first() { return first_; }
  Parameters<float>& second() { return second_; }
  const Parameters<float>& first() const { return first_; }
  const Parameters<float>& second() const { return second_; }
  void set_steps(std::uint64_t steps) { steps_ = steps; }

 private:
  OptimizerSettings settings_;
  std::uint64_t steps_ = 0;
  float m_scale_ = 1;  // Adam's bias corrections for the current step: 1/(1 − β1^t)
  float s_scale_ = 1;  // and 1/(1 − β2^t)
  Parameters<float> first_;
  Parameters<float> second_;
};

}  // namespace digitnet
