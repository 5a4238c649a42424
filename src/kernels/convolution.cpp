// The direct convolution of convolution.hpp: each function dispatches to its path
// (kernel_path.hpp), whose code is convolution_kernels.hpp, compiled once per path
// (kernels/paths.hpp).
#include "digitnet/kernels/convolution.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "digitnet/kernels/kernel_path.hpp"
#include "kernels/depth_slice.hpp"
#include "kernels/paths.hpp"

#define DIGITNET_PATH_CODE "kernels/convolution_kernels.hpp"
#include "kernels/each_path.hpp"

namespace digitnet {

template <typename Scalar>
void conv_forward(const ConvGeometry& g, const Scalar* w, const Scalar* b, const Scalar* x,
                  std::size_t x_stride, ConvOutput<Scalar> out, std::size_t examples) {
  DIGITNET_DISPATCH(conv_forward<Scalar>(g, w, b, x, x_stride, out, examples));
}

template <typename Scalar>
void conv_input_gradient(const ConvGeometry& g, const Scalar* w, const Scalar* delta,
                         std::size_t delta_stride, Scalar* dx, std::size_t dx_stride,
                         std::size_t examples) {
  DIGITNET_DISPATCH(
      conv_input_gradient<Scalar>(g, w, delta, delta_stride, dx, dx_stride, examples));
}

template <typename Scalar>
void conv_weight_gradient(const ConvGeometry& g, const Scalar* x, std::size_t x_stride,
                          const Scalar* delta, std::size_t delta_stride, std::size_t examples,
                          std::size_t first_map, std::size_t band, std::size_t first_element,
                          std::size_t elements, Scalar alpha, bool accumulate,
                          Scalar* w_gradient, Scalar* delta_sums) {
  DIGITNET_DISPATCH(conv_weight_gradient<Scalar>(g, x, x_stride, delta, delta_stride, examples,
                                                 first_map, band, first_element, elements, alpha,
                                                 accumulate, w_gradient, delta_sums));
}

template <typename Scalar>
std::size_t conv_weight_gradient_lanes() {
  DIGITNET_DISPATCH(vector_lanes<Scalar>());
}

#define DIGITNET_INSTANTIATE(Scalar)                                                          \
  template void conv_forward<Scalar>(const ConvGeometry&, const Scalar*, const Scalar*,       \
                                     const Scalar*, std::size_t, ConvOutput<Scalar>,          \
                                     std::size_t);                                            \
  template void conv_input_gradient<Scalar>(const ConvGeometry&, const Scalar*, const Scalar*, \
                                            std::size_t, Scalar*, std::size_t, std::size_t); \
  template void conv_weight_gradient<Scalar>(const ConvGeometry&, const Scalar*, std::size_t,     \
                                             const Scalar*, std::size_t, std::size_t,             \
                                             std::size_t, std::size_t, std::size_t, std::size_t,  \
                                             Scalar, bool, Scalar*, Scalar*);                     \
  template std::size_t conv_weight_gradient_lanes<Scalar>();
DIGITNET_INSTANTIATE(float)
DIGITNET_INSTANTIATE(double)
#undef DIGITNET_INSTANTIATE

}  // namespace digitnet
