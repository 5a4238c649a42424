// 2 × 2 max-pooling (pooling.hpp): each function dispatches to its path (kernel_path.hpp), whose
// code is pooling_kernels.hpp, compiled once per path (kernels/paths.hpp). Both paths select
// the same values: no arithmetic but the backward's one product, the same on both.
#include "digitnet/kernels/pooling.hpp"

#include <algorithm>

#include "digitnet/kernels/kernel_path.hpp"
#include "kernels/paths.hpp"

#define DIGITNET_PATH_CODE "kernels/pooling_kernels.hpp"
#include "kernels/each_path.hpp"

namespace digitnet {

template <typename Scalar>
void max_pool_2x2(const Scalar* x, std::size_t channels, std::size_t height, std::size_t width,
                  Scalar* a, Scalar* from) {
  DIGITNET_DISPATCH(max_pool_2x2<Scalar>(x, channels, height, width, a, from));
}

template <typename Scalar>
void max_pool_2x2_backward(const Scalar* delta, const Scalar* from, const Scalar* below, bool relu,
                           std::size_t channels, std::size_t height, std::size_t width,
                           Scalar* dx) {
  DIGITNET_DISPATCH(
      max_pool_2x2_backward<Scalar>(delta, from, below, relu, channels, height, width, dx));
}

#define DIGITNET_INSTANTIATE(Scalar)                                                          \
  template void max_pool_2x2<Scalar>(const Scalar*, std::size_t, std::size_t, std::size_t,   \
                                     Scalar*, Scalar*);                                       \
  template void max_pool_2x2_backward<Scalar>(const Scalar*, const Scalar*, const Scalar*,    \
                                              bool, std::size_t, std::size_t, std::size_t,    \
                                              Scalar*);
DIGITNET_INSTANTIATE(float)
DIGITNET_INSTANTIATE(double)
#undef DIGITNET_INSTANTIATE

}  // namespace digitnet
