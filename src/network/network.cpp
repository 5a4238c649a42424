// A network's forward and backward passes, a mini-batch at a time, layer by layer.
#include "digitnet/network/network.hpp"

#include <algorithm>
#include <cassert>

#include "digitnet/core/random.hpp"
#include "digitnet/kernels/team.hpp"
#include "digitnet/network/layer_registry.hpp"

namespace digitnet {
namespace {

// forward_layers' chunks of a run of per-example layers: small enough that a chunk's outputs of
// fast-99's first layer (36 KB an example) stay in L2 for the pooling above it, large enough
// that a call's fixed costs (packing W) are a small part of it.
constexpr Eigen::Index examples_per_chunk = 8;

}  // namespace

template <typename Scalar>
BasicNetwork<Scalar>::BasicNetwork(Architecture arch) : arch_(std::move(arch)) {
  assert(architecture_problem(arch_).empty());
  const std::vector<Shape> shapes = arch_.shapes();
  ParameterLayout layout;
  for (std::size_t l = 0; l < arch_.layers.size(); ++l) {
    layers_.push_back(make_layer<Scalar>(arch_.layers[l], shapes[l], l));
    layout.push_back(layers_.back()->parameter_block());
  }
  for (const Shape& shape : shapes) sizes_.push_back(shape.size());
  parameters_ = Parameters<Scalar>(std::move(layout));
}

template <typename Scalar>
BasicNetwork<Scalar>::BasicNetwork(Architecture arch, std::uint64_t seed, Init init)
    : BasicNetwork(std::move(arch)) {
  Rng rng(seed);
  // Layer by layer: the weights row by row (their order in memory), then the biases.
  for (std::size_t l = 0; l < layers(); ++l) {
    if (layers_[l]->set_initial_values(parameters_)) continue;  // (draws nothing)
    const double w_scale = weight_stddev(init, layers_[l]->fan_in(), layers_[l]->fan_out());
    const double b_scale = bias_stddev(init);
    // In memory order (row-major: row by row), not Eigen's default column-major reshaped().
    auto weights = parameters_.weights(l);
    for (Scalar* w = weights.data(); w != weights.data() + weights.size(); ++w)
      *w = static_cast<Scalar>(w_scale * rng.normal());
    for (Scalar& b : parameters_.biases(l)) b = static_cast<Scalar>(b_scale * rng.normal());
  }
}

template <typename Scalar>
BasicNetwork<Scalar>::BasicNetwork(std::vector<std::size_t> sizes)
    : BasicNetwork(Architecture::seeds(std::move(sizes))) {}

template <typename Scalar>
BasicNetwork<Scalar>::BasicNetwork(std::vector<std::size_t> sizes, std::uint64_t seed)
    : BasicNetwork(Architecture::seeds(std::move(sizes)), seed) {}

template <typename Scalar>
Workspace<Scalar> BasicNetwork<Scalar>::make_workspace(std::size_t capacity, int threads) const {
  Workspace<Scalar> ws;
  ws.capacity = capacity;
  // Threads meet at a barrier per layer and share cache lines at band edges: for a small batch
  // of a small network that costs more than it saves (bench/kernels_bench Backprop/30/10/2 took
  // 40 µs against 24 µs for one thread), so below a few MFLOP per batch one thread does it all.
  double flops = 0;
  for (const auto& layer : layers_) flops += layer->flops_per_example();
  ws.threads = flops * static_cast<double>(capacity) >= 8e6 ? std::max(1, threads) : 1;
  const auto n = static_cast<Eigen::Index>(capacity);
  ws.activations.resize(layers() + 1);
  ws.derivatives.resize(layers() + 1);
  ws.deltas.resize(layers());
  ws.scratch.resize(layers());
  ws.masks.resize(layers());
  for (std::size_t l = 0; l < layers(); ++l) {
    const auto rows = static_cast<Eigen::Index>(sizes()[l + 1]);
    ws.activations[l + 1].resize(rows, n);
    ws.derivatives[l + 1].resize(rows, n);
    ws.deltas[l].resize(rows, n);
    ws.scratch[l].resize(static_cast<Eigen::Index>(layers_[l]->scratch_rows()), n);
  }
  return ws;
}

template <typename Scalar>
ConstMatrixRef<Scalar> BasicNetwork<Scalar>::layer_input(ConstMatrixRef<Scalar> x,
                                                         const Workspace<Scalar>& ws,
                                                         std::size_t l) const {
  if (l == 0) return x;
  return ws.activations[l].leftCols(x.cols());
}

template <typename Scalar>
bool BasicNetwork<Scalar>::masked(const Workspace<Scalar>& ws, std::size_t l) const {
  return ws.dropout && l + 1 < layers() && ws.masks[l + 1].size() > 0;
}

template <typename Scalar>
bool BasicNetwork<Scalar>::stores_derivative(const Workspace<Scalar>& ws, std::size_t l) const {
  return layers_[l]->derivative_rule() == DerivativeRule::stored || masked(ws, l) ||
         l + 1 == layers();
}

template <typename Scalar>
void BasicNetwork<Scalar>::forward_layers(ConstMatrixRef<Scalar> x, Workspace<Scalar>& ws,
                                          bool training, Team team) const {
  const Eigen::Index m = x.cols();
  const auto forward = [&](std::size_t l, auto&& compute) {
    MatrixRef<Scalar> derivative = ws.derivatives[l + 1].leftCols(m);
    compute(ForwardArgs<Scalar>{layer_input(x, ws, l), ws.activations[l + 1].leftCols(m),
                                training && stores_derivative(ws, l) ? &derivative : nullptr,
                                training && masked(ws, l) ? &ws.masks[l + 1] : nullptr,
                                &ws.scratch[l]});
  };
  for (std::size_t l = 0; l < layers();) {
    // A run of layers that compute each example alone (Layer::computes_examples_alone): chunks
    // of examples_per_chunk examples, each through the whole run on one thread, the next chunk
    // to the first thread free. No barrier inside the run, a chunk's outputs still in cache
    // when the next layer reads them, and a thread slowed by the machine takes fewer chunks.
    // Each example's numbers do not depend on its chunk or thread.
    std::size_t end = l;
    while (end < layers() && layers_[end]->computes_examples_alone()) ++end;
    if (end > l) {
      team.each((m + examples_per_chunk - 1) / examples_per_chunk, [&](Eigen::Index chunk) {
        const Eigen::Index first = chunk * examples_per_chunk;
        const Eigen::Index count = std::min(examples_per_chunk, m - first);
        for (std::size_t k = l; k < end; ++k)
          forward(k, [&](ForwardArgs<Scalar> args) {
            layers_[k]->forward_examples(parameters_, args, first, count);
          });
      });
      l = end;
      continue;
    }
    forward(l, [&](ForwardArgs<Scalar> args) { layers_[l]->forward(parameters_, args, team); });
    team.barrier();
    ++l;
  }
}

template <typename Scalar>
MatrixRef<Scalar> BasicNetwork<Scalar>::feedforward(ConstMatrixRef<Scalar> x,
                                                    Workspace<Scalar>& ws) const {
  assert(x.rows() == static_cast<Eigen::Index>(input_size()));
  assert(x.cols() <= static_cast<Eigen::Index>(ws.capacity));
  run_team(ws.threads, [&](Team team) { forward_layers(x, ws, false, team); });
  return ws.activations[layers()].leftCols(x.cols());
}

template <typename Scalar>
Matrix<Scalar> BasicNetwork<Scalar>::feedforward(ConstMatrixRef<Scalar> x) const {
  Workspace<Scalar> ws = make_workspace(static_cast<std::size_t>(x.cols()));
  return feedforward(x, ws);
}

template <typename Scalar>
void BasicNetwork<Scalar>::backward(ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> y,
                                    Workspace<Scalar>& ws, Team team, Parameters<Scalar>& target,
                                    Scalar alpha, bool accumulate,
                                    const Regularization* penalty, Scalar eta,
                                    const LayerUpdate* update) const {
  const Eigen::Index m = x.cols();
  const std::size_t last = layers() - 1;
  // δ_L = ∂C/∂z_L, by bands of output rows.
  {
    const auto [r0, rows] = team.of(static_cast<Eigen::Index>(output_size()));
    output_delta<Scalar>(cost(), ws.activations[last + 1].leftCols(m).middleRows(r0, rows),
                         ws.derivatives[last + 1].leftCols(m).middleRows(r0, rows),
                         y.middleRows(r0, rows), ws.deltas[last].leftCols(m).middleRows(r0, rows));
    team.barrier();
  }
  for (std::size_t l = last + 1; l-- > 0;) {
    MatrixRef<Scalar> input_delta = ws.deltas[l > 0 ? l - 1 : 0].leftCols(m);
    BackwardArgs<Scalar> args{layer_input(x, ws, l), ws.deltas[l].leftCols(m)};
    if (l > 0) {
      args.input_delta = &input_delta;
      if (stores_derivative(ws, l - 1))
        args.input_derivative = &ws.derivatives[l];
      else
        args.input_rule = layers_[l - 1]->derivative_rule();
    }
    args.target = &target;
    args.alpha = alpha;
    args.accumulate = accumulate;
    // When the target or the update is the weights themselves, every thread must have read W_l
    // first.
    args.target_is_read = accumulate || update != nullptr;
    args.penalty = penalty;
    args.eta = eta;
    args.scratch = &ws.scratch[l];
    const Band band = layers_[l]->backward(parameters_, args, team);
    if (update != nullptr && band.rows > 0) (*update)(l, band.first, band.rows);
    team.barrier();
  }
}

template <typename Scalar>
Scalar BasicNetwork<Scalar>::backprop(ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> y,
                                      Workspace<Scalar>& ws, Parameters<Scalar>& nabla) const {
  assert(x.rows() == static_cast<Eigen::Index>(input_size()));
  assert(x.cols() <= static_cast<Eigen::Index>(ws.capacity));
  run_team(ws.threads, [&](Team team) {
    forward_layers(x, ws, true, team);
    backward(x, y, ws, team, nabla, Scalar(1), false);
  });
  return total_cost<Scalar>(cost(), ws.activations[layers()].leftCols(x.cols()), y);
}

template <typename Scalar>
Scalar BasicNetwork<Scalar>::backprop_update(ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> y,
                                             Workspace<Scalar>& ws, Parameters<Scalar>& nabla,
                                             const LayerUpdate& update, Scalar scale) {
  assert(x.rows() == static_cast<Eigen::Index>(input_size()));
  assert(x.cols() <= static_cast<Eigen::Index>(ws.capacity));
  run_team(ws.threads, [&](Team team) {
    forward_layers(x, ws, true, team);
    backward(x, y, ws, team, nabla, scale, false, nullptr, Scalar(0), &update);
  });
  return total_cost<Scalar>(cost(), ws.activations[layers()].leftCols(x.cols()), y);
}

template <typename Scalar>
Scalar BasicNetwork<Scalar>::sgd_step(ConstMatrixRef<Scalar> x, ConstMatrixRef<Scalar> y,
                                      Workspace<Scalar>& ws, Scalar eta,
                                      const Regularization& penalty) {
  assert(x.rows() == static_cast<Eigen::Index>(input_size()));
  assert(x.cols() <= static_cast<Eigen::Index>(ws.capacity));
  const Scalar alpha = -eta / static_cast<Scalar>(x.cols());
  run_team(ws.threads, [&](Team team) {
    forward_layers(x, ws, true, team);
    backward(x, y, ws, team, parameters_, alpha, true, penalty.active() ? &penalty : nullptr,
             eta);
  });
  // The cost of the forward pass, before the update (as backprop reports it).
  return total_cost<Scalar>(cost(), ws.activations[layers()].leftCols(x.cols()), y);
}

template <typename Scalar>
std::vector<bool> BasicNetwork<Scalar>::penalized_layers() const {
  std::vector<bool> penalized;
  for (const auto& layer : layers_) penalized.push_back(layer->penalized());
  return penalized;
}

template <typename Scalar>
bool BasicNetwork<Scalar>::keeps_statistics() const {
  for (const auto& layer : layers_)
    if (layer->statistics_size() > 0) return true;
  return false;
}

template <typename Scalar>
void BasicNetwork<Scalar>::add_statistics(ConstMatrixRef<Scalar> x, Workspace<Scalar>& ws,
                                          StatisticsSums& sums) const {
  assert(x.rows() == static_cast<Eigen::Index>(input_size()));
  assert(x.cols() <= static_cast<Eigen::Index>(ws.capacity));
  if (sums.layers.empty())
    for (const auto& layer : layers_) sums.layers.emplace_back(layer->statistics_size(), 0.0);
  const bool dropout = ws.dropout;
  ws.dropout = false;
  run_team(ws.threads, [&](Team team) { forward_layers(x, ws, true, team); });
  ws.dropout = dropout;
  const auto m = static_cast<std::size_t>(x.cols());
  for (std::size_t l = 0; l < layers(); ++l)
    if (layers_[l]->statistics_size() > 0)
      layers_[l]->add_batch_statistics(ws.scratch[l], m, sums.layers[l]);
  sums.examples += static_cast<double>(m);
}

template <typename Scalar>
void BasicNetwork<Scalar>::set_statistics(const StatisticsSums& sums) {
  if (sums.examples <= 0) return;
  for (std::size_t l = 0; l < layers(); ++l)
    if (layers_[l]->statistics_size() > 0)
      layers_[l]->set_statistics(sums.layers[l], sums.examples, parameters_);
}

ParameterLayout parameter_layout(const Architecture& arch) {
  const std::vector<Shape> shapes = arch.shapes();
  ParameterLayout layout;
  for (std::size_t l = 0; l < arch.layers.size(); ++l)
    layout.push_back(make_layer<float>(arch.layers[l], shapes[l], l)->parameter_block());
  return layout;
}

template class BasicNetwork<float>;
template class BasicNetwork<double>;

}  // namespace digitnet
