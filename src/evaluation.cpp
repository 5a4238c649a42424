// Prediction and accuracy, computed in batches so that evaluation is a few matrix products.
#include "digitnet/evaluation.hpp"

#include <numeric>
#include <vector>

#include "digitnet/batch.hpp"

namespace digitnet {
namespace {

constexpr std::size_t evaluation_batch = 1000;

}  // namespace

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

std::size_t evaluate(const Network& net, const Dataset& data) {
  const std::size_t capacity = std::min(evaluation_batch, data.size());
  if (capacity == 0) return 0;
  Workspace<float> ws = net.make_workspace(capacity);
  Matrix<float> x(static_cast<Eigen::Index>(data.image_size()),
                  static_cast<Eigen::Index>(capacity));
  std::vector<std::uint32_t> indices(data.size());
  std::iota(indices.begin(), indices.end(), 0u);

  std::size_t correct = 0;
  for (std::size_t first = 0; first < data.size(); first += capacity) {
    const std::size_t m = std::min(capacity, data.size() - first);
    const std::span<const std::uint32_t> batch(indices.data() + first, m);
    auto inputs = x.leftCols(static_cast<Eigen::Index>(m));
    fill_inputs<float>(data, batch, inputs);
    const auto a = net.feedforward(inputs, ws);
    for (std::size_t j = 0; j < m; ++j) {
      Eigen::Index digit = 0;
      a.col(static_cast<Eigen::Index>(j)).maxCoeff(&digit);
      correct += static_cast<std::size_t>(digit) == data.labels[first + j];
    }
  }
  return correct;
}

}  // namespace digitnet
