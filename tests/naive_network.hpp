// The test oracle: a line-by-line transcription of the seeds' network.py in plain double loops,
// one example at a time (backprop, then update_mini_batch). Deliberately shares no code with
// src/, so the batched matrix implementation is checked against the definition itself.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

namespace digitnet::testing {

struct NaiveNetwork {
  using Vec = std::vector<double>;
  using Mat = std::vector<Vec>;  // Mat[j][k]: row j (output neuron), column k (input)

  std::vector<std::size_t> sizes;
  std::vector<Mat> weights;
  std::vector<Vec> biases;

  static double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }
  static double sigmoid_prime(double z) { return sigmoid(z) * (1 - sigmoid(z)); }

  Vec feedforward(Vec a) const {
    for (std::size_t l = 0; l < weights.size(); ++l) {
      Vec next(sizes[l + 1]);
      for (std::size_t j = 0; j < next.size(); ++j) {
        double z = biases[l][j];
        for (std::size_t k = 0; k < a.size(); ++k) z += weights[l][j][k] * a[k];
        next[j] = sigmoid(z);
      }
      a = next;
    }
    return a;
  }

  // (nabla_b, nabla_w) for one example, as network.py's backprop.
  void backprop(const Vec& x, const Vec& y, std::vector<Vec>& nabla_b,
                std::vector<Mat>& nabla_w) const {
    const std::size_t layers = weights.size();
    std::vector<Vec> activations = {x};
    std::vector<Vec> zs;
    for (std::size_t l = 0; l < layers; ++l) {
      Vec z(sizes[l + 1]), a(sizes[l + 1]);
      for (std::size_t j = 0; j < z.size(); ++j) {
        z[j] = biases[l][j];
        for (std::size_t k = 0; k < sizes[l]; ++k) z[j] += weights[l][j][k] * activations[l][k];
        a[j] = sigmoid(z[j]);
      }
      zs.push_back(z);
      activations.push_back(a);
    }
    nabla_b.assign(layers, {});
    nabla_w.assign(layers, {});
    Vec delta(sizes.back());
    for (std::size_t j = 0; j < delta.size(); ++j)
      delta[j] = (activations.back()[j] - y[j]) * sigmoid_prime(zs.back()[j]);
    for (std::size_t l = layers; l-- > 0;) {
      nabla_b[l] = delta;
      nabla_w[l].assign(sizes[l + 1], Vec(sizes[l]));
      for (std::size_t j = 0; j < sizes[l + 1]; ++j)
        for (std::size_t k = 0; k < sizes[l]; ++k) nabla_w[l][j][k] = delta[j] * activations[l][k];
      if (l == 0) break;
      Vec previous(sizes[l]);
      for (std::size_t k = 0; k < sizes[l]; ++k) {
        double sum = 0;
        for (std::size_t j = 0; j < sizes[l + 1]; ++j) sum += weights[l][j][k] * delta[j];
        previous[k] = sum * sigmoid_prime(zs[l - 1][k]);
      }
      delta = previous;
    }
  }

  void update_mini_batch(const std::vector<Vec>& xs, const std::vector<Vec>& ys, double eta) {
    std::vector<Vec> sum_b;
    std::vector<Mat> sum_w;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      std::vector<Vec> nabla_b;
      std::vector<Mat> nabla_w;
      backprop(xs[i], ys[i], nabla_b, nabla_w);
      if (i == 0) {
        sum_b = nabla_b;
        sum_w = nabla_w;
        continue;
      }
      for (std::size_t l = 0; l < weights.size(); ++l)
        for (std::size_t j = 0; j < sizes[l + 1]; ++j) {
          sum_b[l][j] += nabla_b[l][j];
          for (std::size_t k = 0; k < sizes[l]; ++k) sum_w[l][j][k] += nabla_w[l][j][k];
        }
    }
    const double rate = eta / static_cast<double>(xs.size());
    for (std::size_t l = 0; l < weights.size(); ++l)
      for (std::size_t j = 0; j < sizes[l + 1]; ++j) {
        biases[l][j] -= rate * sum_b[l][j];
        for (std::size_t k = 0; k < sizes[l]; ++k) weights[l][j][k] -= rate * sum_w[l][j][k];
      }
  }
};

}  // namespace digitnet::testing
