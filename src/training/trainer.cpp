// The training loop. Every buffer is allocated before the first epoch; the loop allocates nothing.
#include "digitnet/training/trainer.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <span>
#include <sstream>

#include "digitnet/data/batch.hpp"
#include "digitnet/training/dropout.hpp"
#include "digitnet/inference/evaluation.hpp"
#include "digitnet/core/random.hpp"
#include "digitnet/kernels/team.hpp"

namespace digitnet {
namespace {

constexpr std::uint64_t shuffle_stream = 1;  // Rng stream for shuffling, apart from initialisation
constexpr std::uint64_t dropout_stream = 2;  // and for dropout masks

// Per-layer norms of the mean gradient of the cost over the first `count` images of `data`.
std::vector<double> gradient_norms(const Network& net, const Dataset& data, std::size_t count) {
  count = std::min(count, data.size());
  constexpr std::size_t batch = 100;
  Workspace<float> ws = net.make_workspace(batch);
  Matrix<float> x(static_cast<Eigen::Index>(net.input_size()), batch);
  Matrix<float> y(static_cast<Eigen::Index>(net.output_size()), batch);
  Parameters<float> nabla(net.parameter_layout()), sum(net.parameter_layout());
  for_each_batch(0, count, batch, [&](std::span<const std::uint32_t> chosen) {
    auto inputs = x.leftCols(static_cast<Eigen::Index>(chosen.size()));
    auto targets = y.leftCols(static_cast<Eigen::Index>(chosen.size()));
    fill_inputs<float>(data, chosen, inputs);
    fill_targets<float>(data, chosen, targets);
    net.backprop(inputs, targets, ws, nabla);
    sum.as_vector() += nabla.as_vector();
  });
  std::vector<double> norms;
  for (std::size_t l = 0; l < net.layers(); ++l)
    norms.push_back(sum.weights(l).cast<double>().norm() / static_cast<double>(count));
  return norms;
}

}  // namespace

bool needs_validation(const TrainOptions& options) {
  return options.keep_best || Schedule(options.schedule, options.eta, options.early_stopping)
                                  .needs_validation();
}

namespace {

// One training run: every buffer it needs, allocated once, and the steps of an epoch. train()
// below drives it; a checkpoint's TrainState restores it.
class Run {
 public:
  Run(Network& net, const Dataset& training, const TrainOptions& options,
      const EvaluationData& data)
      : net_(net),
        training_(training),
        images_(&training),
        options_(options),
        data_(data),
        n_(training.size()),
        capacity_(std::min(options.mini_batch_size, n_)),
        threads_(options.threads > 0 ? options.threads : hardware_threads()),
        penalty_{options.regularization, options.lambda, static_cast<double>(n_)},
        penalized_(net.penalized_layers()),
        // Plain SGD is fused into backprop (no gradient buffer); the others need the gradient.
        fused_(options.optimizer.kind == OptimizerSettings::Kind::sgd),
        rng_(options.seed, shuffle_stream),
        dropout_rng_(options.seed, dropout_stream),
        dropout_rates_(dropout_rates(net.architecture(), options.dropout)),
        dropout_(std::any_of(dropout_rates_.begin(), dropout_rates_.end(),
                             [](double r) { return r > 0; })),
        order_(n_),
        // Threads split every layer's rows inside backprop when the network is large enough
        // for it to pay (see make_workspace); small ones run on one thread. Splitting the
        // examples of a batch instead was measured 2x slower: every step writes all the
        // weights, so they would move between the cores' caches on every batch.
        ws_(net.make_workspace(capacity_, threads_)),
        x_(static_cast<Eigen::Index>(net.input_size()), static_cast<Eigen::Index>(capacity_)),
        y_(static_cast<Eigen::Index>(net.output_size()), static_cast<Eigen::Index>(capacity_)),
        optimizer_(options.optimizer, net.parameter_layout()),
        evaluator_(net, threads_),
        schedule_(options.schedule, options.eta, options.early_stopping) {
    std::iota(order_.begin(), order_.end(), 0u);
    if (!fused_) gradient_ = Parameters<float>(net.parameter_layout());
  }

  // Continues from `s` (a checkpoint): returns the first epoch to run (options.epochs when the
  // run had already ended) and sets the position inside it.
  std::size_t restore(const TrainState& s, TrainReport& report) {
    assert(s.order.size() == n_);
    position_ = s.position;
    cost_ = s.cost;
    seconds_before_ = s.seconds;
    order_ = s.order;
    std::istringstream(s.shuffle_rng) >> rng_.engine();
    std::istringstream(s.dropout_rng) >> dropout_rng_.engine();
    optimizer_.set_steps(s.optimizer_steps);
    std::copy(s.optimizer_first.begin(), s.optimizer_first.end(),
              optimizer_.first().flat().begin());
    std::copy(s.optimizer_second.begin(), s.optimizer_second.end(),
              optimizer_.second().flat().begin());
    schedule_.restore(s.schedule);
    if (!s.best.empty()) {
      best_ = Parameters<float>(net_.parameter_layout());
      std::copy(s.best.begin(), s.best.end(), best_.flat().begin());
    }
    report.epochs = s.history;
    if (!s.stopped.empty()) {  // the run had ended: nothing left to do
      report.stop_reason = s.stopped;
      return options_.epochs;
    }
    return s.epoch;
  }

  // The state as it is now, `done` examples into `epoch`.
  TrainState state(std::size_t epoch, std::size_t done, double epoch_cost, double seconds,
                   const TrainReport& report) const {
    TrainState s;
    s.epoch = epoch;
    s.position = done;
    s.cost = epoch_cost;
    s.seconds = seconds;
    s.order = order_;
    std::ostringstream shuffle_text, dropout_text;
    shuffle_text << rng_.engine();
    dropout_text << dropout_rng_.engine();
    s.shuffle_rng = shuffle_text.str();
    s.dropout_rng = dropout_text.str();
    s.optimizer_steps = optimizer_.steps();
    s.optimizer_first.assign(optimizer_.first().flat().begin(), optimizer_.first().flat().end());
    s.optimizer_second.assign(optimizer_.second().flat().begin(),
                              optimizer_.second().flat().end());
    s.schedule = schedule_.state();
    s.best.assign(best_.flat().begin(), best_.flat().end());
    s.history = report.epochs;
    return s;
  }

  TrainingDiverged diverged(std::size_t epoch, const std::string& what) const {
    char eta_text[32];
    std::snprintf(eta_text, sizeof eta_text, "%g", eta_);
    return TrainingDiverged("training diverged in epoch " + std::to_string(epoch) + ": " + what +
                                "; the learning rate " + eta_text +
                                " is probably too large: try a smaller one",
                            epoch);
  }

  // The batches of `epoch` from the current position. Returns false when stopped by
  // control.stop before the end of the epoch (after checkpointing).
  bool train_epoch(std::size_t epoch, const ProgressCallback& on_progress,
                   const TrainControl& control, TrainReport& report) {
    start_ = std::chrono::steady_clock::now();
    if (options_.distort.any()) {
      // This epoch's distorted images (a function of the seed and the epoch alone, so that a
      // resumed epoch gets them again), made by the team's threads; counted as training time.
      distorted_ = distort_dataset(training_, options_.distort,
                                   distort_epoch_seed(options_.seed, epoch), threads_);
      images_ = &distorted_;
    }
    if (position_ == 0) {
      rng_.shuffle(std::span<std::uint32_t>(order_));
      cost_ = 0;
      seconds_before_ = 0;
    }
    for (std::size_t first = position_; first < n_; first += capacity_) {
      const std::size_t m = std::min(capacity_, n_ - first);
      const double images = static_cast<double>(n_);
      eta_ = schedule_.eta_at((static_cast<double>(epoch) * images + static_cast<double>(first)) /
                              (static_cast<double>(options_.epochs) * images));
      const double batch_cost =
          step(std::span<const std::uint32_t>(order_.data() + first, m), static_cast<float>(eta_));
      if (!std::isfinite(batch_cost))
        throw diverged(epoch, "the cost became " +
                                  std::string(std::isnan(batch_cost) ? "NaN" : "infinite") +
                                  " after " + std::to_string(first + m) + " of " +
                                  std::to_string(n_) + " images");
      cost_ += batch_cost;
      if (on_progress) on_progress(epoch, first + m, n_);
      if (control.stop != nullptr && control.stop->load() && first + m < n_) {
        if (control.on_checkpoint)
          control.on_checkpoint(state(epoch, first + m, cost_, elapsed(), report));
        return false;
      }
    }
    position_ = 0;
    if (!net_.parameters().as_vector().allFinite())
      throw diverged(epoch, "some weights became NaN or infinite");
    estimate_statistics();
    return true;
  }

  // The population statistics of the network's normalisation layers (network.hpp), from this
  // epoch's first images in its shuffled order (distorted, when it distorts), in whole batches
  // of the training batch size: up to statistics_images of them, at least one batch.
  void estimate_statistics() {
    if (!net_.keeps_statistics()) return;
    constexpr std::size_t statistics_images = 10000;
    const std::size_t batches =
        std::max<std::size_t>(1, std::min(n_, statistics_images) / capacity_);
    Network::StatisticsSums sums;
    for (std::size_t b = 0; b < batches; ++b) {
      fill_inputs<float>(*images_,
                         std::span<const std::uint32_t>(order_.data() + b * capacity_, capacity_),
                         x_);
      net_.add_statistics(x_, ws_, sums);
    }
    net_.set_statistics(sums);
  }

  // The figures of a finished epoch: its cost and what is given and asked to be evaluated.
  EpochResult evaluate(std::size_t epoch) {
    EpochResult result;
    result.epoch = epoch;
    result.eta = static_cast<float>(eta_);
    result.seconds = elapsed();
    const double penalty_cost = penalty_.cost(net_.parameters(), penalized_);
    result.training_cost = cost_ / static_cast<double>(n_) + penalty_cost;
    if (options_.monitor_training_accuracy || options_.monitor_training_cost) {
      const Score score = evaluator_.score(training_, options_.monitor_training_cost);
      if (options_.monitor_training_accuracy) {
        result.training_correct = score.correct;
        result.training_total = n_;
      }
      if (options_.monitor_training_cost)
        result.training_cost = score.cost / static_cast<double>(n_) + penalty_cost;
    }
    if (data_.validation != nullptr) {
      const Score score = evaluator_.score(*data_.validation, options_.monitor_validation_cost);
      result.validation_correct = score.correct;
      result.validation_total = data_.validation->size();
      if (options_.monitor_validation_cost)
        result.validation_cost =
            score.cost / static_cast<double>(data_.validation->size()) + penalty_cost;
    }
    if (data_.test != nullptr) {
      result.correct = evaluator_.evaluate(*data_.test);
      result.total = data_.test->size();
    }
    if (options_.gradient_norm_images > 0)
      result.gradient_norms = gradient_norms(net_, training_, options_.gradient_norm_images);
    return result;
  }

  // The schedule's decision after an epoch ("" to go on), keeping the best weights.
  std::string decide(const EpochResult& result) {
    std::optional<double> validation_accuracy;
    if (result.validation_correct)
      validation_accuracy = static_cast<double>(*result.validation_correct) /
                            static_cast<double>(result.validation_total);
    std::string stop = schedule_.after_epoch(result.epoch, validation_accuracy);
    if (options_.keep_best && schedule_.latest_was_best()) best_ = net_.parameters();
    return stop;
  }

  // With keep_best: ends with the best epoch's weights, returning that epoch.
  std::optional<std::size_t> keep_best() {
    if (!options_.keep_best || !schedule_.best_epoch()) return std::nullopt;
    net_.parameters() = best_;
    return schedule_.best_epoch();
  }

 private:
  // One optimiser step on the batch `chosen`; returns its cost before the step.
  double step(std::span<const std::uint32_t> chosen, float eta) {
    const std::size_t m = chosen.size();
    // The next batch's images are scattered over the training set: start fetching them now.
    const std::uint32_t* next = chosen.data() + m;
    const std::uint32_t* end = order_.data() + n_;
    for (std::size_t i = 0; i < capacity_ && next + i < end; ++i)
      for (std::size_t offset = 0; offset < images_->image_size(); offset += 64)
        __builtin_prefetch(images_->image(next[i]).data() + offset);
    auto inputs = x_.leftCols(static_cast<Eigen::Index>(m));
    auto targets = y_.leftCols(static_cast<Eigen::Index>(m));
    // Each thread of the step's team converts the images of the examples it takes through the
    // layers that split by examples (convolutions, pooling, dense layers of few weights): the
    // copy in parallel (on one thread, 0.7% of `perf record`'s samples of fast-99's run, while
    // the other waited), and each input in the cache of the core that reads it.
    run_team(ws_.threads, [&](Team team) {
      const auto [e0, count] = team.of(static_cast<Eigen::Index>(m));
      fill_inputs<float>(*images_, chosen.subspan(static_cast<std::size_t>(e0),
                                                  static_cast<std::size_t>(count)),
                         inputs.middleCols(e0, count));
    });
    fill_targets<float>(*images_, chosen, targets);
    if (dropout_) draw_dropout_masks(ws_, std::span<const double>(dropout_rates_), m, dropout_rng_);
    if (fused_) return net_.sgd_step(inputs, targets, ws_, eta, penalty_);
    // Each thread updates its band of each layer as soon as backprop has its gradient (the
    // mean: backprop scales it by 1/m as it computes it).
    optimizer_.begin_step();
    const auto update = [&](std::size_t l, Eigen::Index r0, Eigen::Index rows) {
      const auto& p = net_.parameters();
      const auto offset = [&](const float* at) {
        return static_cast<std::size_t>(at - p.flat().data());
      };
      const auto n_in = static_cast<std::size_t>(p.weights(l).cols());
      optimizer_.update(net_.parameters(), gradient_,
                        offset(p.weights(l).data()) + static_cast<std::size_t>(r0) * n_in,
                        static_cast<std::size_t>(rows) * n_in, eta, 1.0f,
                        penalty_.active() && penalized_[l] ? &penalty_ : nullptr);
      optimizer_.update(net_.parameters(), gradient_,
                        offset(p.biases(l).data()) + static_cast<std::size_t>(r0),
                        static_cast<std::size_t>(rows), eta, 1.0f);
    };
    return net_.backprop_update(inputs, targets, ws_, gradient_, update,
                                1.0f / static_cast<float>(m));
  }

  double elapsed() const {
    return seconds_before_ +
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  Network& net_;
  const Dataset& training_;
  // What the batches are drawn from: training_, or this epoch's distorted copy of it.
  const Dataset* images_;
  Dataset distorted_;
  const TrainOptions& options_;
  const EvaluationData& data_;
  const std::size_t n_;
  const std::size_t capacity_;
  const int threads_;
  const Regularization penalty_;
  const std::vector<bool> penalized_;  // per layer: whether the penalty applies (layer.hpp)
  const bool fused_;
  Rng rng_;
  Rng dropout_rng_;
  const std::vector<double> dropout_rates_;  // each layer's (dropout.hpp)
  const bool dropout_;                       // whether any is above 0
  std::vector<std::uint32_t> order_;
  Workspace<float> ws_;
  Matrix<float> x_;
  Matrix<float> y_;
  Optimizer optimizer_;
  Parameters<float> gradient_;
  Evaluator evaluator_;
  Schedule schedule_;
  double eta_ = schedule_.eta();  // the learning rate of the latest batch
  Parameters<float> best_;  // with keep_best: the weights of the best epoch
  std::size_t position_ = 0;  // examples of the current epoch done
  double cost_ = 0;            // Σ of its batches' costs
  double seconds_before_ = 0;  // its training seconds before a resume
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

std::uint64_t distort_epoch_seed(std::uint64_t seed, std::size_t epoch) {
  // SplitMix64's finaliser of (seed, epoch): neighbouring seeds and epochs far apart.
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + (static_cast<std::uint64_t>(epoch) + 1) *
                                                      0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

TrainReport train(Network& net, const Dataset& training, const TrainOptions& options,
                  const EvaluationData& data, const EpochCallback& on_epoch,
                  const ProgressCallback& on_progress, const TrainControl& control) {
  assert(!training.labels.empty() && options.mini_batch_size >= 1 && options.epochs >= 1);
  assert(training.image_size() == net.input_size());
  assert(!needs_validation(options) || data.validation != nullptr);
  Run run(net, training, options, data);
  TrainReport report;
  const std::size_t first_epoch =
      control.resume != nullptr ? run.restore(*control.resume, report) : 0;
  for (std::size_t epoch = first_epoch; epoch < options.epochs; ++epoch) {
    if (!run.train_epoch(epoch, on_progress, control, report)) {
      // (after its checkpoint: the network as it is, with statistics of what it has seen)
      run.estimate_statistics();
      report.stop_reason = "interrupted";
      return report;
    }
    const EpochResult result = run.evaluate(epoch);
    report.epochs.push_back(result);
    if (on_epoch) on_epoch(result);
    report.stop_reason = run.decide(result);
    if (control.on_checkpoint) {
      TrainState s = run.state(epoch + 1, 0, 0, 0, report);
      s.stopped = report.stop_reason;
      control.on_checkpoint(s);
    }
    if (!report.stop_reason.empty()) break;
    if (control.stop != nullptr && control.stop->load() && epoch + 1 < options.epochs) {
      report.stop_reason = "interrupted";
      return report;
    }
  }
  report.kept_epoch = run.keep_best();
  return report;
}

std::vector<EpochResult> sgd(Network& net, const Dataset& training, const TrainOptions& options,
                             const Dataset* test_data, const EpochCallback& on_epoch) {
  return train(net, training, options, {nullptr, test_data}, on_epoch).epochs;
}

}  // namespace digitnet
