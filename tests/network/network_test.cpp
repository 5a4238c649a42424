// Tests of the network: initialisation, feedforward, backprop against finite differences and
// against the per-example definition, and one update computed by hand.
#include "digitnet/network/network.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "digitnet/core/random.hpp"
#include "digitnet/kernels/team.hpp"
#include "digitnet/network/layer_spec.hpp"
#include "digitnet/training/optimizer.hpp"
#include "naive_network.hpp"

namespace digitnet {
namespace {

template <typename Scalar>
Matrix<Scalar> random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  Rng rng(seed, 99);
  Matrix<Scalar> m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = static_cast<Scalar>(rng.uniform());
  return m;
}

template <typename Scalar>
testing::NaiveNetwork to_naive(const BasicNetwork<Scalar>& net) {
  testing::NaiveNetwork naive;
  naive.sizes = net.sizes();
  for (std::size_t l = 0; l < net.layers(); ++l) {
    const auto w = net.parameters().weights(l);
    naive.weights.emplace_back(w.rows(), testing::NaiveNetwork::Vec(w.cols()));
    for (Eigen::Index j = 0; j < w.rows(); ++j)
      for (Eigen::Index k = 0; k < w.cols(); ++k) naive.weights[l][j][k] = w(j, k);
    const auto b = net.parameters().biases(l);
    naive.biases.emplace_back(b.data(), b.data() + b.size());
  }
  return naive;
}

std::vector<std::vector<double>> columns(const Matrix<double>& m) {
  std::vector<std::vector<double>> result;
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    result.emplace_back(m.col(j).data(), m.col(j).data() + m.rows());
  return result;
}

TEST(NetworkInit, SameSeedGivesTheSameWeights) {
  const Network a({784, 30, 10}, 1), b({784, 30, 10}, 1), c({784, 30, 10}, 2);
  EXPECT_TRUE(a.parameters().as_vector() == b.parameters().as_vector());
  EXPECT_FALSE(a.parameters().as_vector() == c.parameters().as_vector());
}

TEST(NetworkInit, WeightsAreDrawnRowByRowThenTheBiases) {
  // As numpy's randn(y, x) fills an array: W(0,0), W(0,1), ..., W(1,0), ..., then b.
  NetworkD net({3, 2, 1}, 5);
  Rng rng(5);
  const auto w = net.parameters().weights(0);
  for (Eigen::Index j = 0; j < 2; ++j)
    for (Eigen::Index k = 0; k < 3; ++k) EXPECT_EQ(w(j, k), rng.normal()) << j << "," << k;
  EXPECT_EQ(net.parameters().biases(0)(0), rng.normal());
  EXPECT_EQ(net.parameters().biases(0)(1), rng.normal());
  EXPECT_EQ(net.parameters().weights(1)(0, 0), rng.normal());
}

TEST(NetworkInit, WeightsAndBiasesAreStandardNormal) {
  const Network net({784, 100, 10}, 3);
  const auto p = net.parameters().as_vector().cast<double>();
  const double mean = p.mean();
  const double variance = (p.array() - mean).square().mean();
  EXPECT_EQ(p.size(), 784 * 100 + 100 + 100 * 10 + 10);
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(variance, 1.0, 0.02);
  EXPECT_EQ(net.parameters().biases(1).size(), 10);
  EXPECT_EQ(net.parameters().weights(0).rows(), 100);
  EXPECT_EQ(net.parameters().weights(0).cols(), 784);
}

TEST(Feedforward, MatchesAHandComputedValue) {
  NetworkD net({2, 1});
  net.parameters().weights(0) << 0.5, -1.0;
  net.parameters().biases(0) << 0.25;
  Matrix<double> x(2, 1);
  x << 2.0, 0.5;
  // z = 0.5*2 - 1*0.5 + 0.25 = 0.75
  EXPECT_DOUBLE_EQ(net.feedforward(x)(0, 0), 1.0 / (1.0 + std::exp(-0.75)));
}

// A run of convolution and pooling layers is computed in chunks of examples, each chunk through
// the whole run, handed to the threads as they come free (forward_layers): every example's
// outputs must be those of each layer's own forward over the whole batch, bit for bit, for
// batches of fewer, as many and more examples than a chunk holds, on one thread and two.
TEST(Feedforward, ChunksThroughPerExampleLayersGiveTheLayersOwnNumbers) {
  Architecture arch;
  arch.input = {1, 12, 12};
  arch.cost = Cost::log_likelihood;
  std::string problem;
  arch.layers = parse_layer_list("conv:3x3:relu,pool:2,conv:4x3:same:relu,pool:2,dense:10:softmax",
                                 Activation::relu, Activation::softmax, &problem);
  ASSERT_EQ(problem, "");
  const Network net(arch, 3, Init::he);
  for (const Eigen::Index m : {1, 7, 8, 13, 37}) {
    const Matrix<float> x = random_matrix<float>(144, m, static_cast<std::uint64_t>(m));
    Matrix<float> expected = x;  // each layer alone over the whole batch, on one thread
    for (std::size_t l = 0; l < net.layers(); ++l) {
      const Layer<float>& layer = net.layer(l);
      Matrix<float> out(static_cast<Eigen::Index>(layer.output_shape().size()), m);
      Matrix<float> scratch(static_cast<Eigen::Index>(layer.scratch_rows()), m);
      layer.forward(net.parameters(), {expected, out, nullptr, nullptr, &scratch}, Team{});
      expected = out;
    }
    for (const int threads : {1, 2}) {
      Workspace<float> ws = net.make_workspace(static_cast<std::size_t>(m), threads);
      EXPECT_TRUE(net.feedforward(x, ws) == expected) << m << " examples, " << threads << " threads";
    }
  }
}

TEST(Feedforward, BatchEqualsOneColumnAtATime) {
  const Network net({6, 5, 4}, 11);
  const Matrix<float> x = random_matrix<float>(6, 7, 1);
  const Matrix<float> batch = net.feedforward(x);
  for (Eigen::Index j = 0; j < 7; ++j) {
    const Matrix<float> one = net.feedforward(x.col(j));
    EXPECT_LT((one - batch.col(j)).cwiseAbs().maxCoeff(), 1e-6f);
  }
}

TEST(Backprop, MatchesCentralFiniteDifferences) {
  // Double precision, two hidden layers, a batch of 3. With h = 1e-5 the central difference's
  // truncation error is O(h²) ≈ 1e-10 relative, rounding ≈ 1e-16/h ≈ 1e-11: far below 1e-6.
  NetworkD net({5, 4, 3, 2}, 4);
  const Matrix<double> x = random_matrix<double>(5, 3, 2);
  const Matrix<double> y = random_matrix<double>(2, 3, 3);
  Workspace<double> ws = net.make_workspace(3);
  Parameters<double> nabla(net.sizes());
  net.backprop(x, y, ws, nabla);

  const auto cost = [&] { return quadratic_cost<double>(net.feedforward(x), y); };
  auto p = net.parameters().flat();
  Vector<double> numeric(static_cast<Eigen::Index>(p.size()));
  const double h = 1e-5;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double saved = p[i];
    p[i] = saved + h;
    const double plus = cost();
    p[i] = saved - h;
    const double minus = cost();
    p[i] = saved;
    numeric(static_cast<Eigen::Index>(i)) = (plus - minus) / (2 * h);
  }
  const auto analytic = nabla.as_vector();
  const double relative = (analytic - numeric).norm() / (analytic.norm() + numeric.norm());
  EXPECT_LT(relative, 1e-6) << "largest difference " << (analytic - numeric).cwiseAbs().maxCoeff();
  for (Eigen::Index i = 0; i < numeric.size(); ++i)
    EXPECT_NEAR(analytic(i), numeric(i), 1e-6 * std::max(1.0, std::abs(numeric(i))))
        << "parameter " << i;
}

TEST(Backprop, ReturnsTheSummedQuadraticCost) {
  NetworkD net({3, 2}, 5);
  const Matrix<double> x = random_matrix<double>(3, 4, 6);
  const Matrix<double> y = random_matrix<double>(2, 4, 7);
  Workspace<double> ws = net.make_workspace(4);
  Parameters<double> nabla(net.sizes());
  const double cost = net.backprop(x, y, ws, nabla);
  EXPECT_NEAR(cost, 0.5 * (net.feedforward(x) - y).squaredNorm(), 1e-14);
}

TEST(SgdUpdate, BatchedEqualsThePerExampleDefinition) {
  // Three updates with batches of 4, 4 and a short one of 1, in double (agreement to rounding)
  // and in float (agreement to float rounding).
  NetworkD net({6, 5, 3}, 8);
  Network net_float({6, 5, 3}, 8);
  testing::NaiveNetwork naive = to_naive(net);
  const double eta = 3.0;
  for (int step = 0; step < 3; ++step) {
    const Eigen::Index m = step == 2 ? 1 : 4;
    const Matrix<double> x = random_matrix<double>(6, m, 10 + step);
    const Matrix<double> y = random_matrix<double>(3, m, 20 + step);
    Workspace<double> ws = net.make_workspace(4);
    Parameters<double> nabla(net.sizes());
    net.backprop(x, y, ws, nabla);
    sgd_update(net.parameters(), nabla, eta, static_cast<std::size_t>(m));

    Workspace<float> ws_float = net_float.make_workspace(4);
    Parameters<float> nabla_float(net_float.sizes());
    net_float.backprop(x.cast<float>(), y.cast<float>(), ws_float, nabla_float);
    sgd_update(net_float.parameters(), nabla_float, static_cast<float>(eta),
               static_cast<std::size_t>(m));

    naive.update_mini_batch(columns(x), columns(y), eta);
  }
  const testing::NaiveNetwork batched = to_naive(net);
  const testing::NaiveNetwork batched_float = to_naive(net_float);
  double largest = 0, largest_float = 0;
  for (std::size_t l = 0; l < 2; ++l)
    for (std::size_t j = 0; j < naive.weights[l].size(); ++j) {
      largest = std::max(largest, std::abs(batched.biases[l][j] - naive.biases[l][j]));
      largest_float =
          std::max(largest_float, std::abs(batched_float.biases[l][j] - naive.biases[l][j]));
      for (std::size_t k = 0; k < naive.weights[l][j].size(); ++k) {
        largest = std::max(largest, std::abs(batched.weights[l][j][k] - naive.weights[l][j][k]));
        largest_float = std::max(largest_float,
                                 std::abs(batched_float.weights[l][j][k] - naive.weights[l][j][k]));
      }
    }
  EXPECT_LT(largest, 1e-13);
  EXPECT_LT(largest_float, 1e-5);
  EXPECT_GT(largest_float, 0.0);  // float really is a different computation
}

TEST(SgdStep, EqualsBackpropThenUpdate) {
  // The fused step against the two-stage definition, for a small batch (kernel path, with
  // zero inputs that the kernels skip) and a wide one (Eigen path), in double and on 2 threads.
  for (const Eigen::Index m : {Eigen::Index{7}, Eigen::Index{40}}) {
    NetworkD fused({20, 9, 4}, 3), staged({20, 9, 4}, 3);
    Matrix<double> x = random_matrix<double>(20, m, 4);
    x.topRows(8).setZero();  // whole zero slices of the input
    const Matrix<double> y = random_matrix<double>(4, m, 5);
    Workspace<double> ws = fused.make_workspace(static_cast<std::size_t>(m), 2);
    Parameters<double> nabla(staged.sizes());
    const double cost_fused = fused.sgd_step(x, y, ws, 3.0);
    const double cost_staged = staged.backprop(x, y, ws, nabla);
    sgd_update(staged.parameters(), nabla, 3.0, static_cast<std::size_t>(m));
    EXPECT_NEAR(cost_fused, cost_staged, 1e-12);
    const double largest =
        (fused.parameters().as_vector() - staged.parameters().as_vector()).cwiseAbs().maxCoeff();
    EXPECT_LT(largest, 1e-12) << "batch " << m;
    EXPECT_FALSE(fused.parameters().as_vector() ==
                 NetworkD({20, 9, 4}, 3).parameters().as_vector());
  }
}

TEST(SgdUpdate, OneStepOfA231NetworkMatchesHandComputation) {
  // [2,3,1], a batch of two examples, eta 3: every number below is the chain rule written out
  // for scalars.
  NetworkD net({2, 3, 1});
  const double w1[3][2] = {{0.1, -0.2}, {0.4, 0.3}, {-0.5, 0.6}};
  const double b1[3] = {0.05, -0.1, 0.2};
  const double w2[3] = {0.7, -0.8, 0.9};
  const double b2 = -0.3;
  for (int j = 0; j < 3; ++j) {
    for (int k = 0; k < 2; ++k) net.parameters().weights(0)(j, k) = w1[j][k];
    net.parameters().biases(0)(j) = b1[j];
    net.parameters().weights(1)(0, j) = w2[j];
  }
  net.parameters().biases(1)(0) = b2;
  const double xs[2][2] = {{1.0, 0.0}, {0.5, 0.25}};
  const double ys[2] = {1.0, 0.0};
  const double eta = 3.0;

  const auto s = [](double z) { return 1.0 / (1.0 + std::exp(-z)); };
  double grad_w1[3][2] = {}, grad_b1[3] = {}, grad_w2[3] = {}, grad_b2 = 0;
  for (int e = 0; e < 2; ++e) {
    double a1[3];
    double z2 = b2;
    for (int j = 0; j < 3; ++j) {
      a1[j] = s(w1[j][0] * xs[e][0] + w1[j][1] * xs[e][1] + b1[j]);
      z2 += w2[j] * a1[j];
    }
    const double a2 = s(z2);
    const double delta2 = (a2 - ys[e]) * a2 * (1 - a2);
    grad_b2 += delta2;
    for (int j = 0; j < 3; ++j) {
      grad_w2[j] += delta2 * a1[j];
      const double delta1 = w2[j] * delta2 * a1[j] * (1 - a1[j]);
      grad_b1[j] += delta1;
      for (int k = 0; k < 2; ++k) grad_w1[j][k] += delta1 * xs[e][k];
    }
  }

  Matrix<double> x(2, 2), y(1, 2);
  x << 1.0, 0.5, 0.0, 0.25;
  y << 1.0, 0.0;
  Workspace<double> ws = net.make_workspace(2);
  Parameters<double> nabla(net.sizes());
  net.backprop(x, y, ws, nabla);
  sgd_update(net.parameters(), nabla, eta, 2);

  const double rate = eta / 2;
  for (int j = 0; j < 3; ++j) {
    for (int k = 0; k < 2; ++k)
      EXPECT_NEAR(net.parameters().weights(0)(j, k), w1[j][k] - rate * grad_w1[j][k], 1e-15);
    EXPECT_NEAR(net.parameters().biases(0)(j), b1[j] - rate * grad_b1[j], 1e-15);
    EXPECT_NEAR(net.parameters().weights(1)(0, j), w2[j] - rate * grad_w2[j], 1e-15);
  }
  EXPECT_NEAR(net.parameters().biases(1)(0), b2 - rate * grad_b2, 1e-15);
  // The step really moved the output layer's bias by a visible amount.
  EXPECT_GT(std::abs(net.parameters().biases(1)(0) - b2), 1e-3);
}

TEST(Backprop, SaturatedNeuronsKeepTheirGradientInFloat) {
  // A hidden neuron with z = 20: in float, 1 − σ(z) rounds to 0, so σ'(z) computed as a(1 − a)
  // would be exactly 0 and the neuron could never learn again; float64 (the seeds' precision)
  // gives 2e-9. The float network must give the double network's gradient to float accuracy.
  NetworkD net_double({1, 1, 1});
  net_double.parameters().weights(0)(0, 0) = 20.0;
  net_double.parameters().weights(1)(0, 0) = 1.0;
  Network net_float({1, 1, 1});
  net_float.parameters().weights(0)(0, 0) = 20.0f;
  net_float.parameters().weights(1)(0, 0) = 1.0f;
  Matrix<double> x(1, 1), y(1, 1);
  x << 1.0;
  y << 0.0;
  Workspace<double> ws_double = net_double.make_workspace(1);
  Workspace<float> ws_float = net_float.make_workspace(1);
  Parameters<double> nabla_double(net_double.sizes());
  Parameters<float> nabla_float(net_float.sizes());
  net_double.backprop(x, y, ws_double, nabla_double);
  net_float.backprop(x.cast<float>(), y.cast<float>(), ws_float, nabla_float);
  const double expected = nabla_double.weights(0)(0, 0);
  EXPECT_GT(std::abs(expected), 1e-10);
  EXPECT_NEAR(nabla_float.weights(0)(0, 0), expected, 1e-4 * std::abs(expected));
}

}  // namespace
}  // namespace digitnet
