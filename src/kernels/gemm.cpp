// The packed product of gemm.hpp: gemm dispatches to its path (kernel_path.hpp), whose code is
// gemm_kernels.hpp, compiled once per path (kernels/paths.hpp).
#include "digitnet/kernels/gemm.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <vector>

#include "digitnet/kernels/kernel_path.hpp"
#include "kernels/depth_slice.hpp"
#include "kernels/paths.hpp"

#define DIGITNET_PATH_CODE "kernels/gemm_kernels.hpp"
#include "kernels/each_path.hpp"

namespace digitnet {

template <typename Scalar>
void gemm(std::size_t m, std::size_t n, std::size_t k, Scalar alpha, Operand<Scalar> a,
          Operand<Scalar> b, Scalar* c, std::size_t ldc, bool accumulate) {
  DIGITNET_DISPATCH(gemm<Scalar>(m, n, k, alpha, a, b, c, ldc, accumulate));
}

namespace {

template <typename Scalar>
Scalar at(Operand<Scalar> x, std::size_t i, std::size_t j) {
  return x.data[static_cast<std::ptrdiff_t>(i) * x.row_stride +
                static_cast<std::ptrdiff_t>(j) * x.col_stride];
}

}  // namespace

template <typename Scalar>
void gemm_reference(std::size_t m, std::size_t n, std::size_t k, Scalar alpha, Operand<Scalar> a,
                    Operand<Scalar> b, Scalar* c, std::size_t ldc, bool accumulate) {
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      Scalar s = 0;
      for (std::size_t p = 0; p < k; ++p)
        s += at(a, i, p) * at(b, p, j);
      c[i * ldc + j] = (accumulate ? c[i * ldc + j] : Scalar(0)) + alpha * s;
    }
}

#define DIGITNET_INSTANTIATE(Scalar)                                                            \
  template void gemm<Scalar>(std::size_t, std::size_t, std::size_t, Scalar, Operand<Scalar>,   \
                             Operand<Scalar>, Scalar*, std::size_t, bool);                      \
  template void gemm_reference<Scalar>(std::size_t, std::size_t, std::size_t, Scalar,          \
                                       Operand<Scalar>, Operand<Scalar>, Scalar*, std::size_t, \
                                       bool);
DIGITNET_INSTANTIATE(float)
DIGITNET_INSTANTIATE(double)
#undef DIGITNET_INSTANTIATE

}  // namespace digitnet
