// Tests of evaluation: the evaluator agrees with one dense forward pass of all the images,
// whatever the thread count, and follows the network's weights as they change.
#include "digitnet/inference/evaluation.hpp"

#include <gtest/gtest.h>

#include "digitnet/data/batch.hpp"

namespace digitnet {
namespace {

const Dataset& test_images() {
  static const Dataset data = slice(load_mnist(DIGITNET_SOURCE_DATA_DIR).test, 0, 700);
  return data;
}

// The definition: argmax of the dense forward pass, one batch.
std::size_t dense_count(const Network& net, const Dataset& data) {
  std::vector<std::uint32_t> all(data.size());
  for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  Matrix<float> x(static_cast<Eigen::Index>(data.image_size()),
                  static_cast<Eigen::Index>(data.size()));
  fill_inputs<float>(data, all, x);
  const Matrix<float> a = net.feedforward(x);
  std::size_t correct = 0;
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    Eigen::Index digit = 0;
    a.col(j).maxCoeff(&digit);
    correct += static_cast<std::size_t>(digit) == data.labels[static_cast<std::size_t>(j)];
  }
  return correct;
}

TEST(Evaluator, AgreesWithTheDenseForwardPass) {
  for (const auto& sizes :
       {std::vector<std::size_t>{784, 30, 10}, std::vector<std::size_t>{784, 13, 7, 10}}) {
    const Network net(sizes, 2);
    const std::size_t expected = dense_count(net, test_images());
    EXPECT_EQ(Evaluator(net, 1).evaluate(test_images()), expected);
    EXPECT_EQ(Evaluator(net, 2).evaluate(test_images()), expected);
    EXPECT_EQ(evaluate(net, test_images(), 3), expected);
    EXPECT_GT(expected, 0u);
  }
}

TEST(Evaluator, FollowsTheWeightsBetweenCalls) {
  Network net({784, 30, 10}, 3);
  Evaluator evaluator(net, 2);
  const std::size_t before = evaluator.evaluate(test_images());
  // Make every output but digit 1 hopeless: the count becomes the number of 1s.
  net.parameters().biases(1).setConstant(-100.0f);
  net.parameters().biases(1)(1) = 100.0f;
  std::size_t ones = 0;
  for (auto label : test_images().labels) ones += label == 1;
  EXPECT_EQ(evaluator.evaluate(test_images()), ones);
  EXPECT_NE(before, ones);
}

TEST(OutputProbabilities, RawOutputsAreSharedOutAndSaidNotToBeCalibrated) {
  std::array<float, digit_classes> a{};
  a[2] = 0.25f;
  a[7] = 0.75f;
  a[9] = -3.0f;  // a negative output counts as 0
  const Probabilities p = output_probabilities(a, Activation::relu);
  EXPECT_FALSE(p.calibrated);
  EXPECT_DOUBLE_EQ(p.digits[2], 0.25);
  EXPECT_DOUBLE_EQ(p.digits[7], 0.75);
  EXPECT_EQ(p.digits[9], 0.0);
  a.fill(-1.0f);
  for (double share : output_probabilities(a, Activation::identity).digits) EXPECT_EQ(share, 0.1);
}

TEST(OutputProbabilities, SoftmaxOutputsAreProbabilitiesAsTheyAre) {
  std::array<float, digit_classes> a{};
  a.fill(0.05f);
  a[3] = 0.55f;
  const Probabilities p = output_probabilities(a, Activation::softmax);
  EXPECT_TRUE(p.calibrated);
  EXPECT_NEAR(p.digits[3], 0.55, 1e-7);
  EXPECT_EQ(p.none, 0);
}

TEST(OutputProbabilities, SigmoidOutputsAreTenIndependentAnswers) {
  // One clear yes: nearly sure of it.
  std::array<float, digit_classes> a{};
  a.fill(0.01f);
  a[4] = 0.95f;
  Probabilities p = output_probabilities(a, Activation::sigmoid);
  double odds_sum = 1 + 0.95 / 0.05 + 9 * (0.01 / 0.99);
  EXPECT_NEAR(p.digits[4], (0.95 / 0.05) / odds_sum, 1e-6);
  EXPECT_GT(p.digits[4], 0.9);
  // Ten weak answers: unsure, mostly "no digit", where output/Σ outputs said 50%.
  a.fill(0.02f);
  a[4] = 0.1f;
  p = output_probabilities(a, Activation::sigmoid);
  EXPECT_LT(p.digits[4], 0.1);
  EXPECT_GT(p.none, 0.7);
  double total = p.none;
  for (double d : p.digits) total += d;
  EXPECT_NEAR(total, 1, 1e-12);
  // Two strong answers: split between them.
  a.fill(0.01f);
  a[3] = 0.9f;
  a[5] = 0.9f;
  p = output_probabilities(a, Activation::sigmoid);
  EXPECT_NEAR(p.digits[3], p.digits[5], 1e-12);
  EXPECT_LT(p.digits[3], 0.5);
}

TEST(ReadDigit, IsOneForwardPassOfOutputsAndPredict) {
  const Network net({784, 30, 10}, 4);
  for (std::size_t i = 0; i < 20; ++i) {
    const auto image = test_images().image(i);
    const Reading r = read_digit(net, image);
    EXPECT_EQ(r.outputs, outputs(net, image));
    EXPECT_EQ(r.digit, predict(net, image));
    EXPECT_EQ(r.probabilities, output_probabilities(r.outputs, Activation::sigmoid).digits);
    EXPECT_NE(r.second, r.digit);
    EXPECT_GE(r.outputs[static_cast<std::size_t>(r.digit)],
              r.outputs[static_cast<std::size_t>(r.second)]);
  }
}

TEST(PredictAll, GivesTheDigitsAndTheirProbabilities) {
  const Network net({784, 30, 10}, 5);
  const Dataset data = slice(test_images(), 0, 300);  // two batches, the second one short
  const std::vector<Prediction> predictions = predict_all(net, data);
  ASSERT_EQ(predictions.size(), data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    // One image alone takes other kernels than a batch of 256: equal up to rounding.
    const Reading r = read_digit(net, data.image(i));
    EXPECT_NEAR(predictions[i].confidence, r.probabilities[predictions[i].digit], 1e-5) << i;
  }
}

}  // namespace
}  // namespace digitnet
