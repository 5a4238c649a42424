// Averaging several models' probabilities, image by image.
#include "digitnet/inference/ensemble.hpp"

#include <algorithm>
#include <cassert>

#include "digitnet/data/batch.hpp"
#include "digitnet/kernels/team.hpp"

namespace digitnet {
namespace {

// The index of the largest value, the first one on a tie.
template <typename T>
int largest(const std::array<T, digit_classes>& values) {
  return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

// The mean probabilities of every image, over the models.
std::vector<std::array<double, digit_classes>> mean_probabilities(
    std::span<const Network> models, const Dataset& data, int threads) {
  std::vector<std::array<double, digit_classes>> mean(data.size());
  for (const Network& net : models) {
    const auto p = probabilities_all(net, data, threads);
    for (std::size_t i = 0; i < data.size(); ++i)
      for (std::size_t j = 0; j < digit_classes; ++j) mean[i][j] += p[i][j];
  }
  for (auto& image : mean)
    for (double& v : image) v /= static_cast<double>(models.size());
  return mean;
}

}  // namespace

std::string ensemble_problem(std::span<const Network> models) {
  if (models.empty()) return "give at least one model";
  for (std::size_t k = 0; k < models.size(); ++k) {
    const std::string which = "model " + std::to_string(k + 1) + " of " +
                              std::to_string(models.size());
    if (models[k].output_size() != digit_classes)
      return which + " has " + std::to_string(models[k].output_size()) +
             " outputs; an ensemble reads digits, 10 outputs each";
    if (models[k].input_size() != models[0].input_size())
      return which + " reads " + std::to_string(models[k].input_size()) +
             " inputs, model 1 reads " + std::to_string(models[0].input_size()) +
             "; give models of the same images";
  }
  return "";
}

std::vector<std::array<double, digit_classes>> probabilities_all(const Network& net,
                                                                 const Dataset& data,
                                                                 int threads) {
  assert(net.input_size() == data.image_size() && net.output_size() == digit_classes);
  constexpr std::size_t batch = 256;
  const int count = threads > 0 ? threads : hardware_threads();
  std::vector<std::array<double, digit_classes>> result(data.size());
  const Activation output = net.activation(net.layers() - 1);
  // Threads take whole batches of the same 256 images whatever their number, so that each
  // image's outputs (which depend on the width of its batch) do not depend on the threads.
  const std::size_t batches = (data.size() + batch - 1) / batch;
  run_team(count, [&](Team team) {
    const auto [first, mine] = team.of(static_cast<Eigen::Index>(batches));
    if (mine == 0) return;
    Workspace<float> ws = net.make_workspace(batch);
    Matrix<float> x(static_cast<Eigen::Index>(net.input_size()), batch);
    const std::size_t begin = static_cast<std::size_t>(first) * batch;
    const std::size_t end = std::min(data.size(), static_cast<std::size_t>(first + mine) * batch);
    for_each_batch(begin, end - begin, batch, [&](std::span<const std::uint32_t> indices) {
      auto inputs = x.leftCols(static_cast<Eigen::Index>(indices.size()));
      fill_inputs<float>(data, indices, inputs);
      const auto a = net.feedforward(inputs, ws);
      for (Eigen::Index j = 0; j < a.cols(); ++j)
        result[indices[static_cast<std::size_t>(j)]] =
            output_probabilities(std::span<const float>(a.col(j).data(), digit_classes), output)
                .digits;
    });
  });
  return result;
}

Reading average_readings(std::span<const Reading> readings) {
  assert(!readings.empty());
  Reading mean;
  mean.calibrated = true;
  for (const Reading& r : readings) {
    for (std::size_t j = 0; j < digit_classes; ++j) {
      mean.outputs[j] += r.outputs[j];
      mean.probabilities[j] += r.probabilities[j];
    }
    mean.none += r.none;
    mean.calibrated = mean.calibrated && r.calibrated;
  }
  const auto n = static_cast<double>(readings.size());
  for (std::size_t j = 0; j < digit_classes; ++j) {
    mean.outputs[j] = static_cast<float>(mean.outputs[j] / n);
    mean.probabilities[j] /= n;
  }
  mean.none /= n;
  mean.digit = largest(mean.probabilities);
  mean.second = mean.digit == 0 ? 1 : 0;
  for (int j = 0; j < static_cast<int>(digit_classes); ++j)
    if (j != mean.digit && mean.probabilities[static_cast<std::size_t>(j)] >
                               mean.probabilities[static_cast<std::size_t>(mean.second)])
      mean.second = j;
  return mean;
}

std::vector<Prediction> predict_all(std::span<const Network> models, const Dataset& data,
                                    int threads) {
  assert(ensemble_problem(models).empty());
  if (models.size() == 1) return predict_all(models[0], data);
  std::vector<Prediction> result;
  result.reserve(data.size());
  for (const auto& p : mean_probabilities(models, data, threads)) {
    const int digit = largest(p);
    result.push_back({static_cast<std::uint8_t>(digit),
                      static_cast<float>(p[static_cast<std::size_t>(digit)])});
  }
  return result;
}

std::size_t evaluate(std::span<const Network> models, const Dataset& data, int threads) {
  assert(ensemble_problem(models).empty());
  if (models.size() == 1) return evaluate(models[0], data, threads);
  std::size_t correct = 0;
  const auto mean = mean_probabilities(models, data, threads);
  for (std::size_t i = 0; i < data.size(); ++i)
    correct += largest(mean[i]) == data.labels[i] ? 1 : 0;
  return correct;
}

}  // namespace digitnet
