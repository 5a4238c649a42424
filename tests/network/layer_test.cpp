// The same three checks for every kind of layer, through one generic checker: backprop against
// central finite differences (double), a forward pass against a plain hand-written definition,
// and a save/load round trip through the model file. A new kind of layer adds one LayerCase
// to `cases()` below.
#include "digitnet/network/layer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <span>

#include "digitnet/core/random.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/network/layer_registry.hpp"
#include "digitnet/network/network.hpp"
#include "digitnet/training/dropout.hpp"
#include "network/input_gradient.hpp"

namespace digitnet {
namespace {

// One layer's plain definition: its output for one example, from its weights and biases
// (row-major, as in the parameter buffer) and its input (channel by channel, row by row).
using Definition = std::function<std::vector<double>(
    const std::vector<double>& weights, const std::vector<double>& biases,
    const std::vector<double>& input)>;

struct LayerCase {
  std::string name;
  Shape input;
  std::string spec;  // the layer under test, as a layer list item
  Definition definition;
};

// Test names and failure messages show the case's name, not its bytes.
void PrintTo(const LayerCase& c, std::ostream* out) { *out << c.name; }

double apply(Activation f, double z) {
  switch (f) {
    case Activation::sigmoid: return 1 / (1 + std::exp(-z));
    case Activation::tanh: return std::tanh(z);
    case Activation::relu: return z > 0 ? z : 0;
    default: return z;
  }
}

Definition dense_definition(Activation f) {
  return [f](const std::vector<double>& w, const std::vector<double>& b,
             const std::vector<double>& x) {
    std::vector<double> a(b.size());
    for (std::size_t j = 0; j < b.size(); ++j) {
      double z = b[j];
      for (std::size_t k = 0; k < x.size(); ++k) z += w[j * x.size() + k] * x[k];
      a[j] = apply(f, z);
    }
    return a;
  };
}

// A convolution of `maps` k×k kernels with `pad` zeros around the input, written plainly.
Definition conv_definition(Activation f, Shape in, std::size_t maps, std::size_t k,
                           std::size_t pad) {
  return [=](const std::vector<double>& w, const std::vector<double>& b,
             const std::vector<double>& x) {
    const std::size_t oh = in.height + 2 * pad - k + 1, ow = in.width + 2 * pad - k + 1;
    std::vector<double> a;
    for (std::size_t map = 0; map < maps; ++map)
      for (std::size_t oy = 0; oy < oh; ++oy)
        for (std::size_t ox = 0; ox < ow; ++ox) {
          double z = b[map];
          for (std::size_t c = 0; c < in.channels; ++c)
            for (std::size_t i = 0; i < k; ++i)
              for (std::size_t j = 0; j < k; ++j) {
                const auto y = static_cast<long>(oy + i) - static_cast<long>(pad);
                const auto xx = static_cast<long>(ox + j) - static_cast<long>(pad);
                if (y < 0 || xx < 0 || y >= static_cast<long>(in.height) ||
                    xx >= static_cast<long>(in.width))
                  continue;
                z += w[((map * in.channels + c) * k + i) * k + j] *
                     x[(c * in.height + static_cast<std::size_t>(y)) * in.width +
                       static_cast<std::size_t>(xx)];
              }
          a.push_back(apply(f, z));
        }
    return a;
  };
}

// p×p max-pooling with stride p, written plainly.
Definition pool_definition(Shape in, std::size_t p) {
  return [=](const std::vector<double>&, const std::vector<double>&,
             const std::vector<double>& x) {
    std::vector<double> a;
    for (std::size_t c = 0; c < in.channels; ++c)
      for (std::size_t oy = 0; oy < in.height / p; ++oy)
        for (std::size_t ox = 0; ox < in.width / p; ++ox) {
          double best = -INFINITY;
          for (std::size_t i = 0; i < p; ++i)
            for (std::size_t j = 0; j < p; ++j)
              best = std::max(best, x[(c * in.height + oy * p + i) * in.width + ox * p + j]);
          a.push_back(best);
        }
    return a;
  };
}

// Batch normalisation in inference: each channel by its population statistics (W's columns 1
// and 2), scaled by γ (column 0) and shifted by β, written plainly.
Definition norm_definition(Activation f, Shape in) {
  return [=](const std::vector<double>& w, const std::vector<double>& b,
             const std::vector<double>& x) {
    std::vector<double> a;
    const std::size_t plane = in.height * in.width;
    for (std::size_t c = 0; c < in.channels; ++c)
      for (std::size_t i = 0; i < plane; ++i)
        a.push_back(apply(f, w[c * 3] * (x[c * plane + i] - w[c * 3 + 1]) /
                                     std::sqrt(w[c * 3 + 2] + 1e-5) +
                                 b[c]));
    return a;
  };
}

// Every kind of layer, in the shapes that exercise it. One line per case.
std::vector<LayerCase> cases() {
  return {
      {"DenseSigmoid", flat_shape(5), "dense:4:sigmoid", dense_definition(Activation::sigmoid)},
      {"DenseTanhOnAnImage", {2, 3, 3}, "dense:3:tanh", dense_definition(Activation::tanh)},
      {"DenseRelu", flat_shape(6), "dense:7:relu", dense_definition(Activation::relu)},
      {"DenseIdentity", flat_shape(3), "dense:2:identity", dense_definition(Activation::identity)},
      {"ConvValidOneChannel", {1, 6, 6}, "conv:3x3:sigmoid",
       conv_definition(Activation::sigmoid, {1, 6, 6}, 3, 3, 0)},
      {"ConvSamePaddingManyChannels", {2, 5, 5}, "conv:4x3x3:tanh:same",
       conv_definition(Activation::tanh, {2, 5, 5}, 4, 3, 1)},
      {"ConvReluOnANonSquareInput", {3, 4, 5}, "conv:2x2:relu",
       conv_definition(Activation::relu, {3, 4, 5}, 2, 2, 0)},
      {"ConvSameWideKernel", {1, 4, 6}, "conv:2x5:identity:same",
       conv_definition(Activation::identity, {1, 4, 6}, 2, 5, 2)},
      {"PoolTwoByTwo", {2, 4, 4}, "pool:2", pool_definition({2, 4, 4}, 2)},
      {"PoolThreeDropsTheRest", {3, 7, 8}, "pool:3", pool_definition({3, 7, 8}, 3)},
      {"PoolTwoByTwoDropsAnOddRowAndColumn", {2, 5, 7}, "pool:2", pool_definition({2, 5, 7}, 2)},
      {"NormOnMaps", {3, 2, 3}, "norm:relu", norm_definition(Activation::relu, {3, 2, 3})},
      {"NormOfOneMap", {1, 4, 4}, "norm:identity",
       norm_definition(Activation::identity, {1, 4, 4})},
      {"NormAfterADenseLayer", flat_shape(5), "norm:tanh",
       norm_definition(Activation::tanh, flat_shape(5))},
  };
}

LayerSpec parse_one(const std::string& text) {
  std::string problem;
  const std::vector<LayerSpec> layers =
      parse_layer_list(text, Activation::sigmoid, Activation::sigmoid, &problem);
  EXPECT_EQ(problem, "");
  EXPECT_EQ(layers.size(), 1u);
  return layers.at(0);
}

// The layer under test, then a dense sigmoid output layer (the quadratic cost).
Architecture around(const LayerCase& c) {
  Architecture arch;
  arch.input = c.input;
  arch.layers = {parse_one(c.spec), parse_one("dense:3:sigmoid")};
  return arch;
}

Matrix<double> random_inputs(std::size_t rows, Eigen::Index m, std::uint64_t seed) {
  Rng rng(seed, 7);
  Matrix<double> x(static_cast<Eigen::Index>(rows), m);
  for (Eigen::Index j = 0; j < m; ++j)
    for (Eigen::Index i = 0; i < x.rows(); ++i) x(i, j) = rng.uniform() * 2 - 1;
  return x;
}

class EveryLayer : public ::testing::TestWithParam<LayerCase> {};

// Central differences of f at every element of v, compared with `analytic`.
template <typename F>
double check_gradient(std::span<double> v, std::span<const double> analytic, F&& f,
                      const char* what) {
  double largest = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double keep = v[i], h = 1e-6;
    v[i] = keep + h;
    const double up = f();
    v[i] = keep - h;
    const double down = f();
    v[i] = keep;
    const double numeric = (up - down) / (2 * h);
    largest = std::max(largest, std::abs(numeric - analytic[i]));
    EXPECT_NEAR(analytic[i], numeric, 1e-7 * std::max(1.0, std::abs(numeric))) << what << " " << i;
  }
  return largest;
}

TEST_P(EveryLayer, BackpropMatchesCentralFiniteDifferences) {
  const Architecture arch = around(GetParam());
  ASSERT_EQ(architecture_problem(arch), "");
  NetworkD net(arch, 3, Init::scaled_normal);
  const Eigen::Index m = 4;
  Matrix<double> x = random_inputs(arch.input.size(), m, 1);
  const Matrix<double> y = random_inputs(3, m, 2).cwiseAbs();
  Workspace<double> ws = net.make_workspace(m);
  Parameters<double> nabla(net.parameter_layout());
  net.backprop(x, y, ws, nabla);
  // The cost of the forward pass backprop differentiates: in training mode (normalisation by
  // the batch's own statistics; for every other kind the same as inference).
  const auto cost = [&] {
    Workspace<double> w = net.make_workspace(m);
    Parameters<double> unused(net.parameter_layout());
    return net.backprop(x, y, w, unused);
  };
  // ∂C/∂parameters of every layer, from backprop.
  const double largest_parameter =
      check_gradient(net.parameters().flat(), nabla.flat(), cost, "parameter");
  // ∂C/∂x from the layer's own backward, given its δ from backprop.
  const Matrix<double> input_delta = testing::first_layer_input_gradient(net, x, ws);
  const std::span<const double> analytic(input_delta.data(), static_cast<std::size_t>(x.size()));
  const double largest_input =
      check_gradient(std::span<double>(x.data(), static_cast<std::size_t>(x.size())), analytic,
                     cost, "input");
  std::printf("%s: largest difference from finite differences: parameters %.3g, input %.3g\n",
              GetParam().name.c_str(), largest_parameter, largest_input);
}

TEST_P(EveryLayer, ForwardMatchesItsPlainDefinition) {
  const LayerCase& c = GetParam();
  Architecture arch;
  arch.input = c.input;
  arch.layers = {parse_one(c.spec)};
  arch.cost = Cost::quadratic;
  ASSERT_EQ(architecture_problem(arch), "");
  const NetworkD net(arch, 5, Init::scaled_normal);
  const Eigen::Index m = 3;
  const Matrix<double> x = random_inputs(arch.input.size(), m, 4);
  const Matrix<double> a = net.feedforward(x);
  const auto w = net.parameters().weights(0);
  const auto b = net.parameters().biases(0);
  const std::vector<double> weights(w.data(), w.data() + w.size());
  const std::vector<double> biases(b.data(), b.data() + b.size());
  for (Eigen::Index j = 0; j < m; ++j) {
    const std::vector<double> expected =
        c.definition(weights, biases, std::vector<double>(x.col(j).begin(), x.col(j).end()));
    ASSERT_EQ(static_cast<Eigen::Index>(expected.size()), a.rows());
    for (Eigen::Index i = 0; i < a.rows(); ++i)
      EXPECT_NEAR(a(i, j), expected[static_cast<std::size_t>(i)], 1e-12) << i << "," << j;
  }
}

TEST_P(EveryLayer, SurvivesASaveAndLoadRoundTrip) {
  Architecture arch = around(GetParam());
  // Model files hold float networks whose last layer gives the ten digits.
  arch.layers.back() = parse_one("dense:10:sigmoid");
  const Network net(arch, 9, Init::scaled_normal);
  const Network loaded = parse_model(serialize_model(net), "round-trip");
  EXPECT_EQ(loaded.architecture(), net.architecture());
  EXPECT_TRUE(loaded.parameters().as_vector() == net.parameters().as_vector());
  const Matrix<float> x = random_inputs(arch.input.size(), 2, 6).cast<float>();
  EXPECT_TRUE(loaded.feedforward(x) == net.feedforward(x));
}

INSTANTIATE_TEST_SUITE_P(Kinds, EveryLayer, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

// ReLU, identity and pooling layers store no f'(z) in training (Layer::derivative_rule): the
// layer above has it by the rule. A network with each kind above such layers, and a ReLU layer
// under dropout (which stores it), against central differences of every parameter.
TEST(DerivativeRules, EveryKindAboveALayerWithoutStoredDerivativeGetsTheGradientRight) {
  Architecture arch;
  arch.input = {2, 8, 8};
  std::string problem;
  arch.layers = parse_layer_list(
      "conv:3x3:relu,pool:2,conv:3x3:identity:same,norm:relu,conv:2x2:relu,dense:6:relu,"
      "norm:relu,dense:5:relu:dropout=0.5,dense:4:identity,dense:4:relu,dense:3:sigmoid",
      Activation::relu, Activation::sigmoid, &problem);
  ASSERT_EQ(problem, "");
  ASSERT_EQ(architecture_problem(arch), "");
  NetworkD net(arch, 11, Init::he);
  // Biases away from 0: a unit whose inputs are all 0 (dropped, or dead ReLUs below) would
  // otherwise sit on ReLU's kink, where central differences see half a slope.
  Rng draw(15);
  for (std::size_t l = 0; l < net.layers(); ++l)
    for (double& b : net.parameters().biases(l)) b = draw.uniform() - 0.5;
  const Eigen::Index m = 4;
  const Matrix<double> x = random_inputs(arch.input.size(), m, 12);
  const Matrix<double> y = random_inputs(3, m, 13).cwiseAbs();
  Workspace<double> ws = net.make_workspace(m);
  Rng rng(14);  // masks drawn once: the same for every pass below
  draw_dropout_masks(ws, dropout_rates(arch, 0), static_cast<std::size_t>(m), rng);
  Parameters<double> nabla(net.parameter_layout());
  net.backprop(x, y, ws, nabla);
  const auto cost = [&] {
    Parameters<double> unused(net.parameter_layout());
    return net.backprop(x, y, ws, unused);
  };
  const double largest = check_gradient(net.parameters().flat(), nabla.flat(), cost, "parameter");
  std::printf("largest difference from finite differences: %.3g\n", largest);
}

TEST(LayerList, ParsesKindsNumbersActivationsAndOptions) {
  std::string problem;
  const auto layers =
      parse_layer_list("dense:100:relu,dense:10", Activation::tanh, Activation::softmax, &problem);
  EXPECT_EQ(problem, "");
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[0], (LayerSpec{"dense", {100}, Activation::relu, {}}));
  EXPECT_EQ(layers[1], (LayerSpec{"dense", {10}, Activation::softmax, {}}));
  EXPECT_EQ(to_string(layers), "dense:100:relu,dense:10:softmax");
  EXPECT_EQ(parse_layer_list(to_string(layers), Activation::sigmoid, Activation::sigmoid,
                             &problem),
            layers);
}

TEST(LayerList, RefusesMalformedItemsNamingTheLayer) {
  for (const std::string text : {"dense:100,:3", "dense:1x", "dense:-5", "dense:100:relu:tanh",
                                 "dense:99999999999999999999"}) {
    std::string problem;
    EXPECT_TRUE(parse_layer_list(text, Activation::sigmoid, Activation::sigmoid, &problem).empty())
        << text;
    EXPECT_NE(problem.find("layer "), std::string::npos) << text << ": " << problem;
  }
}

TEST(LayerList, KindRulesAreCheckedAgainstTheInputNamingTheLayer) {
  Architecture arch;
  arch.input = flat_shape(784);
  std::string problem;
  arch.layers = parse_layer_list("dense:30,dense:0,dense:10", Activation::sigmoid,
                                 Activation::sigmoid, &problem);
  EXPECT_NE(architecture_problem(arch).find("layer 2 (dense:0:sigmoid)"), std::string::npos)
      << architecture_problem(arch);
  arch.layers = parse_layer_list("dense:30,conv2:3,dense:10", Activation::sigmoid,
                                 Activation::sigmoid, &problem);
  EXPECT_NE(architecture_problem(arch).find("unknown kind 'conv2'"), std::string::npos)
      << architecture_problem(arch);
  arch.layers = parse_layer_list("dense:30:softmax,dense:10", Activation::sigmoid,
                                 Activation::sigmoid, &problem);
  EXPECT_NE(architecture_problem(arch).find("layer 1"), std::string::npos);
}

TEST(LayerRegistry, NamesAndIdentifiersAreUnique) {
  const auto& kinds = layer_kinds();
  for (std::size_t i = 0; i < kinds.size(); ++i)
    for (std::size_t j = i + 1; j < kinds.size(); ++j) {
      EXPECT_NE(kinds[i].name, kinds[j].name);
      EXPECT_NE(kinds[i].id, kinds[j].id);
    }
  EXPECT_EQ(find_layer_kind("dense")->id, 1);
  EXPECT_EQ(find_layer_kind(std::uint8_t{1})->name, "dense");
}

TEST(Pooling, TiesGoToTheFirstMaximumInTheWindowRowByRow) {
  Architecture arch;
  arch.input = {1, 2, 4};
  arch.layers = {parse_one("pool:2")};
  const NetworkD net(arch);
  Matrix<double> x(8, 1);
  // Window 1: 3 at (0,1) and (1,0); window 2: all equal.
  x << 1, 3, 5, 5,  //
      3, 2, 5, 5;
  Workspace<double> ws = net.make_workspace(1);
  Parameters<double> nabla(net.parameter_layout());
  const Matrix<double> y = Matrix<double>::Zero(2, 1);
  net.backprop(x, y, ws, nabla);
  EXPECT_EQ(ws.activations[1](0, 0), 3);
  EXPECT_EQ(ws.activations[1](1, 0), 5);
  // δ goes to one input per window only: the first maximum, row by row.
  const Matrix<double> input_delta = testing::first_layer_input_gradient(net, x, ws);
  Matrix<double> expected = Matrix<double>::Zero(8, 1);
  expected(1, 0) = ws.deltas[0](0, 0);
  expected(2, 0) = ws.deltas[0](1, 0);
  EXPECT_EQ(input_delta, expected);
  EXPECT_NE(ws.deltas[0](0, 0), 0);
}

// A network of one normalisation layer on 2 maps of 3×3, with γ and β of its own.
NetworkD one_norm_layer(const std::string& spec) {
  Architecture arch;
  arch.input = {2, 3, 3};
  arch.layers = {parse_one(spec)};
  arch.cost = Cost::quadratic;
  NetworkD net(arch, 1);
  net.parameters().weights(0).col(0) << 2, 0.5;  // γ
  net.parameters().biases(0) << 0.25, -1;       // β
  return net;
}

TEST(Normalization, StartsAsTheIdentityWithoutDrawingFromTheSeed) {
  Architecture arch;
  arch.input = {2, 3, 3};
  arch.layers = {parse_one("norm:identity")};
  const NetworkD net(arch, 7);
  Matrix<double> expected(2, 3);
  expected << 1, 0, 1,  //
      1, 0, 1;
  EXPECT_EQ(net.parameters().weights(0), expected);
  EXPECT_TRUE(net.parameters().biases(0).isZero());
  // The layers after it draw what they would have drawn without it.
  arch.layers = {parse_one("norm:identity"), parse_one("dense:3:sigmoid")};
  Architecture plain;
  plain.input = arch.input;
  plain.layers = {parse_one("dense:3:sigmoid")};
  EXPECT_EQ(NetworkD(arch, 7).parameters().weights(1), NetworkD(plain, 7).parameters().weights(0));
}

TEST(Normalization, TrainingGivesEachChannelTheMeanBetaAndTheSpreadGamma) {
  const NetworkD net = one_norm_layer("norm:identity");
  const Eigen::Index m = 5;
  Matrix<double> x = random_inputs(18, m, 3);
  x.bottomRows(9).array() = x.bottomRows(9).array() * 7 + 3;  // the second map far from 0 and 1
  Workspace<double> ws = net.make_workspace(m);
  Parameters<double> nabla(net.parameter_layout());
  net.backprop(x, Matrix<double>::Zero(18, m), ws, nabla);
  const Matrix<double> a = ws.activations[1].leftCols(m);
  const double gamma[] = {2, 0.5}, beta[] = {0.25, -1};
  for (Eigen::Index c = 0; c < 2; ++c) {
    const auto values = a.middleRows(9 * c, 9).array();
    const double mean = values.mean();
    const double variance = (values - mean).square().mean();
    EXPECT_NEAR(mean, beta[c], 1e-12) << c;
    EXPECT_NEAR(variance, gamma[c] * gamma[c], 1e-3 * gamma[c] * gamma[c]) << c;
  }
  // No gradient reaches the statistics' columns.
  EXPECT_TRUE(nabla.weights(0).rightCols(2).isZero());
  EXPECT_FALSE(nabla.weights(0).col(0).isZero());
}

TEST(Normalization, EstimatedStatisticsMakeInferenceEqualTrainingOnThatBatch) {
  NetworkD net = one_norm_layer("norm:tanh");
  const Eigen::Index m = 6;
  Matrix<double> x = random_inputs(18, m, 4);
  x.bottomRows(9).array() += 2;
  Workspace<double> ws = net.make_workspace(m);
  Parameters<double> nabla(net.parameter_layout());
  net.backprop(x, Matrix<double>::Zero(18, m), ws, nabla);
  const Matrix<double> training = ws.activations[1].leftCols(m);
  EXPECT_FALSE(net.feedforward(x).isApprox(training, 1e-3));  // before: mean 0, variance 1
  ASSERT_TRUE(net.keeps_statistics());
  NetworkD::StatisticsSums sums;
  // Two halves of the batch: their means and second moments, averaged, are the whole's.
  net.add_statistics(x.leftCols(3), ws, sums);
  net.add_statistics(x.rightCols(3), ws, sums);
  EXPECT_EQ(sums.examples, 6);
  net.set_statistics(sums);
  EXPECT_NEAR(net.parameters().weights(0)(1, 1), x.bottomRows(9).mean(), 1e-12);
  const Matrix<double> inference = net.feedforward(x);
  EXPECT_LT((inference - training).cwiseAbs().maxCoeff(), 1e-9);
}

TEST(Normalization, OneThreadAndTwoGiveTheSameNumbers) {
  Architecture arch;
  arch.input = {1, 12, 12};
  std::string problem;
  // Large enough for the workspace to give it two threads (make_workspace).
  arch.layers =
      parse_layer_list("conv:16x5:identity,norm:relu,pool:2,dense:40:identity,norm,dense:10",
                       Activation::relu, Activation::softmax, &problem);
  arch.cost = Cost::log_likelihood;
  ASSERT_EQ(architecture_problem(arch), "");
  const Network net(arch, 2, Init::he);
  const Eigen::Index m = 128;
  const Matrix<float> x = random_inputs(144, m, 5).cast<float>();
  Matrix<float> y = Matrix<float>::Zero(10, m);
  for (Eigen::Index j = 0; j < m; ++j) y(j % 10, j) = 1;
  Parameters<float> one(net.parameter_layout()), two(net.parameter_layout());
  Workspace<float> ws1 = net.make_workspace(m, 1), ws2 = net.make_workspace(m, 2);
  ASSERT_EQ(ws2.threads, 2);
  net.backprop(x, y, ws1, one);
  net.backprop(x, y, ws2, two);
  EXPECT_TRUE(one.as_vector() == two.as_vector());
  EXPECT_FALSE(one.weights(1).col(0).isZero());
}

TEST(Normalization, RulesNameWhatToWrite) {
  Architecture arch;
  arch.input = {1, 28, 28};
  arch.cost = Cost::log_likelihood;
  std::string problem;
  for (const auto& [text, words] : std::vector<std::pair<std::string, std::string>>{
           {"norm:3,dense:10", "no number"},
           {"norm:same,dense:10", "no option 'same'"},
           {"norm:softmax,dense:10", "dense softmax"},
       }) {
    arch.layers = parse_layer_list(text, Activation::relu, Activation::softmax, &problem);
    const std::string found = architecture_problem(arch);
    EXPECT_NE(found.find("layer 1"), std::string::npos) << text << ": " << found;
    EXPECT_NE(found.find(words), std::string::npos) << text << ": " << found;
  }
  arch.layers = parse_layer_list("conv:8x3:identity,norm:relu,pool:2,dense:10", Activation::relu,
                                 Activation::softmax, &problem);
  EXPECT_EQ(architecture_problem(arch), "");
}

TEST(LayerList, ConvolutionAndPoolingRulesNameWhatToWrite) {
  const auto problem_of = [](const std::string& text, Shape input) {
    Architecture arch;
    arch.input = input;
    std::string problem;
    arch.layers = parse_layer_list(text, Activation::relu, Activation::softmax, &problem);
    EXPECT_EQ(problem, "") << text;
    arch.cost = Cost::log_likelihood;
    return architecture_problem(arch);
  };
  const Shape image = {1, 28, 28};
  EXPECT_EQ(problem_of("conv:20x5,pool:2,conv:40x5x5,pool:2,dense:100,dense:10", image), "");
  EXPECT_EQ(problem_of("conv:8x3:same,pool:2,dense:10", image), "");
  for (const auto& [text, words] : std::vector<std::pair<std::string, std::string>>{
           {"conv:20,dense:10", "conv:20x5"},
           {"conv:20x5x3,dense:10", "square"},
           {"conv:20x4:same,dense:10", "odd kernel"},
           {"conv:20x29,dense:10", "does not fit"},
           {"conv:20x5:wide,dense:10", "valid or same"},
           {"pool:2:relu,dense:10", "no activation"},
           {"pool:30,dense:10", "does not fit"},
           {"pool:2x3,dense:10", "square"},
       }) {
    const std::string problem = problem_of(text, image);
    EXPECT_NE(problem.find("layer 1"), std::string::npos) << text << ": " << problem;
    EXPECT_NE(problem.find(words), std::string::npos) << text << ": " << problem;
  }
  EXPECT_NE(problem_of("conv:4x3:softmax", image).find("dense softmax"), std::string::npos);
}

TEST(DenseStack, SizesShorthandEqualsTheLayerList) {
  Architecture from_list;
  from_list.input = flat_shape(784);
  std::string problem;
  from_list.layers = parse_layer_list("dense:30,dense:10", Activation::sigmoid,
                                      Activation::sigmoid, &problem);
  EXPECT_EQ(Architecture::seeds({784, 30, 10}), from_list);
  EXPECT_EQ(from_list.sizes(), (std::vector<std::size_t>{784, 30, 10}));
  EXPECT_TRUE(Network(from_list, 1).parameters().as_vector() ==
              Network({784, 30, 10}, 1).parameters().as_vector());
}

}  // namespace
}  // namespace digitnet
