// Prediction and accuracy, computed in batches so that evaluation is a few matrix products.
#include "digitnet/inference/evaluation.hpp"

#include <cassert>
#include <numeric>
#include <vector>

#include "digitnet/data/batch.hpp"
#include "digitnet/kernels/team.hpp"

namespace digitnet {
std::array<float, digit_classes> outputs(const Network& net, std::span<const std::uint8_t> image) {
  Matrix<float> x(static_cast<Eigen::Index>(image.size()), 1);
  for (std::size_t i = 0; i < image.size(); ++i)
    x(static_cast<Eigen::Index>(i), 0) = static_cast<float>(image[i]) / 255.0f;
  const Matrix<float> a = net.feedforward(x);
  std::array<float, digit_classes> result{};
  for (std::size_t j = 0; j < digit_classes; ++j) result[j] = a(static_cast<Eigen::Index>(j), 0);
  return result;
}

int predict(const Network& net, std::span<const std::uint8_t> image) {
  const auto a = outputs(net, image);
  return static_cast<int>(std::max_element(a.begin(), a.end()) - a.begin());
}

std::vector<Prediction> predict_all(const Network& net, const Dataset& data) {
  constexpr std::size_t batch = 256;
  Workspace<float> ws = net.make_workspace(batch);
  Matrix<float> x(static_cast<Eigen::Index>(net.input_size()), batch);
  std::vector<std::uint32_t> indices(batch);
  std::vector<Prediction> result;
  result.reserve(data.size());
  for (std::size_t first = 0; first < data.size(); first += batch) {
    const std::size_t m = std::min(batch, data.size() - first);
    std::iota(indices.begin(), indices.begin() + static_cast<std::ptrdiff_t>(m),
              static_cast<std::uint32_t>(first));
    auto inputs = x.leftCols(static_cast<Eigen::Index>(m));
    fill_inputs<float>(data, std::span<const std::uint32_t>(indices.data(), m), inputs);
    const auto a = net.feedforward(inputs, ws);
    for (Eigen::Index j = 0; j < a.cols(); ++j) {
      Eigen::Index digit = 0;
      const float top = a.col(j).maxCoeff(&digit);
      const float sum = a.col(j).cwiseMax(0.0f).sum();
      result.push_back({static_cast<std::uint8_t>(digit), sum > 0 ? std::max(top, 0.0f) / sum : 0});
    }
  }
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
    std::uint32_t indices[batch];
    Score local;  // counted locally: neighbouring threads' counters share a cache line
    for (Eigen::Index first = first_image; first < first_image + count;
         first += static_cast<Eigen::Index>(batch)) {
      const auto m =
          std::min<Eigen::Index>(static_cast<Eigen::Index>(batch), first_image + count - first);
      for (Eigen::Index j = 0; j < m; ++j) indices[j] = static_cast<std::uint32_t>(first + j);
      auto inputs = x.leftCols(m);
      fill_inputs<float>(data, std::span<const std::uint32_t>(indices, static_cast<std::size_t>(m)),
                         inputs);
      const auto a = net_.feedforward(inputs, ws);
      for (Eigen::Index j = 0; j < m; ++j) {
        Eigen::Index digit = 0;
        a.col(j).maxCoeff(&digit);
        local.correct +=
            static_cast<std::size_t>(digit) == data.labels[static_cast<std::size_t>(first + j)];
      }
      if (with_cost) {
        auto targets = targets_[static_cast<std::size_t>(team.thread)].leftCols(m);
        fill_targets<float>(
            data, std::span<const std::uint32_t>(indices, static_cast<std::size_t>(m)), targets);
        local.cost += total_cost<float>(net_.cost(), a, targets);
      }
    }
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
