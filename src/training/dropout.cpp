// Drawing dropout masks.
#include "digitnet/training/dropout.hpp"

#include <cassert>
#include <cmath>

namespace digitnet {

template <typename Scalar>
void draw_dropout_masks(Workspace<Scalar>& ws, double rate, std::size_t m, Rng& rng) {
  assert(rate >= 0 && rate < 1 && m <= ws.capacity);
  ws.dropout = rate > 0;
  if (!ws.dropout) return;
  const auto keep = static_cast<Scalar>(1 / (1 - rate));
  // A neuron is dropped when 32 random bits fall below rate·2^32: two draws per 64-bit value.
  const auto threshold = static_cast<std::uint64_t>(std::ldexp(rate, 32));
  for (std::size_t l = 1; l + 1 < ws.activations.size(); ++l) {
    Matrix<Scalar>& mask = ws.masks[l];
    mask.resize(ws.activations[l].rows(), static_cast<Eigen::Index>(ws.capacity));
    auto used = mask.leftCols(static_cast<Eigen::Index>(m)).reshaped();
    for (Eigen::Index i = 0; i < used.size(); i += 2) {
      const std::uint64_t bits = rng.bits();
      used(i) = (bits & 0xffffffffu) < threshold ? Scalar(0) : keep;
      if (i + 1 < used.size()) used(i + 1) = (bits >> 32) < threshold ? Scalar(0) : keep;
    }
  }
}

template void draw_dropout_masks<float>(Workspace<float>&, double, std::size_t, Rng&);
template void draw_dropout_masks<double>(Workspace<double>&, double, std::size_t, Rng&);

}  // namespace digitnet
