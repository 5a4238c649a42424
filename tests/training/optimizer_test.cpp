// Tests of the optimisers and dropout: first steps against hand-computed values.
#include "digitnet/training/optimizer.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "digitnet/training/dropout.hpp"
#include "digitnet/network/network.hpp"

namespace digitnet {
namespace {

// A "network" of one weight and one bias: sizes {1, 1}.
struct Tiny {
  Parameters<float> p{std::vector<std::size_t>{1, 1}};
  Parameters<float> g{std::vector<std::size_t>{1, 1}};
  float& w() { return p.weights(0)(0, 0); }
  float& b() { return p.biases(0)(0); }
};

TEST(Optimizer, AdamsFirstStepsMatchHandComputation) {
  Tiny t;
  t.w() = 1.0f;
  t.b() = -2.0f;
  Optimizer adam({OptimizerSettings::Kind::adam}, t.p.layout());
  t.g.weights(0)(0, 0) = 0.5f;
  t.g.biases(0)(0) = -4.0f;
  adam.step(t.p, t.g, 0.001f);
  // Step 1: m̂ = g, ŝ = g², so the step is eta·g/(|g| + ε) ≈ eta·sign(g), whatever |g|.
  EXPECT_NEAR(t.w(), 1.0 - 0.001 * 0.5 / (0.5 + 1e-8), 1e-7);
  EXPECT_NEAR(t.b(), -2.0 + 0.001 * 4.0 / (4.0 + 1e-8), 1e-7);
  // Step 2 with g = 0.1 for w: m = 0.9·0.05 + 0.1·0.1 = 0.055, m̂ = 0.055/0.19;
  // s = 0.999·0.00025 + 0.001·0.01 = 0.00026, ŝ = 0.00026/(1 − 0.999²).
  const double w1 = t.w();
  t.g.weights(0)(0, 0) = 0.1f;
  adam.step(t.p, t.g, 0.001f);
  const double m_hat = 0.055 / (1 - 0.81);
  const double s_hat = (0.999 * 0.25 * 0.001 + 0.001 * 0.01) / (1 - 0.999 * 0.999);
  EXPECT_NEAR(t.w(), w1 - 0.001 * m_hat / (std::sqrt(s_hat) + 1e-8), 1e-7);
  EXPECT_EQ(adam.steps(), 2u);
}

TEST(Optimizer, MomentumAndNesterovMatchHandComputation) {
  for (const auto kind : {OptimizerSettings::Kind::momentum, OptimizerSettings::Kind::nesterov}) {
    Tiny t;
    t.w() = 1.0f;
    OptimizerSettings settings{kind};
    settings.momentum = 0.5;
    Optimizer optimizer(settings, t.p.layout());
    t.g.weights(0)(0, 0) = 2.0f;
    optimizer.step(t.p, t.g, 0.1f);  // v = −0.2
    optimizer.step(t.p, t.g, 0.1f);  // v = 0.5·(−0.2) − 0.2 = −0.3
    const double expected = kind == OptimizerSettings::Kind::momentum
                                ? 1.0 - 0.2 - 0.3                        // w + v, twice
                                : 1.0 + (0.5 * -0.2 - 0.2) + (0.5 * -0.3 - 0.2);  // w + μv − eta·g
    EXPECT_NEAR(t.w(), expected, 1e-6) << name(kind);
  }
}

TEST(Optimizer, PlainSgdIsTheSeedsRule) {
  Tiny t;
  t.w() = 1.0f;
  t.g.weights(0)(0, 0) = 2.0f;
  Optimizer sgd({}, t.p.layout());
  sgd.step(t.p, t.g, 0.25f);
  EXPECT_FLOAT_EQ(t.w(), 0.5f);
}

TEST(Dropout, MasksDropAboutTheRateAndScaleTheRest) {
  Network net({4, 200, 50, 10});
  Workspace<float> ws = net.make_workspace(100);
  Rng rng(1);
  draw_dropout_masks(ws, 0.25, 100, rng);
  ASSERT_TRUE(ws.dropout);
  for (const std::size_t layer : {1u, 2u}) {
    const auto mask = ws.masks[layer].leftCols(100);
    const double dropped = (mask.array() == 0.0f).cast<double>().mean();
    EXPECT_NEAR(dropped, 0.25, 0.02) << layer;
    EXPECT_TRUE(((mask.array() == 0.0f) || (mask.array() == 1.0f / 0.75f)).all());
  }
  // Masks for hidden layers 1..L−1 only: never the input, never the output layer.
  EXPECT_EQ(ws.masks.size(), net.layers());
  EXPECT_EQ(ws.masks[0].size(), 0);
  draw_dropout_masks(ws, 0.0, 100, rng);
  EXPECT_FALSE(ws.dropout);
}

TEST(Dropout, ALayersOwnRateOverridesTheHiddenLayersRateAndOnlyItIsMasked) {
  Architecture arch;
  arch.input = {1, 8, 8};
  arch.cost = Cost::log_likelihood;
  std::string problem;
  arch.layers = parse_layer_list("conv:4x3:relu,pool:2:dropout=0.5,dense:20:relu:dropout=0,"
                                 "dense:30:relu,dense:10",
                                 Activation::relu, Activation::softmax, &problem);
  ASSERT_EQ(architecture_problem(arch), "");
  EXPECT_EQ(dropout_rates(arch, 0.0), (std::vector<double>{0, 0.5, 0, 0, 0}));
  EXPECT_EQ(dropout_rates(arch, 0.2), (std::vector<double>{0.2, 0.5, 0, 0.2, 0}));
  const Network net(arch, 1, Init::he);
  Workspace<float> ws = net.make_workspace(50);
  Rng rng(3);
  const std::vector<double> rates = dropout_rates(arch, 0.0);
  draw_dropout_masks(ws, std::span<const double>(rates), 50, rng);
  ASSERT_TRUE(ws.dropout);
  // Only the pooling layer's outputs (activations[2]) have a mask.
  for (const std::size_t l : {1u, 3u, 4u}) EXPECT_EQ(ws.masks[l].size(), 0) << l;
  const auto mask = ws.masks[2].leftCols(50);
  EXPECT_NEAR((mask.array() == 0.0f).cast<double>().mean(), 0.5, 0.03);
  // In training the masked layer's zeros reach its activations; evaluation is unmasked.
  Matrix<float> x = Matrix<float>::Constant(64, 50, 0.5f);
  Matrix<float> y = Matrix<float>::Zero(10, 50);
  y.row(3).setOnes();
  Parameters<float> nabla(net.parameter_layout());
  net.backprop(x, y, ws, nabla);
  const auto pooled = ws.activations[2].leftCols(50);
  EXPECT_TRUE(((mask.array() != 0.0f) || (pooled.array() == 0.0f)).all());
  EXPECT_GT((pooled.array() == 0.0f).cast<double>().mean(), 0.4);
}

TEST(Dropout, RatesOnLayersAreCheckedNamingTheLayer) {
  const auto problem_of = [](const std::string& text) {
    Architecture arch;
    arch.input = flat_shape(20);
    std::string problem;
    arch.layers = parse_layer_list(text, Activation::relu, Activation::sigmoid, &problem);
    EXPECT_EQ(problem, "") << text;
    return architecture_problem(arch);
  };
  EXPECT_EQ(problem_of("dense:10:dropout=0.5,dense:10"), "");
  EXPECT_NE(problem_of("dense:10:dropout=1.5,dense:10").find("layer 1"), std::string::npos);
  EXPECT_NE(problem_of("dense:10:dropout=x,dense:10").find("e.g. dropout=0.5"), std::string::npos);
  EXPECT_NE(problem_of("dense:10:dropout=0.1:dropout=0.2,dense:10").find("once"),
            std::string::npos);
  EXPECT_NE(problem_of("dense:10,dense:10:dropout=0.5").find("output layer"), std::string::npos);
  std::string problem;
  const auto layers = parse_layer_list("dense:10:relu:dropout=0.25", Activation::relu,
                                       Activation::relu, &problem);
  EXPECT_EQ(to_string(layers), "dense:10:relu:dropout=0.25");
}

TEST(Dropout, GradientIsTheMaskedNetworksAndDroppedNeuronsLearnNothing) {
  NetworkD net(Architecture::of({3, 4, 2}, Activation::tanh, Activation::softmax,
                                Cost::log_likelihood),
               5, Init::scaled_normal);
  Workspace<double> ws = net.make_workspace(1);
  ws.dropout = true;
  ws.masks[1].resize(4, 1);
  ws.masks[1] << 2.0, 0.0, 2.0, 0.0;  // p = 0.5: neurons 1 and 3 dropped
  Matrix<double> x(3, 1), y(2, 1);
  x << 0.3, -0.7, 0.9;
  y << 0.0, 1.0;
  Parameters<double> nabla(net.sizes()), scratch(net.sizes());
  net.backprop(x, y, ws, nabla);
  // The dropped neurons' incoming weights and biases, and their outgoing weights, get nothing.
  for (const Eigen::Index j : {1, 3}) {
    EXPECT_TRUE(nabla.weights(0).row(j).isZero());
    EXPECT_EQ(nabla.biases(0)(j), 0.0);
    EXPECT_TRUE(nabla.weights(1).col(j).isZero());
  }
  // Finite differences of the masked network's cost (backprop returns it).
  auto p = net.parameters().flat();
  const double h = 1e-6;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double saved = p[i];
    p[i] = saved + h;
    const double plus = net.backprop(x, y, ws, scratch);
    p[i] = saved - h;
    const double minus = net.backprop(x, y, ws, scratch);
    p[i] = saved;
    EXPECT_NEAR(nabla.as_vector()(static_cast<Eigen::Index>(i)), (plus - minus) / (2 * h), 1e-6)
        << "parameter " << i;
  }
  EXPECT_GT(nabla.weights(0).row(0).norm() + nabla.weights(0).row(2).norm(), 0.0);
}

TEST(Optimizer, BandsUpdatedDuringBackpropEqualOneStepAfterIt) {
  // The trainer's path: each thread updates its rows of each layer as backprop produces them.
  // [784, 300, 10] with a batch of 40 is large enough for two threads; Adam with L2.
  const auto arch = Architecture::of({784, 300, 10}, Activation::relu, Activation::softmax,
                                     Cost::log_likelihood);
  Network banded(arch, 1, Init::he), whole(arch, 1, Init::he);
  Workspace<float> ws = banded.make_workspace(40, 2);
  ASSERT_EQ(ws.threads, 2);
  Matrix<float> x = Matrix<float>::Random(784, 40).cwiseAbs();
  Matrix<float> y = Matrix<float>::Zero(10, 40);
  for (Eigen::Index j = 0; j < 40; ++j) y(j % 10, j) = 1;
  const Regularization penalty{Regularization::Kind::l2, 5.0, 1000.0};
  OptimizerSettings settings{OptimizerSettings::Kind::adam};
  Optimizer banded_adam(settings, banded.parameter_layout()), whole_adam(settings, whole.parameter_layout());
  Parameters<float> g1(banded.parameter_layout()), g2(whole.parameter_layout());
  for (int step = 0; step < 3; ++step) {
    banded_adam.begin_step();
    banded.backprop_update(x, y, ws, g1, [&](std::size_t l, Eigen::Index r0, Eigen::Index rows) {
      const auto& p = banded.parameters();
      const auto n_in = static_cast<std::size_t>(p.weights(l).cols());
      const auto w_at = static_cast<std::size_t>(p.weights(l).data() - p.flat().data());
      const auto b_at = static_cast<std::size_t>(p.biases(l).data() - p.flat().data());
      banded_adam.update(banded.parameters(), g1, w_at + static_cast<std::size_t>(r0) * n_in,
                         static_cast<std::size_t>(rows) * n_in, 0.001f, 1.0f / 40, &penalty);
      banded_adam.update(banded.parameters(), g1, b_at + static_cast<std::size_t>(r0),
                         static_cast<std::size_t>(rows), 0.001f, 1.0f / 40);
    });
    Workspace<float> ws1 = whole.make_workspace(40, 1);
    whole.backprop(x, y, ws1, g2);
    g2.as_vector() /= 40.0f;
    for (std::size_t l = 0; l < whole.layers(); ++l)
      penalty.add_gradient(whole.parameters().weights(l), g2.weights(l));
    whole_adam.step(whole.parameters(), g2, 0.001f);
  }
  const float largest =
      (banded.parameters().as_vector() - whole.parameters().as_vector()).cwiseAbs().maxCoeff();
  EXPECT_LT(largest, 1e-5f);
  EXPECT_FALSE(banded.parameters().as_vector() ==
               Network(arch, 1, Init::he).parameters().as_vector());
}

}  // namespace
}  // namespace digitnet
