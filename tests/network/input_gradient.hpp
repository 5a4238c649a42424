// A test helper of the layer checks: ∂C/∂x of a network's input from its first layer's own
// backward, given the δ that backprop left in the workspace.
#pragma once

#include "digitnet/network/network.hpp"

namespace digitnet::testing {

// Requires: net.backprop(x, ...) just ran with `ws`. The layer below is the input itself (its
// f' is 1); the gradient of the parameters goes to a scratch target, not to the network's.
inline Matrix<double> first_layer_input_gradient(const NetworkD& net, const Matrix<double>& x,
                                                 Workspace<double>& ws) {
  const Eigen::Index m = x.cols();
  Matrix<double> input_delta(x.rows(), m);
  MatrixRef<double> input_delta_ref = input_delta;
  const Matrix<double> ones = Matrix<double>::Ones(x.rows(), m);
  Parameters<double> scratch(net.parameter_layout());
  BackwardArgs<double> args{x, ws.deltas[0].leftCols(m)};
  args.input_delta = &input_delta_ref;
  args.input_derivative = &ones;
  args.target = &scratch;
  args.scratch = &ws.scratch[0];
  net.layer(0).backward(net.parameters(), args, Team{});
  return input_delta;
}

}  // namespace digitnet::testing
