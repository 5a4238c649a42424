// Mini-batch stochastic gradient descent over epochs: the seeds' SGD(training_data, epochs,
// mini_batch_size, eta, test_data), and network2.py's additions (weight penalties, monitoring),
// with dropout, momentum/Nesterov/Adam, learning-rate schedules, early stopping and keeping the
// best epoch's weights.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "digitnet/data/dataset.hpp"
#include "digitnet/data/distort.hpp"
#include "digitnet/core/error.hpp"
#include "digitnet/network/network.hpp"
#include "digitnet/training/optimizer.hpp"
#include "digitnet/training/regularization.hpp"
#include "digitnet/training/schedule.hpp"

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
  // Random distortions (distort.hpp): when any is set, every epoch trains on a new distorted
  // copy of the training images, image i of epoch e from distort_epoch_seed(seed, e).
  DistortSettings distort;
  OptimizerSettings optimizer;
  ScheduleSettings schedule;
  std::size_t early_stopping = 0;  // patience in epochs, on validation accuracy; 0: off
  bool keep_best = false;  // end with the weights of the epoch of best validation accuracy

  // Monitoring, like network2.py's monitor_* flags (validation and test: when given).
  bool monitor_training_accuracy = false;  // a pass over the training data after each epoch
  bool monitor_training_cost = false;      // the same pass's cost (else: the running mean)
  bool monitor_validation_cost = false;
  // Validation accuracy is scored whenever validation data is given; this says it is wanted
  // (wants_validation, train_options.hpp).
  bool monitor_validation_accuracy = false;
  // Per-layer norms of the mean gradient over the first this many training images, after each
  // epoch (0: off). The book's chapter 5 uses 1,000.
  std::size_t gradient_norm_images = 0;
};

// The seed of epoch `epoch`'s distorted images (TrainOptions::distort), from the run's seed:
// the same epoch of the same run gets the same images, a resumed run included.
std::uint64_t distort_epoch_seed(std::uint64_t seed, std::size_t epoch);

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

// Everything a training run needs to continue exactly where it stopped (checkpoint.hpp saves
// it), so that a resumed run ends with the same weights, bit for bit, as one never interrupted.
struct TrainState {
  std::size_t epoch = 0;     // the epoch in progress, or the next one when position == 0
  std::size_t position = 0;  // training examples of that epoch already done (0: not begun)
  double cost = 0;           // Σ of the batches' costs so far in that epoch
  double seconds = 0;        // training seconds so far in that epoch
  std::vector<std::uint32_t> order;  // the order of the training examples (shuffled in place)
  std::string shuffle_rng;           // generator states (std::mt19937_64's text form)
  std::string dropout_rng;
  std::uint64_t optimizer_steps = 0;
  std::vector<float> optimizer_first, optimizer_second;  // as Optimizer::first()/second()
  ScheduleState schedule;
  std::vector<float> best;            // keep_best: the best epoch's parameters so far
  std::vector<EpochResult> history;   // the epochs finished so far
  std::string options;                // what must match to resume (options_fingerprint)
  std::string stopped;                // the schedule's stop reason, when it ended the run
};


// Checkpointing and interruption.
struct TrainControl {
  const TrainState* resume = nullptr;  // continue from this state instead of starting afresh
  // Called with the state after every epoch (once the schedule has decided) and when stopped.
  std::function<void(const TrainState&)> on_checkpoint;
  // When it becomes true (e.g. set by a SIGINT handler), training finishes the current batch,
  // calls on_checkpoint and returns with stop_reason "interrupted".
  const std::atomic<bool>* stop = nullptr;
};

// Thrown when the cost or the weights stop being finite numbers.
class TrainingDiverged : public Error {
 public:
  TrainingDiverged(const std::string& what, std::size_t epoch) : Error(what), epoch(epoch) {}
  std::size_t epoch;
};

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
// Throws TrainingDiverged (before any checkpoint of the bad epoch) when the cost becomes NaN or
// infinite, or the weights do.
TrainReport train(Network& net, const Dataset& training, const TrainOptions& options,
                  const EvaluationData& data = {}, const EpochCallback& on_epoch = {},
                  const ProgressCallback& on_progress = {}, const TrainControl& control = {});

// The seeds' signature: train with test data only, returning the epochs.
std::vector<EpochResult> sgd(Network& net, const Dataset& training, const TrainOptions& options,
                             const Dataset* test_data = nullptr,
                             const EpochCallback& on_epoch = {});

// Whether the options need validation data.
bool needs_validation(const TrainOptions& options);

}  // namespace digitnet
