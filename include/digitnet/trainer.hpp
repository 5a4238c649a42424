// Mini-batch stochastic gradient descent over epochs: the seeds' SGD(training_data, epochs,
// mini_batch_size, eta, test_data), and network2.py's additions (weight penalties, monitoring),
// with dropout, momentum/Nesterov/Adam, learning-rate schedules, early stopping and keeping the
// best epoch's weights.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "digitnet/dataset.hpp"
#include "digitnet/network.hpp"
#include "digitnet/optimizer.hpp"
#include "digitnet/regularization.hpp"
#include "digitnet/schedule.hpp"

namespace digitnet {

// Defaults are the seeds' canonical run.
struct TrainOptions {
  std::size_t epochs = 30;
  std::size_t mini_batch_size = 10;
  float eta = 3.0f;
  std::uint64_t seed = 1;  // drives the shuffling and dropout (the weights come from their own seed)
  int threads = 0;         // threads sharing each batch; 0: all cores

  Regularization::Kind regularization = Regularization::Kind::none;
  double lambda = 0;   // λ of the penalty; n is the training set's size
  double dropout = 0;  // probability of dropping a hidden neuron, [0, 1)
  OptimizerSettings optimizer;
  ScheduleSettings schedule;
  std::size_t early_stopping = 0;  // patience in epochs, on validation accuracy; 0: off
  bool keep_best = false;  // end with the weights of the epoch of best validation accuracy

  // Monitoring, like network2.py's monitor_* flags (validation and test: when given).
  bool monitor_training_accuracy = false;  // a pass over the training data after each epoch
  bool monitor_training_cost = false;      // the same pass's cost (else: the running mean)
  bool monitor_validation_cost = false;
  // Per-layer norms of the mean gradient over the first this many training images, after each
  // epoch (0: off). The book's chapter 5 uses 1,000.
  std::size_t gradient_norm_images = 0;
};

struct EpochResult {
  std::size_t epoch = 0;               // counted from 0, as the seeds print it
  std::optional<std::size_t> correct;  // on the test data, when given
  std::size_t total = 0;               // size of the test data
  // Mean cost per training example plus the weight penalty: over a pass after the epoch when
  // monitor_training_cost, else the mean of each batch's cost before its step.
  double training_cost = 0;
  std::optional<std::size_t> training_correct;  // when monitor_training_accuracy
  std::size_t training_total = 0;
  std::optional<std::size_t> validation_correct;  // when validation data is given
  std::size_t validation_total = 0;
  std::optional<double> validation_cost;  // when monitor_validation_cost (penalty included)
  std::vector<double> gradient_norms;     // ‖mean ∂C/∂W_l‖ per layer, when asked
  double eta = 0;                         // the learning rate used in this epoch
  double seconds = 0;                     // training time of the epoch, evaluation excluded
};

struct TrainReport {
  std::vector<EpochResult> epochs;
  std::string stop_reason;                // why training ended before options.epochs, or ""
  std::optional<std::size_t> kept_epoch;  // with keep_best: the epoch whose weights the net has
};

using EpochCallback = std::function<void(const EpochResult&)>;
// After each mini-batch: (epoch, training examples done in this epoch, examples per epoch).
using ProgressCallback = std::function<void(std::size_t, std::size_t, std::size_t)>;

struct EvaluationData {
  const Dataset* validation = nullptr;
  const Dataset* test = nullptr;
};

// Each epoch: shuffle the training data, cut it into consecutive mini-batches of
// mini_batch_size (the last one may be shorter), and for each take an optimiser step on the
// batch's mean gradient (plain SGD: W ← W − (eta/m)·Σ∇W and the same for b, fused into
// backprop); then evaluate what is given and asked for. Calls on_epoch after each.
// Requires: training non-empty, images of net.input_size() pixels, options validated
// (epochs >= 1, mini_batch_size >= 1, eta > 0, 0 <= dropout < 1), validation data when the
// schedule, early stopping or keep_best need it.
TrainReport train(Network& net, const Dataset& training, const TrainOptions& options,
                  const EvaluationData& data = {}, const EpochCallback& on_epoch = {},
                  const ProgressCallback& on_progress = {});

// The seeds' signature: train with test data only, returning the epochs.
std::vector<EpochResult> sgd(Network& net, const Dataset& training, const TrainOptions& options,
                             const Dataset* test_data = nullptr,
                             const EpochCallback& on_epoch = {});

// Whether the options need validation data.
bool needs_validation(const TrainOptions& options);

}  // namespace digitnet
