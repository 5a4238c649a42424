// The training loop. Every buffer is allocated before the first epoch; the loop allocates nothing.
#include "digitnet/trainer.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <numeric>
#include <span>

#include "digitnet/batch.hpp"
#include "digitnet/evaluation.hpp"
#include "digitnet/random.hpp"
#include "digitnet/team.hpp"

namespace digitnet {
namespace {

constexpr std::uint64_t shuffle_stream = 1;  // Rng stream for shuffling, apart from initialisation

}  // namespace

std::vector<EpochResult> sgd(Network& net, const Dataset& training, const TrainOptions& options,
                             const Dataset* test_data, const EpochCallback& on_epoch) {
  assert(!training.labels.empty() && options.mini_batch_size >= 1 && options.epochs >= 1);
  assert(training.image_size() == net.input_size());
  const std::size_t n = training.size();
  const std::size_t capacity = std::min(options.mini_batch_size, n);
  const int threads = options.threads > 0 ? options.threads : hardware_threads();

  Rng rng(options.seed, shuffle_stream);
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  // Threads split every layer's rows inside backprop when the network is large enough for it to
  // pay (see make_workspace); small ones run on one thread. Splitting the examples of a batch
  // instead was measured 2x slower: every step writes all the weights, so they would move
  // between the cores' caches on every batch.
  Workspace<float> ws = net.make_workspace(capacity, threads);
  Matrix<float> x(static_cast<Eigen::Index>(net.input_size()), static_cast<Eigen::Index>(capacity));
  Matrix<float> y(static_cast<Eigen::Index>(net.output_size()),
                  static_cast<Eigen::Index>(capacity));
  std::optional<Evaluator> evaluator;
  if (test_data != nullptr) evaluator.emplace(net, threads);

  std::vector<EpochResult> results;
  for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    rng.shuffle(std::span<std::uint32_t>(order));
    double cost = 0;
    for (std::size_t first = 0; first < n; first += capacity) {
      const std::size_t m = std::min(capacity, n - first);
      const std::span<const std::uint32_t> batch(order.data() + first, m);
      // The next batch's images are scattered over 47 MB: start fetching them now.
      for (std::size_t i = first + m; i < std::min(n, first + m + capacity); ++i)
        for (std::size_t offset = 0; offset < training.image_size(); offset += 64)
          __builtin_prefetch(training.image(order[i]).data() + offset);
      auto inputs = x.leftCols(static_cast<Eigen::Index>(m));
      auto targets = y.leftCols(static_cast<Eigen::Index>(m));
      fill_inputs<float>(training, batch, inputs);
      fill_targets<float>(training, batch, targets);
      cost += net.sgd_step(inputs, targets, ws, options.eta);
    }
    EpochResult result;
    result.epoch = epoch;
    result.training_cost = cost / static_cast<double>(n);
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (test_data != nullptr) {
      result.correct = evaluator->evaluate(*test_data);
      result.total = test_data->size();
    }
    results.push_back(result);
    if (on_epoch) on_epoch(result);
  }
  return results;
}

}  // namespace digitnet
