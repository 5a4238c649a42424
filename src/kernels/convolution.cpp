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
                          std::size_t first_map, std::size_t band, Scalar alpha, bool accumulate,
                          Scalar* w_gradient, Scalar* delta_sums) {
  DIGITNET_DISPATCH(conv_weight_gradient<Scalar>(g, x, x_stride, delta, delta_stride, examples,
                                                 first_map, band, alpha, accumulate, w_gradient,
                                                 delta_sums));
}

std::size_t conv_weight_gradient_slices(const ConvGeometry& g, std::size_t examples) {
  return avx2::KSlices(g, examples).count();  // (the same on every path)
}

// The slices' sums and the 16 running sums of every map, per example, on the widest path: S
// slices of K = m·P positions, S ≤ m·P / 256 + 1 (depth_slice) ≤ m·(P / 256 + 1), each depth ×
// lanes values.
template <typename Scalar>
std::size_t conv_weight_gradient_shared_per_example(const ConvGeometry& g) {
  constexpr std::size_t widest = 64 / sizeof(Scalar);
  if (g.maps > widest) return 0;  // never split by positions
  const std::size_t positions = g.output_height() * g.output_width(), size = g.patch() * widest;
  return (positions * size + max_depth_slice - 1) / max_depth_slice + size +
         avx2::bias_sum_lanes * g.maps;
}

template <typename Scalar>
void conv_weight_gradient_partials(const ConvGeometry& g, const Scalar* x, std::size_t x_stride,
                                   const Scalar* delta, std::size_t delta_stride,
                                   std::size_t examples, std::size_t first_slice,
                                   std::size_t slices, bool start_running_sums, Scalar* shared) {
  DIGITNET_DISPATCH(conv_weight_gradient_partials<Scalar>(g, x, x_stride, delta, delta_stride,
                                                          examples, first_slice, slices,
                                                          start_running_sums, shared));
}

template <typename Scalar>
void conv_weight_gradient_combine(const ConvGeometry& g, std::size_t examples,
                                  const Scalar* shared, std::size_t first_element,
                                  std::size_t elements, Scalar alpha, bool accumulate,
                                  Scalar* w_gradient) {
  DIGITNET_DISPATCH(conv_weight_gradient_combine<Scalar>(g, examples, shared, first_element,
                                                         elements, alpha, accumulate, w_gradient));
}

template <typename Scalar>
void conv_delta_running_sums(const ConvGeometry& g, const Scalar* delta,
                             std::size_t delta_stride, std::size_t examples,
                             std::size_t first_slice, std::size_t slices, Scalar* shared) {
  DIGITNET_DISPATCH(conv_delta_running_sums<Scalar>(g, delta, delta_stride, examples,
                                                    first_slice, slices, shared));
}

template <typename Scalar>
void conv_delta_sums(const ConvGeometry& g, const Scalar* shared, std::size_t first_map,
                     std::size_t band, Scalar* delta_sums) {
  DIGITNET_DISPATCH(conv_delta_sums<Scalar>(g, shared, first_map, band, delta_sums));
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
                                             std::size_t, std::size_t, Scalar, bool, Scalar*,     \
                                             Scalar*);                                            \
  template std::size_t conv_weight_gradient_lanes<Scalar>();                                   \
  template std::size_t conv_weight_gradient_shared_per_example<Scalar>(const ConvGeometry&);    \
  template void conv_weight_gradient_partials<Scalar>(const ConvGeometry&, const Scalar*,      \
                                                      std::size_t, const Scalar*, std::size_t, \
                                                      std::size_t, std::size_t, std::size_t,   \
                                                      bool, Scalar*);                          \
  template void conv_weight_gradient_combine<Scalar>(const ConvGeometry&, std::size_t,         \
                                                     const Scalar*, std::size_t, std::size_t,  \
                                                     Scalar, bool, Scalar*);                   \
  template void conv_delta_running_sums<Scalar>(const ConvGeometry&, const Scalar*,            \
                                                std::size_t, std::size_t, std::size_t,         \
                                                std::size_t, Scalar*);                         \
  template void conv_delta_sums<Scalar>(const ConvGeometry&, const Scalar*, std::size_t,       \
                                        std::size_t, Scalar*);
DIGITNET_INSTANTIATE(float)
DIGITNET_INSTANTIATE(double)
#undef DIGITNET_INSTANTIATE

}  // namespace digitnet
