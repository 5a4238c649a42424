// digitnet's convolutional network against PyTorch: a tiny CNN (convolution with same padding,
// max-pooling, a valid convolution, dense sigmoid and softmax layers) whose parameters, inputs,
// outputs, log-likelihood cost and gradients PyTorch computed in float64. The fixture,
// tests/network/fixtures/tiny_cnn.json, is committed; make_tiny_cnn.py beside it writes it
// again (how is said at its top).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "digitnet/network/layer_spec.hpp"
#include "digitnet/network/network.hpp"
#include "network/input_gradient.hpp"

namespace digitnet {
namespace {

nlohmann::json load_fixture() {
  const std::filesystem::path path = std::filesystem::path(DIGITNET_SOURCE_DATA_DIR) / ".." /
                                     ".." / "tests" / "network" / "fixtures" / "tiny_cnn.json";
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  return nlohmann::json::parse(in);
}

// Each of `actual` near `expected` (1e-10, relative for values above 1); returns the largest
// absolute difference.
double compare(std::span<const double> actual, const std::vector<double>& expected,
               const char* what) {
  EXPECT_EQ(actual.size(), expected.size()) << what;
  double largest = 0;
  for (std::size_t i = 0; i < std::min(actual.size(), expected.size()); ++i) {
    largest = std::max(largest, std::abs(actual[i] - expected[i]));
    EXPECT_NEAR(actual[i], expected[i], 1e-10 * std::max(1.0, std::abs(expected[i])))
        << what << " " << i;
  }
  return largest;
}

// A matrix's values column by column (one example after another), as the fixture lists them.
std::vector<double> by_example(const std::vector<std::vector<double>>& examples) {
  std::vector<double> flat;
  for (const auto& e : examples) flat.insert(flat.end(), e.begin(), e.end());
  return flat;
}

TEST(GoldenTinyCnn, MatchesPyTorchOutputsCostAndGradients) {
  const nlohmann::json fixture = load_fixture();
  const auto input = fixture.at("input").get<std::vector<std::size_t>>();
  ASSERT_EQ(input.size(), 3u);
  Architecture arch;
  arch.input = {input[0], input[1], input[2]};
  std::string problem;
  arch.layers = parse_layer_list(fixture.at("layers").get<std::string>(), Activation::relu,
                                 Activation::softmax, &problem);
  ASSERT_EQ(problem, "");
  arch.cost = Cost::log_likelihood;
  ASSERT_EQ(architecture_problem(arch), "");
  NetworkD net(arch);

  const auto parameters = fixture.at("parameters").get<std::vector<double>>();
  ASSERT_EQ(net.parameters().flat().size(), parameters.size());
  std::copy(parameters.begin(), parameters.end(), net.parameters().flat().begin());

  const auto inputs = fixture.at("inputs").get<std::vector<std::vector<double>>>();
  const auto labels = fixture.at("labels").get<std::vector<std::size_t>>();
  const auto m = static_cast<Eigen::Index>(inputs.size());
  ASSERT_EQ(labels.size(), inputs.size());
  Matrix<double> x(static_cast<Eigen::Index>(net.input_size()), m);
  Matrix<double> y = Matrix<double>::Zero(static_cast<Eigen::Index>(net.output_size()), m);
  for (Eigen::Index j = 0; j < m; ++j) {
    const auto& example = inputs[static_cast<std::size_t>(j)];
    ASSERT_EQ(example.size(), net.input_size());
    for (Eigen::Index i = 0; i < x.rows(); ++i) x(i, j) = example[static_cast<std::size_t>(i)];
    const std::size_t label = labels[static_cast<std::size_t>(j)];
    ASSERT_LT(label, net.output_size());
    y(static_cast<Eigen::Index>(label), j) = 1;
  }

  // Outputs: the softmax probabilities.
  const Matrix<double> a = net.feedforward(x);
  const double largest_output =
      compare(std::span<const double>(a.data(), static_cast<std::size_t>(a.size())),
              by_example(fixture.at("outputs").get<std::vector<std::vector<double>>>()),
              "output");

  // Cost and gradient: sums over the batch, as PyTorch's NLL with reduction "sum".
  Workspace<double> ws = net.make_workspace(static_cast<std::size_t>(m));
  Parameters<double> nabla(net.parameter_layout());
  const double cost = net.backprop(x, y, ws, nabla);
  const double expected_cost = fixture.at("cost").get<double>();
  EXPECT_NEAR(cost, expected_cost, 1e-10 * std::max(1.0, std::abs(expected_cost)));
  const double largest_gradient =
      compare(nabla.flat(), fixture.at("gradient").get<std::vector<double>>(), "gradient");

  // ∂C/∂x from the first layer's backward, given its δ from backprop (the layer below is the
  // input itself: its f' is 1).
  const Matrix<double> input_delta = testing::first_layer_input_gradient(net, x, ws);
  const double largest_input = compare(
      std::span<const double>(input_delta.data(), static_cast<std::size_t>(input_delta.size())),
      by_example(fixture.at("input_gradient").get<std::vector<std::vector<double>>>()),
      "input gradient");

  std::printf("largest difference from PyTorch: outputs %.3g, cost %.3g, gradient %.3g, "
              "input gradient %.3g\n",
              largest_output, std::abs(cost - expected_cost), largest_gradient, largest_input);
}

}  // namespace
}  // namespace digitnet
