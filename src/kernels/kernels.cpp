// The kernels of kernels.hpp: each one dispatches to its path (kernel_path.hpp), whose code is
// dense_kernels.hpp, compiled once per path (kernels/paths.hpp).
#include "digitnet/kernels/kernels.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "digitnet/kernels/kernel_path.hpp"
#include "kernels/paths.hpp"

#define DIGITNET_PATH_CODE "kernels/dense_kernels.hpp"
#include "kernels/each_path.hpp"

namespace digitnet {

template <typename Scalar>
void dense_forward(const Scalar* w, const Scalar* b, const Scalar* a, Scalar* z, std::size_t n_out,
                   std::size_t n_in, std::size_t m, std::size_t ldz) {
  DIGITNET_DISPATCH(dense_forward<Scalar>(w, b, a, z, n_out, n_in, m, ldz));
}

template <typename Scalar>
void weight_gradient(const Scalar* delta, const Scalar* a, Scalar* nabla_w, Scalar* nabla_b,
                     std::size_t n_out, std::size_t n_in, std::size_t m, std::size_t ldd,
                     Scalar alpha, bool accumulate) {
  DIGITNET_DISPATCH(
      weight_gradient<Scalar>(delta, a, nabla_w, nabla_b, n_out, n_in, m, ldd, alpha, accumulate));
}

template <typename Scalar>
void bias_gradient(const Scalar* delta, Scalar* nabla_b, std::size_t n_out, std::size_t m,
                   std::size_t ldd, Scalar alpha, bool accumulate) {
  DIGITNET_DISPATCH(bias_gradient<Scalar>(delta, nabla_b, n_out, m, ldd, alpha, accumulate));
}

template <typename Scalar>
void sigmoid(Scalar* a, Scalar* d, std::size_t n) {
  DIGITNET_DISPATCH(sigmoid<Scalar>(a, d, n));
}

template <typename Scalar>
void dense_forward_reference(const Scalar* w, const Scalar* b, const Scalar* a, Scalar* z,
                             std::size_t n_out, std::size_t n_in, std::size_t m, std::size_t ldz) {
  for (std::size_t c = 0; c < m; ++c)
    for (std::size_t j = 0; j < n_out; ++j) {
      Scalar s = b[j];
      for (std::size_t k = 0; k < n_in; ++k) s += w[j * n_in + k] * a[c * n_in + k];
      z[c * ldz + j] = s;
    }
}

template <typename Scalar>
void weight_gradient_reference(const Scalar* delta, const Scalar* a, Scalar* nabla_w,
                               Scalar* nabla_b, std::size_t n_out, std::size_t n_in, std::size_t m,
                               std::size_t ldd, Scalar alpha, bool accumulate) {
  for (std::size_t j = 0; j < n_out; ++j) {
    Scalar sum_b = 0;
    for (std::size_t c = 0; c < m; ++c) sum_b += delta[c * ldd + j];
    nabla_b[j] = (accumulate ? nabla_b[j] : Scalar(0)) + alpha * sum_b;
    for (std::size_t k = 0; k < n_in; ++k) {
      Scalar s = 0;
      for (std::size_t c = 0; c < m; ++c) s += delta[c * ldd + j] * a[c * n_in + k];
      nabla_w[j * n_in + k] = (accumulate ? nabla_w[j * n_in + k] : Scalar(0)) + alpha * s;
    }
  }
}

#define DIGITNET_INSTANTIATE(Scalar)                                                              \
  template void dense_forward<Scalar>(const Scalar*, const Scalar*, const Scalar*, Scalar*,       \
                                      std::size_t, std::size_t, std::size_t, std::size_t);        \
  template void dense_forward_reference<Scalar>(const Scalar*, const Scalar*, const Scalar*,      \
                                                Scalar*, std::size_t, std::size_t, std::size_t,   \
                                                std::size_t);                                     \
  template void weight_gradient<Scalar>(const Scalar*, const Scalar*, Scalar*, Scalar*,           \
                                        std::size_t, std::size_t, std::size_t, std::size_t,       \
                                        Scalar, bool);                                            \
  template void weight_gradient_reference<Scalar>(const Scalar*, const Scalar*, Scalar*, Scalar*, \
                                                  std::size_t, std::size_t, std::size_t,          \
                                                  std::size_t, Scalar, bool);        \
  template void bias_gradient<Scalar>(const Scalar*, Scalar*, std::size_t, std::size_t,         \
                                      std::size_t, Scalar, bool);                               \
  template void sigmoid<Scalar>(Scalar*, Scalar*, std::size_t);
DIGITNET_INSTANTIATE(float)
DIGITNET_INSTANTIATE(double)
#undef DIGITNET_INSTANTIATE

}  // namespace digitnet
