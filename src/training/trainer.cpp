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
  std::vector<std::uint32_t> indices(batch);
  for (std::size_t first = 0; first < count; first += batch) {
    const std::size_t m = std::min(batch, count - first);
    std::iota(indices.begin(), indices.begin() + static_cast<std::ptrdiff_t>(m),
              static_cast<std::uint32_t>(first));
    const std::span<const std::uint32_t> chosen(indices.data(), m);
    auto inputs = x.leftCols(static_cast<Eigen::Index>(m));
    auto targets = y.leftCols(static_cast<Eigen::Index>(m));
    fill_inputs<float>(data, chosen, inputs);
    fill_targets<float>(data, chosen, targets);
    net.backprop(inputs, targets, ws, nabla);
    sum.as_vector() += nabla.as_vector();
  }
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

TrainReport train(Network& net, const Dataset& training, const TrainOptions& options,
                  const EvaluationData& data, const EpochCallback& on_epoch,
                  const ProgressCallback& on_progress, const TrainControl& control) {
  assert(!training.labels.empty() && options.mini_batch_size >= 1 && options.epochs >= 1);
  assert(training.image_size() == net.input_size());
  assert(!needs_validation(options) || data.validation != nullptr);
  const std::size_t n = training.size();
  const std::size_t capacity = std::min(options.mini_batch_size, n);
  const int threads = options.threads > 0 ? options.threads : hardware_threads();
  const Regularization penalty{options.regularization, options.lambda, static_cast<double>(n)};
  // Plain SGD is fused into backprop (no gradient buffer); the others need the gradient.
  const bool fused = options.optimizer.kind == OptimizerSettings::Kind::sgd;

  Rng rng(options.seed, shuffle_stream);
  Rng dropout_rng(options.seed, dropout_stream);
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
  Optimizer optimizer(options.optimizer, net.parameter_layout());
  Parameters<float> gradient;
  if (!fused) gradient = Parameters<float>(net.parameter_layout());
  Evaluator evaluator(net, threads);
  Schedule schedule(options.schedule, options.eta, options.early_stopping);
  Parameters<float> best;  // with keep_best: the weights of the best epoch

  TrainReport report;
  std::size_t first_epoch = 0, position = 0;
  double cost = 0, seconds_before = 0;
  if (control.resume != nullptr) {
    const TrainState& s = *control.resume;
    assert(s.order.size() == n);
    first_epoch = s.epoch;
    position = s.position;
    cost = s.cost;
    seconds_before = s.seconds;
    order = s.order;
    std::istringstream(s.shuffle_rng) >> rng.engine();
    std::istringstream(s.dropout_rng) >> dropout_rng.engine();
    optimizer.set_steps(s.optimizer_steps);
    if (!s.optimizer_first.empty())
      std::copy(s.optimizer_first.begin(), s.optimizer_first.end(), optimizer.first().flat().begin());
    if (!s.optimizer_second.empty())
      std::copy(s.optimizer_second.begin(), s.optimizer_second.end(),
                optimizer.second().flat().begin());
    schedule.restore(s.schedule);
    if (!s.best.empty()) {
      best = Parameters<float>(net.parameter_layout());
      std::copy(s.best.begin(), s.best.end(), best.flat().begin());
    }
    report.epochs = s.history;
    if (!s.stopped.empty()) {  // the run had ended: nothing left to do
      report.stop_reason = s.stopped;
      first_epoch = options.epochs;
    }
  }
  // The state as it is now, `done` examples into `epoch`.
  const auto state_now = [&](std::size_t epoch, std::size_t done, double epoch_cost,
                             double seconds) {
    TrainState s;
    s.epoch = epoch;
    s.position = done;
    s.cost = epoch_cost;
    s.seconds = seconds;
    s.order = order;
    std::ostringstream shuffle_text, dropout_text;
    shuffle_text << rng.engine();
    dropout_text << dropout_rng.engine();
    s.shuffle_rng = shuffle_text.str();
    s.dropout_rng = dropout_text.str();
    s.optimizer_steps = optimizer.steps();
    s.optimizer_first.assign(optimizer.first().flat().begin(), optimizer.first().flat().end());
    s.optimizer_second.assign(optimizer.second().flat().begin(), optimizer.second().flat().end());
    s.schedule = schedule.state();
    s.best.assign(best.flat().begin(), best.flat().end());
    s.history = report.epochs;
    return s;
  };
  const auto diverged = [&](std::size_t epoch, const std::string& what) {
    char eta_text[32];
    std::snprintf(eta_text, sizeof eta_text, "%g", schedule.eta());
    return TrainingDiverged("training diverged in epoch " + std::to_string(epoch) + ": " + what +
                                "; the learning rate " + eta_text +
                                " is probably too large: try a smaller --eta",
                            epoch);
  };

  for (std::size_t epoch = first_epoch; epoch < options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    const auto eta = static_cast<float>(schedule.eta());
    if (position == 0) {
      rng.shuffle(std::span<std::uint32_t>(order));
      cost = 0;
      seconds_before = 0;
    }
    const auto elapsed = [&] {
      return seconds_before +
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    for (std::size_t first = position; first < n; first += capacity) {
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
      if (options.dropout > 0) draw_dropout_masks(ws, options.dropout, m, dropout_rng);
      double batch_cost = 0;
      if (fused) {
        batch_cost = net.sgd_step(inputs, targets, ws, eta, penalty);
      } else {
        // Each thread updates its band of each layer as soon as backprop has its gradient (the
        // mean: backprop scales it by 1/m as it computes it).
        optimizer.begin_step();
        const float scale = 1.0f / static_cast<float>(m);
        batch_cost = net.backprop_update(
            inputs, targets, ws, gradient,
            [&](std::size_t l, Eigen::Index r0, Eigen::Index rows) {
              const auto& p = net.parameters();
              const auto offset = [&](const float* at) {
                return static_cast<std::size_t>(at - p.flat().data());
              };
              const auto n_in = static_cast<std::size_t>(p.weights(l).cols());
              optimizer.update(net.parameters(), gradient,
                               offset(p.weights(l).data()) + static_cast<std::size_t>(r0) * n_in,
                               static_cast<std::size_t>(rows) * n_in, eta, 1.0f,
                               penalty.active() ? &penalty : nullptr);
              optimizer.update(net.parameters(), gradient,
                               offset(p.biases(l).data()) + static_cast<std::size_t>(r0),
                               static_cast<std::size_t>(rows), eta, 1.0f);
            },
            scale);
      }
      if (!std::isfinite(batch_cost))
        throw diverged(epoch, "the cost became " + std::string(std::isnan(batch_cost) ? "NaN" : "infinite") +
                                  " after " + std::to_string(first + m) + " of " +
                                  std::to_string(n) + " images");
      cost += batch_cost;
      if (on_progress) on_progress(epoch, first + m, n);
      if (control.stop != nullptr && control.stop->load() && first + m < n) {
        if (control.on_checkpoint) control.on_checkpoint(state_now(epoch, first + m, cost, elapsed()));
        report.stop_reason = "interrupted";
        return report;
      }
    }
    position = 0;
    if (!net.parameters().as_vector().allFinite())
      throw diverged(epoch, "some weights became NaN or infinite");
    EpochResult result;
    result.epoch = epoch;
    result.eta = eta;
    result.seconds = elapsed();
    const double penalty_cost = penalty.cost(net.parameters());
    result.training_cost = cost / static_cast<double>(n) + penalty_cost;
    if (options.monitor_training_accuracy || options.monitor_training_cost) {
      const Score score = evaluator.score(training, options.monitor_training_cost);
      if (options.monitor_training_accuracy) {
        result.training_correct = score.correct;
        result.training_total = n;
      }
      if (options.monitor_training_cost)
        result.training_cost = score.cost / static_cast<double>(n) + penalty_cost;
    }
    if (data.validation != nullptr) {
      const Score score = evaluator.score(*data.validation, options.monitor_validation_cost);
      result.validation_correct = score.correct;
      result.validation_total = data.validation->size();
      if (options.monitor_validation_cost)
        result.validation_cost =
            score.cost / static_cast<double>(data.validation->size()) + penalty_cost;
    }
    if (data.test != nullptr) {
      result.correct = evaluator.evaluate(*data.test);
      result.total = data.test->size();
    }
    if (options.gradient_norm_images > 0)
      result.gradient_norms = gradient_norms(net, training, options.gradient_norm_images);
    report.epochs.push_back(result);
    if (on_epoch) on_epoch(result);

    std::optional<double> validation_accuracy;
    if (result.validation_correct)
      validation_accuracy = static_cast<double>(*result.validation_correct) /
                            static_cast<double>(result.validation_total);
    report.stop_reason = schedule.after_epoch(epoch, validation_accuracy);
    if (options.keep_best && schedule.latest_was_best()) best = net.parameters();
    if (control.on_checkpoint) {
      TrainState s = state_now(epoch + 1, 0, 0, 0);
      s.stopped = report.stop_reason;
      control.on_checkpoint(s);
    }
    if (!report.stop_reason.empty()) break;
    if (control.stop != nullptr && control.stop->load() && epoch + 1 < options.epochs) {
      report.stop_reason = "interrupted";
      return report;
    }
  }
  if (options.keep_best && schedule.best_epoch()) {
    net.parameters() = best;
    report.kept_epoch = schedule.best_epoch();
  }
  return report;
}

std::vector<EpochResult> sgd(Network& net, const Dataset& training, const TrainOptions& options,
                             const Dataset* test_data, const EpochCallback& on_epoch) {
  return train(net, training, options, {nullptr, test_data}, on_epoch).epochs;
}

}  // namespace digitnet
