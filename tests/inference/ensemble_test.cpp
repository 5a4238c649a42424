// Ensembles: the mean of the models' probabilities, and one model read as itself.
#include "digitnet/inference/ensemble.hpp"

#include <gtest/gtest.h>

#include "digitnet/core/random.hpp"

namespace digitnet {
namespace {

Dataset random_images(std::size_t count, std::uint64_t seed) {
  Dataset data;
  data.rows = data.cols = 8;
  Rng rng(seed);
  for (std::size_t i = 0; i < count * 64; ++i)
    data.pixels.push_back(static_cast<std::uint8_t>(rng.below(256)));
  for (std::size_t i = 0; i < count; ++i) data.labels.push_back(static_cast<std::uint8_t>(i % 10));
  return data;
}

Network softmax_model(std::uint64_t seed) {
  return Network(Architecture::of({64, 12, 10}, Activation::relu, Activation::softmax,
                                  Cost::log_likelihood),
                 seed, Init::he);
}

TEST(Ensemble, OneModelIsReadAsItself) {
  const Dataset data = random_images(300, 1);
  const std::vector<Network> one = {softmax_model(2)};
  EXPECT_EQ(evaluate(one, data), evaluate(one[0], data));
  const auto a = predict_all(one, data), b = predict_all(one[0], data);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].digit, b[i].digit) << i;
}

TEST(Ensemble, AnswersAreTheLargestMeanProbability) {
  const Dataset data = random_images(300, 3);
  const std::vector<Network> models = {softmax_model(4), softmax_model(5), softmax_model(6)};
  std::vector<std::vector<std::array<double, digit_classes>>> each;
  for (const Network& net : models) each.push_back(probabilities_all(net, data, 2));
  const std::vector<Prediction> predictions = predict_all(models, data, 2);
  std::size_t correct = 0, disagreements = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    std::array<double, digit_classes> mean{};
    for (const auto& p : each)
      for (std::size_t j = 0; j < digit_classes; ++j) mean[j] += p[i][j] / 3;
    const auto digit =
        static_cast<std::size_t>(std::max_element(mean.begin(), mean.end()) - mean.begin());
    EXPECT_EQ(predictions[i].digit, digit) << i;
    EXPECT_NEAR(predictions[i].confidence, mean[digit], 1e-6) << i;
    correct += digit == data.labels[i] ? 1 : 0;
    disagreements += predict_all(models[0], data)[i].digit != digit ? 1 : 0;
  }
  EXPECT_EQ(evaluate(models, data, 2), correct);
  EXPECT_GT(disagreements, 0u);  // the mean is not just the first model's answer
}

TEST(Ensemble, ProbabilitiesDoNotDependOnThreads) {
  const Dataset data = random_images(257, 7);
  const Network net = softmax_model(8);
  EXPECT_EQ(probabilities_all(net, data, 1), probabilities_all(net, data, 2));
}

TEST(Ensemble, AverageReadingsMeansEveryField) {
  Reading a, b;
  a.probabilities = {0.75, 0.25};
  b.probabilities = {0.25, 0.5, 0.25};
  a.outputs = {2, 1};
  b.outputs = {0, 3};
  a.none = 0.2;
  b.calibrated = false;
  const std::vector<Reading> both = {a, b};
  const Reading mean = average_readings(both);
  EXPECT_DOUBLE_EQ(mean.probabilities[0], 0.5);
  EXPECT_DOUBLE_EQ(mean.probabilities[1], 0.375);
  EXPECT_DOUBLE_EQ(mean.probabilities[2], 0.125);
  EXPECT_EQ(mean.digit, 0);
  EXPECT_EQ(mean.second, 1);
  EXPECT_FLOAT_EQ(mean.outputs[1], 2);
  EXPECT_DOUBLE_EQ(mean.none, 0.1);
  EXPECT_FALSE(mean.calibrated);
}

TEST(Ensemble, ModelsThatCannotBeReadTogetherAreNamed) {
  EXPECT_EQ(ensemble_problem({}), "give at least one model");
  const std::vector<Network> mixed = {softmax_model(1), Network({784, 10, 10}, 1)};
  EXPECT_NE(ensemble_problem(mixed).find("model 2 of 2 reads 784 inputs"), std::string::npos)
      << ensemble_problem(mixed);
  const std::vector<Network> wide = {Network({64, 11}, 1)};
  EXPECT_NE(ensemble_problem(wide).find("11 outputs"), std::string::npos);
  const std::vector<Network> good = {softmax_model(1), softmax_model(2)};
  EXPECT_EQ(ensemble_problem(good), "");
}

}  // namespace
}  // namespace digitnet
