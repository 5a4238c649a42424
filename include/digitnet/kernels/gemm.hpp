// A packed, cache-blocked matrix product for the large products of training and evaluation
// (wide batches of large layers), in the manner of BLIS and GotoBLAS: both operands are copied
// into panels that a 6 x 16 register-blocked micro-kernel streams through, B's panel from L1,
// A's block from L2. Written because Eigen's product reached 70-85 GFLOP/s on the sizes of
// bench/compare (b) and this one reaches more (bench/kernels_bench Gemm/*, docs/benchmarks.md).
// Small batches keep the unpacked kernels of kernels.hpp, where packing would cost more than it
// saves.
#pragma once

#include <cstddef>

namespace digitnet {

// A matrix operand: element (i, j) at data[i * row_stride + j * col_stride].
template <typename Scalar>
struct Operand {
  const Scalar* data;
  std::ptrdiff_t row_stride;
  std::ptrdiff_t col_stride;
};

// C = alpha·A·B (+ C when `accumulate`). A: m x k, B: k x n, C: m x n with its rows contiguous
// (element (i, j) at c[i * ldc + j]); orient a product so that C's contiguous direction is its
// rows (computing Cᵀ = BᵀAᵀ where needed). Uses per-thread packing buffers that grow once and
// are then reused, so repeated calls allocate nothing. The summation order depends only on the
// sizes, never on the thread that runs it. An operand that is mostly zeros with contiguous rows
// (images) has its zeros skipped; the result is bit for bit the same as without skipping as long
// as the other operand is finite (0·∞ would have made a NaN).
template <typename Scalar>
void gemm(std::size_t m, std::size_t n, std::size_t k, Scalar alpha, Operand<Scalar> a,
          Operand<Scalar> b, Scalar* c, std::size_t ldc, bool accumulate);

// The plain triple loop, as the test oracle.
template <typename Scalar>
void gemm_reference(std::size_t m, std::size_t n, std::size_t k, Scalar alpha, Operand<Scalar> a,
                    Operand<Scalar> b, Scalar* c, std::size_t ldc, bool accumulate);

}  // namespace digitnet
