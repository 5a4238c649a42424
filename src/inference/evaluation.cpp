// Prediction and accuracy, computed in batches so that evaluation is a few matrix products.
#include "digitnet/inference/evaluation.hpp"

#include <algorithm>
#include <cassert>
#include <vector>

#include "digitnet/data/batch.hpp"
#include "digitnet/kernels/team.hpp"

namespace digitnet {
namespace {

// The index of the largest output, the first one on a tie.
int largest(std::span<const float> outputs) {
  return static_cast<int>(std::max_element(outputs.begin(), outputs.end()) - outputs.begin());
}

}  // namespace

std::array<float, digit_classes> outputs(const Network& net, std::span<const std::uint8_t> image) {
  Matrix<float> x(static_cast<Eigen::Index>(image.size()), 1);
  scale_pixels<float>(image, std::span<float>(x.data(), image.size()));
  const Matrix<float> a = net.feedforward(x);
  std::array<float, digit_classes> result{};
  for (std::size_t j = 0; j < digit_classes; ++j) result[j] = a(static_cast<Eigen::Index>(j), 0);
  return result;
}

int predict(const Network& net, std::span<const std::uint8_t> image) {
  return largest(outputs(net, image));
}

Probabilities output_probabilities(std::span<const float> outputs, Activation output) {
  assert(outputs.size() == digit_classes);
  Probabilities p;
  if (output == Activation::sigmoid) {
    // Odds of a_j clamped away from 0 and 1, where float sigmoid outputs can land exactly.
    std::array<double, digit_classes> odds{};
    double sum = 1;  // the "no digit" case
    for (std::size_t j = 0; j < digit_classes; ++j) {
      const double a = std::clamp(static_cast<double>(outputs[j]), 1e-12, 1 - 1e-12);
      odds[j] = a / (1 - a);
      sum += odds[j];
    }
    for (std::size_t j = 0; j < digit_classes; ++j) p.digits[j] = odds[j] / sum;
    p.none = 1 / sum;
    return p;
  }
  p.calibrated = output == Activation::softmax;
  double sum = 0;
  for (float a : outputs) sum += std::max(0.0, static_cast<double>(a));
  for (std::size_t j = 0; j < digit_classes; ++j)
    p.digits[j] = sum > 0 ? std::max(0.0, static_cast<double>(outputs[j])) / sum : 0.1;
  return p;
}

Reading read_digit(const Network& net, std::span<const std::uint8_t> image) {
  return read_outputs(outputs(net, image), net.activation(net.layers() - 1));
}

Reading read_outputs(std::span<const float> outputs, Activation output) {
  assert(outputs.size() == digit_classes);
  Reading r;
  std::copy(outputs.begin(), outputs.end(), r.outputs.begin());
  r.digit = largest(r.outputs);
  r.second = r.digit == 0 ? 1 : 0;
  for (int j = 0; j < static_cast<int>(digit_classes); ++j)
    if (j != r.digit && r.outputs[static_cast<std::size_t>(j)] > r.outputs[static_cast<std::size_t>(r.second)])
      r.second = j;
  const Probabilities p = output_probabilities(r.outputs, output);
  r.probabilities = p.digits;
  r.none = p.none;
  r.calibrated = p.calibrated;
  return r;
}

std::vector<Prediction> predict_all(const Network& net, const Dataset& data) {
  constexpr std::size_t batch = 256;
  Workspace<float> ws = net.make_workspace(batch);
  Matrix<float> x(static_cast<Eigen::Index>(net.input_size()), batch);
  std::vector<Prediction> result;
  result.reserve(data.size());
  for_each_batch(0, data.size(), batch, [&](std::span<const std::uint32_t> indices) {
    auto inputs = x.leftCols(static_cast<Eigen::Index>(indices.size()));
    fill_inputs<float>(data, indices, inputs);
    const auto a = net.feedforward(inputs, ws);
    for (Eigen::Index j = 0; j < a.cols(); ++j) {
      Eigen::Index digit = 0;
      a.col(j).maxCoeff(&digit);
      const auto probabilities = output_probabilities(
          std::span<const float>(a.col(j).data(), static_cast<std::size_t>(a.rows())),
          net.activation(net.layers() - 1));
      result.push_back({static_cast<std::uint8_t>(digit),
                        static_cast<float>(probabilities.digits[static_cast<std::size_t>(digit)])});
    }
  });
  return result;
}

std::size_t evaluate(const Network& net, const Dataset& data, int threads) {
  return Evaluator(net, threads).evaluate(data);
}

Evaluator::Evaluator(const Network& net, int threads) : net_(net) {
  const int count = threads > 0 ? threads : hardware_threads();
  for (int t = 0; t < count; ++t) {
    workspaces_.push_back(net.make_workspace(batch));
    inputs_.emplace_back(static_cast<Eigen::Index>(net.input_size()),
                         static_cast<Eigen::Index>(batch));
    targets_.emplace_back(static_cast<Eigen::Index>(net.output_size()),
                          static_cast<Eigen::Index>(batch));
  }
}

Score Evaluator::score(const Dataset& data, bool with_cost) {
  assert(data.image_size() == net_.input_size());
  std::vector<Score> scores(workspaces_.size());
  run_team(static_cast<int>(workspaces_.size()), [&](Team team) {
    const auto [first_image, count] = team.of(static_cast<Eigen::Index>(data.size()));
    auto& ws = workspaces_[static_cast<std::size_t>(team.thread)];
    auto& x = inputs_[static_cast<std::size_t>(team.thread)];
    Score local;  // counted locally: neighbouring threads' counters share a cache line
    const auto score_batch = [&](std::span<const std::uint32_t> indices) {
      const auto m = static_cast<Eigen::Index>(indices.size());
      auto inputs = x.leftCols(m);
      fill_inputs<float>(data, indices, inputs);
      const auto a = net_.feedforward(inputs, ws);
      for (Eigen::Index j = 0; j < m; ++j) {
        Eigen::Index digit = 0;
        a.col(j).maxCoeff(&digit);
        local.correct +=
            static_cast<std::size_t>(digit) == data.labels[indices[static_cast<std::size_t>(j)]];
      }
      if (with_cost) {
        auto targets = targets_[static_cast<std::size_t>(team.thread)].leftCols(m);
        fill_targets<float>(data, indices, targets);
        local.cost += total_cost<float>(net_.cost(), a, targets);
      }
    };
    for_each_batch(static_cast<std::size_t>(first_image), static_cast<std::size_t>(count), batch,
                   score_batch);
    scores[static_cast<std::size_t>(team.thread)] = local;
  });
  Score total;
  for (const Score& s : scores) {
    total.correct += s.correct;
    total.cost += s.cost;
  }
  return total;
}

}  // namespace digitnet
