// Drawing dropout masks.
#include "digitnet/training/dropout.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace digitnet {

std::vector<double> dropout_rates(const Architecture& arch, double hidden_rate) {
  std::vector<double> rates;
  for (std::size_t l = 0; l < arch.layers.size(); ++l)
    rates.push_back(l + 1 == arch.layers.size()
                        ? 0.0
                        : dropout_rate(arch.layers[l]).value_or(hidden_rate));
  return rates;
}

template <typename Scalar>
void draw_dropout_masks(Workspace<Scalar>& ws, std::span<const double> rates, std::size_t m,
                        Rng& rng) {
  assert(rates.size() + 1 == ws.activations.size() && m <= ws.capacity);
  ws.dropout = std::any_of(rates.begin(), rates.end(), [](double r) { return r > 0; });
  if (!ws.dropout) return;
  // masks[l] multiplies activations[l], the output of layer l − 1.
  for (std::size_t l = 1; l + 1 < ws.activations.size(); ++l) {
    const double rate = rates[l - 1];
    assert(rate >= 0 && rate < 1);
    Matrix<Scalar>& mask = ws.masks[l];
    if (rate == 0) {
      mask.resize(0, 0);
      continue;
    }
    const auto keep = static_cast<Scalar>(1 / (1 - rate));
    // A neuron is dropped when 32 random bits fall below rate·2^32: two draws per 64-bit value.
    const auto threshold = static_cast<std::uint64_t>(std::ldexp(rate, 32));
    mask.resize(ws.activations[l].rows(), static_cast<Eigen::Index>(ws.capacity));
    auto used = mask.leftCols(static_cast<Eigen::Index>(m)).reshaped();
    for (Eigen::Index i = 0; i < used.size(); i += 2) {
      const std::uint64_t bits = rng.bits();
      used(i) = (bits & 0xffffffffu) < threshold ? Scalar(0) : keep;
      if (i + 1 < used.size()) used(i + 1) = (bits >> 32) < threshold ? Scalar(0) : keep;
    }
  }
}

template <typename Scalar>
void draw_dropout_masks(Workspace<Scalar>& ws, double rate, std::size_t m, Rng& rng) {
  assert(rate >= 0 && rate < 1);
  std::vector<double> rates(ws.activations.size() - 1, rate);
  rates.back() = 0;
  draw_dropout_masks(ws, std::span<const double>(rates), m, rng);
}

template void draw_dropout_masks<float>(Workspace<float>&, std::span<const double>, std::size_t,
                                        Rng&);
template void draw_dropout_masks<double>(Workspace<double>&, std::span<const double>,
                                         std::size_t, Rng&);
template void draw_dropout_masks<float>(Workspace<float>&, double, std::size_t, Rng&);
template void draw_dropout_masks<double>(Workspace<double>&, double, std::size_t, Rng&);

}  // namespace digitnet
