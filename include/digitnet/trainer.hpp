// Mini-batch stochastic gradient descent over epochs: the seeds' SGD(training_data, epochs,
// mini_batch_size, eta, test_data).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "digitnet/dataset.hpp"
#include "digitnet/network.hpp"

namespace digitnet {

// Defaults are the seeds' canonical run.
struct TrainOptions {
  std::size_t epochs = 30;
  std::size_t mini_batch_size = 10;
  float eta = 3.0f;
  std::uint64_t seed = 1;  // drives the shuffling (the network's weights come from its own seed)
  int threads = 0;         // threads sharing each batch; 0: all cores
};

struct EpochResult {
  std::size_t epoch = 0;               // counted from 0, as the seeds print it
  std::optional<std::size_t> correct;  // on the test data, when given
  std::size_t total = 0;               // size of the test data
  double training_cost = 0;            // mean cost C over the epoch's training examples
  double seconds = 0;                  // training time of the epoch, evaluation excluded
};

using EpochCallback = std::function<void(const EpochResult&)>;

// Each epoch: shuffle the training data, cut it into consecutive mini-batches of
// mini_batch_size (the last one may be shorter), and for each apply W ← W − (eta/m)·Σ∇W (and the
// same for b); then, if test_data is given, count its correct answers. Calls on_epoch after each.
// Requires: training non-empty, images of net.input_size() pixels, options validated
// (epochs >= 1, mini_batch_size >= 1, eta > 0).
std::vector<EpochResult> sgd(Network& net, const Dataset& training, const TrainOptions& options,
                             const Dataset* test_data = nullptr,
                             const EpochCallback& on_epoch = {});

}  // namespace digitnet
