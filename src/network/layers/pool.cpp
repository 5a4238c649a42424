// Max-pooling's forward and backward passes.
#include "digitnet/network/layers/pool.hpp"

#include <algorithm>
#include <cassert>

#include "network/activate.hpp"

namespace digitnet {

std::string PoolKind::check(const LayerSpec& spec, Shape input, Shape* output) {
  const auto& n = spec.numbers;
  if ((n.size() != 1 && n.size() != 2) || n[0] < 1)
    return "a pooling layer takes its window size (pool:2 or pool:2x2)";
  if (n.size() == 2 && n[1] != n[0])
    return "a pooling window is square: give pool:" + std::to_string(n[0]);
  if (!spec.options.empty()) return "a pooling layer takes no option '" + spec.options.front() + "'";
  if (spec.activation != Activation::identity)
    return "a pooling layer takes no activation (its values are its input's)";
  if (n[0] > input.height || n[0] > input.width)
    return "a " + std::to_string(n[0]) + "x" + std::to_string(n[0]) +
           " window does not fit its input";
  *output = {input.channels, input.height / n[0], input.width / n[0]};
  return "";
}

template <typename Scalar>
void PoolLayer<Scalar>::forward(const Parameters<Scalar>&, ForwardArgs<Scalar> args,
                                Team team) const {
  assert(args.scratch != nullptr);
  const Shape in = this->input_shape(), out = this->output_shape();
  const std::size_t p = this->spec().numbers[0];
  const auto [e0, count] = team.of(args.input.cols());
  for (Eigen::Index e = e0; e < e0 + count; ++e) {
    const Scalar* x = args.input.col(e).data();
    Scalar* a = args.output.col(e).data();
    Scalar* from = args.scratch->col(e).data();
    for (std::size_t c = 0; c < in.channels; ++c)
      for (std::size_t oy = 0; oy < out.height; ++oy)
        for (std::size_t ox = 0; ox < out.width; ++ox) {
          std::size_t best = (c * in.height + oy * p) * in.width + ox * p;
          for (std::size_t i = 0; i < p; ++i)
            for (std::size_t j = 0; j < p; ++j) {
              const std::size_t at = (c * in.height + oy * p + i) * in.width + ox * p + j;
              if (x[at] > x[best]) best = at;  // strictly: the first maximum stays
            }
          *a++ = x[best];
          *from++ = static_cast<Scalar>(best);  // exact: model inputs are < 2^24 values
        }
  }
  if (args.derivative != nullptr) {
    auto a = args.output.middleCols(e0, count);
    auto derivative = args.derivative->middleCols(e0, count);
    derivative.setOnes();
    if (args.mask != nullptr) {
      const auto mask = args.mask->middleCols(e0, count);
      a.array() *= mask.array();
      derivative.array() *= mask.array();
    }
  }
}

template <typename Scalar>
Band PoolLayer<Scalar>::backward(const Parameters<Scalar>&, const BackwardArgs<Scalar>& args,
                                 Team team) const {
  assert(args.scratch != nullptr);
  if (args.input_delta == nullptr) return {0, 0};
  const std::size_t outputs = this->output_shape().size();
  const auto [e0, count] = team.of(args.input.cols());
  for (Eigen::Index e = e0; e < e0 + count; ++e) {
    auto delta_prev = args.input_delta->col(e);
    delta_prev.setZero();
    const Scalar* delta = args.delta.col(e).data();
    const Scalar* from = args.scratch->col(e).data();
    for (std::size_t o = 0; o < outputs; ++o)
      delta_prev(static_cast<Eigen::Index>(from[o])) += delta[o];
  }
  auto delta_prev = args.input_delta->middleCols(e0, count);
  delta_prev.array() *= args.input_derivative->middleCols(e0, count).array();
  return {0, 0};
}

template class PoolLayer<float>;
template class PoolLayer<double>;

}  // namespace digitnet
