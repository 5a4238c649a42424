// Applying an activation to a layer's weighted inputs in place, with its derivative for
// backprop: shared by the layers that end in an activation (dense; convolution next).
#pragma once

#include <bit>
#include <cassert>
#include <cstdint>
#include <type_traits>

#include "digitnet/kernels/kernels.hpp"
#include "digitnet/network/activation.hpp"
#include "digitnet/network/layer.hpp"

namespace digitnet {

// a ← f(a) in place for every activation but softmax; with `derivative`, also f'(z) there.
template <typename A, typename D>
void activate(Activation f, A&& a, D* derivative) {
  using Scalar = typename std::remove_reference_t<A>::Scalar;
  switch (f) {
    case Activation::sigmoid:
      // With the derivative kept exactly as kernels.hpp says; in one call where the columns
      // follow each other (a whole matrix), else by columns (a band of rows).
      if (a.outerStride() == a.rows() &&
          (derivative == nullptr || derivative->outerStride() == derivative->rows())) {
        sigmoid(a.data(), derivative != nullptr ? derivative->data() : nullptr,
                static_cast<std::size_t>(a.size()));
        break;
      }
      for (Eigen::Index j = 0; j < a.cols(); ++j)
        sigmoid(&a.coeffRef(0, j), derivative != nullptr ? &derivative->coeffRef(0, j) : nullptr,
                static_cast<std::size_t>(a.rows()));
      break;
    case Activation::tanh:
      a.array() = a.array().tanh();
      if (derivative != nullptr)
        derivative->array() = (Scalar(1) - a.array()) * (Scalar(1) + a.array());
      break;
    case Activation::relu:
      if (derivative != nullptr)
        derivative->array() = (a.array() > Scalar(0)).template cast<Scalar>();
      a.array() = a.array().max(Scalar(0));
      break;
    case Activation::identity:
      if (derivative != nullptr) derivative->setOnes();
      break;
    case Activation::softmax:
      assert(false && "softmax is applied to whole columns");
      break;
  }
}

// A layer's activation on the block of its output that this thread computed, `select`ing it
// from a matrix (a band of rows, a range of examples): a ← f(a); in training also f'(z) and,
// with dropout, both times the mask (ForwardArgs). Every activation but softmax.
template <typename Scalar, typename Select>
void activate_output(Activation f, ForwardArgs<Scalar>& args, Select&& select) {
  auto a = select(args.output);
  if (args.derivative == nullptr) {
    activate(f, a, static_cast<decltype(a)*>(nullptr));
    return;
  }
  auto derivative = select(*args.derivative);
  activate(f, a, &derivative);
  if (args.mask != nullptr) {
    const auto mask = select(args.mask->leftCols(args.output.cols()));
    a.array() *= mask.array();
    derivative.array() *= mask.array();
  }
}

// ReLU's f'(z) read from its output a: 1 where a > 0, else 0, by a mask on the bits of 1 (a
// comparison and a multiplication compiled to a branch, mispredicted half the time: the
// pooling's scatter of δ took three times as long).
template <typename Scalar>
Scalar relu_derivative(Scalar a) {
  using Bits = std::conditional_t<sizeof(Scalar) == 4, std::uint32_t, std::uint64_t>;
  const Bits mask = Bits(0) - static_cast<Bits>(a > Scalar(0));
  return std::bit_cast<Scalar>(std::bit_cast<Bits>(Scalar(1)) & mask);
}

// δ of the layer below ⊙= its f'(z), on the block `select` picks (of a whole matrix, rows or
// columns): the stored f'(z), or by the rule the network hands instead (BackwardArgs::
// input_rule): relu, 1 where the layer's input (the output of the one below) is > 0 and 0
// elsewhere; one, nothing to do. The values activate() and the convolution's fused ReLU would
// have stored, so the products are the same.
template <typename Scalar, typename D, typename Select>
void times_input_derivative(D&& delta_prev, const BackwardArgs<Scalar>& args, Select&& select) {
  switch (args.input_rule) {
    case DerivativeRule::stored:
      delta_prev.array() *= select(*args.input_derivative).array();
      break;
    case DerivativeRule::relu:
      delta_prev.array() *= (select(args.input).array() > Scalar(0)).template cast<Scalar>();
      break;
    case DerivativeRule::one:
      break;
  }
}

// The same value by value, for layers that place δ themselves (pooling, normalisation):
// f(derivative) with derivative(i) = f'(z) of the layer below at row i of example e's column,
// the rule chosen once, outside f's loop.
template <typename Scalar, typename F>
void with_input_derivative(const BackwardArgs<Scalar>& args, Eigen::Index e, F&& f) {
  switch (args.input_rule) {
    case DerivativeRule::stored: {
      const Scalar* stored = args.input_derivative->col(e).data();
      f([stored](std::size_t i) { return stored[i]; });
      break;
    }
    case DerivativeRule::relu: {
      const Scalar* input = args.input.col(e).data();
      f([input](std::size_t i) { return relu_derivative(input[i]); });
      break;
    }
    case DerivativeRule::one:
      f([](std::size_t) { return Scalar(1); });
      break;
  }
}

// Each column of a ← softmax(column), shifted by its maximum so that e^z cannot overflow.
template <typename A>
void softmax_columns(A&& a) {
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    auto column = a.col(j);
    column.array() = (column.array() - column.maxCoeff()).exp();
    column /= column.sum();
  }
}

}  // namespace digitnet
