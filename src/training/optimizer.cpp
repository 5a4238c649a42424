// The optimisers' update rules.
#include "digitnet/training/optimizer.hpp"

#include <cmath>
#include <type_traits>

#include "core/name_table.hpp"

namespace digitnet {
namespace {

using Kind = OptimizerSettings::Kind;

constexpr NameTable<Kind, 4> optimizer_names = {{
    {Kind::sgd, "sgd"},
    {Kind::momentum, "momentum"},
    {Kind::nesterov, "nesterov"},
    {Kind::adam, "adam"},
}};

}  // namespace

std::string_view name(Kind kind) { return name_in(optimizer_names, kind); }
std::optional<Kind> parse_optimizer(std::string_view text) {
  return parse_in(optimizer_names, text);
}

Optimizer::Optimizer(const OptimizerSettings& settings, const ParameterLayout& layout)
    : settings_(settings) {
  if (settings.kind != Kind::sgd) first_ = Parameters<float>(layout);
  if (settings.kind == Kind::adam) second_ = Parameters<float>(layout);
}

void Optimizer::step(Parameters<float>& parameters, Parameters<float>& gradient, float eta) {
  begin_step();
  update(parameters, gradient, 0, parameters.size(), eta, 1.0f);
}

void Optimizer::begin_step() {
  ++steps_;
  if (settings_.kind == Kind::adam) {
    const double t = static_cast<double>(steps_);
    m_scale_ = static_cast<float>(1 / (1 - std::pow(settings_.beta1, t)));
    s_scale_ = static_cast<float>(1 / (1 - std::pow(settings_.beta2, t)));
  }
}

void Optimizer::update(Parameters<float>& parameters, Parameters<float>& gradient,
                       std::size_t first, std::size_t count, float eta, float gradient_scale,
                       const Regularization* penalty) {
  const auto at = static_cast<Eigen::Index>(first);
  const auto n = static_cast<Eigen::Index>(count);
  auto w = parameters.as_vector().segment(at, n).array();
  // g, in place of the gradient: scaled, plus the penalty's gradient for weights.
  auto g = gradient.as_vector().segment(at, n).array();
  if (gradient_scale != 1.0f) g *= gradient_scale;
  if (penalty != nullptr) penalty->add_gradient(w.matrix(), g.matrix());
  switch (settings_.kind) {
    case Kind::sgd:
      w -= eta * g;
      break;
    // Momentum and Nesterov as one pass over w, v and g (as Eigen statements they were two, and
    // the update is memory-bound: the weights of [784, 800, 10] do not fit in L2). One loop,
    // compiled once for each (the choice is a compile-time constant inside it).
    case Kind::momentum:
    case Kind::nesterov: {
      const auto mu = static_cast<float>(settings_.momentum);
      float* __restrict wp = w.data();
      float* __restrict vp = first_.as_vector().data() + at;
      const float* __restrict gp = g.data();
      const auto pass = [&](auto nesterov) {
        for (Eigen::Index i = 0; i < n; ++i) {
          vp[i] = mu * vp[i] - eta * gp[i];
          if constexpr (nesterov)
            wp[i] += mu * vp[i] - eta * gp[i];  // the step looks ahead along v
          else
            wp[i] += vp[i];
        }
      };
      if (settings_.kind == Kind::nesterov)
        pass(std::true_type{});
      else
        pass(std::false_type{});
      break;
    }
    // Adam as one loop with its multiply-adds fused explicitly: each weight gets the same
    // operations whether it falls in the vectorised body or in a scalar remainder, which the
    // threads' bands move. (As Eigen statements, contracted one way in packets and another in
    // the scalar ends, one thread and two gave other weights.) -fno-math-errno for this file
    // (CMakeLists.txt) lets std::sqrt vectorise.
    case Kind::adam: {
      const auto b1 = static_cast<float>(settings_.beta1);
      const auto b2 = static_cast<float>(settings_.beta2);
      const float c1 = 1 - b1, c2 = 1 - b2, m_scale = m_scale_, s_scale = s_scale_;
      const auto epsilon = static_cast<float>(settings_.epsilon);
      float* __restrict wp = w.data();
      float* __restrict mp = first_.as_vector().data() + at;
      float* __restrict sp = second_.as_vector().data() + at;
      const float* __restrict gp = g.data();
      for (Eigen::Index i = 0; i < n; ++i) {
        mp[i] = std::fma(b1, mp[i], c1 * gp[i]);
        sp[i] = std::fma(b2, sp[i], c2 * (gp[i] * gp[i]));
        wp[i] -= eta * (mp[i] * m_scale) / (std::sqrt(sp[i] * s_scale) + epsilon);
      }
      break;
    }
  }
}

}  // namespace digitnet
