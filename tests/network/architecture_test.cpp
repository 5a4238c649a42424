// Tests of the book's later networks: every activation and cost against finite differences,
// softmax and the output errors by hand, which combinations are refused, the initialisations'
// spreads, the weight penalties of the fused SGD step, and dropout.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "digitnet/network/network.hpp"
#include "digitnet/training/optimizer.hpp"
#include "digitnet/core/random.hpp"

namespace digitnet {
namespace {

Matrix<double> uniform_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed,
                              double low = 0, double high = 1) {
  Rng rng(seed, 77);
  Matrix<double> m(rows, cols);
  for (double& v : m.reshaped()) v = low + (high - low) * rng.uniform();
  return m;
}

Matrix<double> one_hot(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  Rng rng(seed, 78);
  Matrix<double> m = Matrix<double>::Zero(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    m(static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(rows))), j) = 1;
  return m;
}

// Central differences of `cost` with respect to every parameter of `net`.
Vector<double> numeric_gradient(NetworkD& net, const std::function<double()>& cost) {
  auto p = net.parameters().flat();
  Vector<double> numeric(static_cast<Eigen::Index>(p.size()));
  const double h = 1e-6;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double saved = p[i];
    p[i] = saved + h;
    const double plus = cost();
    p[i] = saved - h;
    const double minus = cost();
    p[i] = saved;
    numeric(static_cast<Eigen::Index>(i)) = (plus - minus) / (2 * h);
  }
  return numeric;
}

void expect_close(const Vector<double>& analytic, const Vector<double>& numeric,
                  const std::string& what) {
  ASSERT_GT(analytic.norm(), 1e-8) << what << ": the gradient is all zero";
  const double relative = (analytic - numeric).norm() / (analytic.norm() + numeric.norm());
  EXPECT_LT(relative, 1e-6) << what;
  for (Eigen::Index i = 0; i < numeric.size(); ++i)
    ASSERT_NEAR(analytic(i), numeric(i), 1e-5 * std::max(1.0, std::abs(numeric(i))))
        << what << ", parameter " << i;
}

struct Combination {
  Activation hidden;
  Activation output;
  Cost cost;
};

std::string describe(const Combination& c) {
  return std::string(name(c.hidden)) + " hidden, " + std::string(name(c.output)) + " output, " +
         std::string(name(c.cost));
}

TEST(Architecture, EveryActivationAndCostMatchesFiniteDifferences) {
  const std::vector<Activation> hidden = {Activation::sigmoid, Activation::tanh, Activation::relu,
                                          Activation::identity};
  const std::vector<std::pair<Activation, Cost>> outputs = {
      {Activation::sigmoid, Cost::quadratic},      {Activation::sigmoid, Cost::cross_entropy},
      {Activation::softmax, Cost::log_likelihood}, {Activation::tanh, Cost::quadratic},
      {Activation::relu, Cost::quadratic},         {Activation::identity, Cost::quadratic}};
  for (const Activation h : hidden) {
    for (const auto& [output, cost] : outputs) {
      const Combination c{h, output, cost};
      NetworkD net(Architecture::of({5, 4, 3, 4}, h, output, cost), 4, Init::scaled_normal);
      const Matrix<double> x = uniform_matrix(5, 3, 2, -1, 1);
      const Matrix<double> y =
          cost == Cost::log_likelihood ? one_hot(4, 3, 3) : uniform_matrix(4, 3, 3);
      Workspace<double> ws = net.make_workspace(3);
      Parameters<double> nabla(net.sizes());
      const double reported = net.backprop(x, y, ws, nabla);
      const auto value = [&] { return total_cost<double>(cost, net.feedforward(x), y); };
      EXPECT_NEAR(reported, value(), 1e-12) << describe(c);
      expect_close(nabla.as_vector(), numeric_gradient(net, value), describe(c));
    }
  }
}

TEST(Architecture, SoftmaxMatchesHandComputation) {
  // One layer, identity weights: the outputs are softmax(x + b).
  NetworkD net(Architecture::of({3, 3}, Activation::sigmoid, Activation::softmax,
                                Cost::log_likelihood));
  net.parameters().weights(0).setIdentity();
  net.parameters().biases(0) << 0.0, 1.0, 1000.0;  // a large z must not overflow
  Matrix<double> x(3, 2);
  x << 1.0, 0.0,  //
      2.0, 0.0,   //
      -1000.0, 0.0;
  const Matrix<double> a = net.feedforward(x);
  // Column 0: z = (1, 3, 0): e^z / Σ.
  const double sum = std::exp(1.0) + std::exp(3.0) + std::exp(0.0);
  EXPECT_NEAR(a(0, 0), std::exp(1.0) / sum, 1e-15);
  EXPECT_NEAR(a(1, 0), std::exp(3.0) / sum, 1e-15);
  EXPECT_NEAR(a(2, 0), 1.0 / sum, 1e-15);
  // Column 1: z = (0, 1, 1000): all the mass on the last output, no NaN.
  EXPECT_NEAR(a(2, 1), 1.0, 1e-15);
  EXPECT_GE(a(0, 1), 0.0);
  EXPECT_TRUE(a.allFinite());
}

TEST(Architecture, CostsMatchHandComputation) {
  Matrix<double> a(2, 1), y(2, 1);
  a << 0.8, 0.3;
  y << 1.0, 0.0;
  EXPECT_NEAR(total_cost<double>(Cost::quadratic, a, y), 0.5 * (0.04 + 0.09), 1e-15);
  EXPECT_NEAR(total_cost<double>(Cost::cross_entropy, a, y), -std::log(0.8) - std::log(0.7),
              1e-15);
  EXPECT_NEAR(total_cost<double>(Cost::log_likelihood, a, y), -std::log(0.8), 1e-15);
  // A certain wrong answer costs a large finite amount, as network2.py's nan_to_num makes it.
  a << 0.0, 1.0;
  EXPECT_TRUE(std::isfinite(total_cost<double>(Cost::cross_entropy, a, y)));
  EXPECT_GT(total_cost<double>(Cost::cross_entropy, a, y), 700.0);
}

TEST(Architecture, CrossEntropyOutputErrorIsActivationMinusTarget) {
  // The book's δ_L = a − y: no σ'(z) factor, so a saturated wrong output still learns fast.
  NetworkD net(Architecture::of({1, 1}, Activation::sigmoid, Activation::sigmoid,
                                Cost::cross_entropy));
  net.parameters().weights(0)(0, 0) = 10.0;
  Matrix<double> x(1, 1), y(1, 1);
  x << 1.0;
  y << 0.0;
  Workspace<double> ws = net.make_workspace(1);
  Parameters<double> nabla(net.sizes());
  net.backprop(x, y, ws, nabla);
  const double a = 1.0 / (1.0 + std::exp(-10.0));
  EXPECT_NEAR(nabla.biases(0)(0), a, 1e-15);
  EXPECT_NEAR(nabla.weights(0)(0, 0), a * 1.0, 1e-15);
}

TEST(Architecture, ImpossibleCombinationsAreRefused) {
  EXPECT_EQ(architecture_problem(Architecture::seeds({784, 30, 10})), "");
  EXPECT_NE(architecture_problem(Architecture::of({4, 3, 2}, Activation::softmax,
                                                  Activation::softmax, Cost::log_likelihood)),
            "");
  EXPECT_NE(architecture_problem(
                Architecture::of({4, 2}, Activation::relu, Activation::softmax, Cost::quadratic)),
            "");
  EXPECT_NE(architecture_problem(Architecture::of({4, 2}, Activation::relu, Activation::sigmoid,
                                                  Cost::log_likelihood)),
            "");
  EXPECT_NE(architecture_problem(Architecture::of({4, 2}, Activation::relu, Activation::relu,
                                                  Cost::cross_entropy)),
            "");
  EXPECT_NE(architecture_problem(Architecture::of({4}, Activation::relu, Activation::relu,
                                                  Cost::quadratic)),
            "");
  Architecture unknown_kind = Architecture::seeds({4, 3, 2});
  unknown_kind.layers[0].kind = "dense2";
  EXPECT_NE(architecture_problem(unknown_kind).find("layer 1"), std::string::npos);
  Architecture no_input = Architecture::seeds({4, 3, 2});
  no_input.input = {};
  no_input.input.channels = 0;
  EXPECT_NE(architecture_problem(no_input), "");
}

TEST(Architecture, NamesRoundTrip) {
  for (const Activation a : {Activation::sigmoid, Activation::tanh, Activation::relu,
                             Activation::identity, Activation::softmax})
    EXPECT_EQ(parse_activation(name(a)), a);
  for (const Cost c : {Cost::quadratic, Cost::cross_entropy, Cost::log_likelihood})
    EXPECT_EQ(parse_cost(name(c)), c);
  for (const Init i : {Init::standard_normal, Init::scaled_normal, Init::he, Init::glorot})
    EXPECT_EQ(parse_init(name(i)), i);
  EXPECT_EQ(parse_activation("Sigmoid"), std::nullopt);
  EXPECT_EQ(parse_cost(""), std::nullopt);
}

TEST(Initialization, SpreadsMatchTheirDefinitions) {
  const auto arch = Architecture::seeds({400, 300, 10});
  const auto stddev = [](const auto& block) {
    const auto v = block.template cast<double>().reshaped();
    return std::sqrt((v.array() - v.mean()).square().mean());
  };
  const Network scaled(arch, 1, Init::scaled_normal), he(arch, 1, Init::he),
      glorot(arch, 1, Init::glorot), seeds(arch, 1);
  EXPECT_NEAR(stddev(scaled.parameters().weights(0)), 1 / std::sqrt(400.0), 0.002);
  EXPECT_NEAR(stddev(scaled.parameters().biases(0)), 1.0, 0.1);
  EXPECT_NEAR(stddev(he.parameters().weights(0)), std::sqrt(2 / 400.0), 0.002);
  EXPECT_NEAR(stddev(he.parameters().weights(1)), std::sqrt(2 / 300.0), 0.01);
  EXPECT_TRUE(he.parameters().biases(0).isZero());
  EXPECT_NEAR(stddev(glorot.parameters().weights(0)), std::sqrt(2 / 700.0), 0.002);
  EXPECT_NEAR(stddev(seeds.parameters().weights(0)), 1.0, 0.01);
  // The seeds' initialisation is the default and does not change with this feature.
  EXPECT_TRUE(seeds.parameters().as_vector() ==
              Network(std::vector<std::size_t>{400, 300, 10}, 1).parameters().as_vector());
}

TEST(Regularization, FusedStepAppliesTheBooksWeightDecay) {
  // w ← (1 − eta·λ/n)·w − (eta/m)·Σ∇w for L2, w ← w − (eta·λ/n)·sgn(w) − (eta/m)·Σ∇w for L1;
  // biases unchanged by the penalty. Wide and narrow batches (Eigen and kernel paths).
  for (const auto kind : {Regularization::Kind::l2, Regularization::Kind::l1}) {
    for (const Eigen::Index m : {Eigen::Index{5}, Eigen::Index{30}}) {
      const Regularization penalty{kind, 5.0, 1000.0};
      const double eta = 0.5;
      const auto arch = Architecture::of({6, 4, 3}, Activation::sigmoid, Activation::sigmoid,
                                         Cost::cross_entropy);
      NetworkD fused(arch, 2), staged(arch, 2);
      const Matrix<double> x = uniform_matrix(6, m, 8);
      const Matrix<double> y = uniform_matrix(3, m, 9);
      Workspace<double> ws = fused.make_workspace(static_cast<std::size_t>(m));
      Parameters<double> nabla(staged.sizes());
      fused.sgd_step(x, y, ws, eta, penalty);
      staged.backprop(x, y, ws, nabla);
      for (std::size_t l = 0; l < staged.layers(); ++l) {
        auto w = staged.parameters().weights(l);
        const Matrix<double> decay =
            kind == Regularization::Kind::l2
                ? Matrix<double>(w * (1 - eta * 5.0 / 1000.0))
                : Matrix<double>(w.array() - eta * 5.0 / 1000.0 * w.array().sign());
        w = decay - eta / static_cast<double>(m) * nabla.weights(l);
        staged.parameters().biases(l) -= eta / static_cast<double>(m) * nabla.biases(l);
      }
      EXPECT_LT((fused.parameters().as_vector() - staged.parameters().as_vector())
                    .cwiseAbs()
                    .maxCoeff(),
                1e-13)
          << name(kind) << " batch " << m;
    }
  }
}

TEST(Regularization, CostTermsMatchTheirDefinitions) {
  NetworkD net({2, 2, 1});
  net.parameters().weights(0) << 1, -2, 3, 0;
  net.parameters().weights(1) << -1, 1;
  net.parameters().biases(0) << 100, 100;  // biases are not penalised
  const Regularization l2{Regularization::Kind::l2, 2.0, 4.0}, l1{Regularization::Kind::l1, 2.0, 4.0};
  EXPECT_DOUBLE_EQ(l2.cost(net.parameters()), 2.0 / 4.0 * 0.5 * (1 + 4 + 9 + 0 + 1 + 1));
  EXPECT_DOUBLE_EQ(l1.cost(net.parameters()), 2.0 / 4.0 * (1 + 2 + 3 + 0 + 1 + 1));
  EXPECT_EQ(Regularization{}.cost(net.parameters()), 0.0);
}

}  // namespace
}  // namespace digitnet
