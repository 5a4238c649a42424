// Tests of the packed product against its triple-loop reference, over sizes that hit every
// edge: m and n not multiples of the register block (6 x 16 floats, 6 x 8 doubles), k deeper
// than one cache block (so that partial sums of several slices are added), m taller than one
// block of A, every operand layout the network uses (row- and column-major A and B), a C wider
// than n (a band of a larger matrix), accumulation into C, and the untouched rest of C.
#include "digitnet/kernels/gemm.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "test_support.hpp"

namespace digitnet {
namespace {

using testing::random_values;

struct Shape {
  std::size_t m, n, k;
};
const Shape shapes[] = {{1, 1, 1},     {6, 16, 1},   {5, 17, 3},   {7, 15, 257},
                        {100, 30, 784}, {145, 33, 9}, {13, 800, 10}, {300, 40, 600}};

template <typename Scalar>
void check(double tolerance) {
  for (const Shape& s : shapes)
    for (const bool a_row_major : {true, false})
      for (const bool b_row_major : {true, false})
        for (const bool accumulate : {false, true}) {
          const auto a_values = random_values<Scalar>(s.m * s.k, 1);
          const auto b_values = random_values<Scalar>(s.k * s.n, 2);
          const Operand<Scalar> a =
              a_row_major ? Operand<Scalar>{a_values.data(), static_cast<std::ptrdiff_t>(s.k), 1}
                          : Operand<Scalar>{a_values.data(), 1, static_cast<std::ptrdiff_t>(s.m)};
          const Operand<Scalar> b =
              b_row_major ? Operand<Scalar>{b_values.data(), static_cast<std::ptrdiff_t>(s.n), 1}
                          : Operand<Scalar>{b_values.data(), 1, static_cast<std::ptrdiff_t>(s.k)};
          const std::size_t ldc = s.n + 5;
          // NaN where C must not be read (accumulate off) or written (beyond n).
          const Scalar fill = accumulate ? Scalar(0.75) : std::nan("");
          std::vector<Scalar> c(s.m * ldc, fill), expected(s.m * ldc, fill);
          const Scalar alpha = Scalar(-0.5);
          gemm<Scalar>(s.m, s.n, s.k, alpha, a, b, c.data(), ldc, accumulate);
          gemm_reference<Scalar>(s.m, s.n, s.k, alpha, a, b, expected.data(), ldc, accumulate);
          for (std::size_t i = 0; i < s.m; ++i)
            for (std::size_t j = 0; j < ldc; ++j) {
              const Scalar got = c[i * ldc + j], want = expected[i * ldc + j];
              if (j >= s.n) {
                ASSERT_TRUE(accumulate ? got == want : std::isnan(got))
                    << "wrote beyond n at " << i << "," << j;
                continue;
              }
              ASSERT_NEAR(got, want, tolerance * std::sqrt(static_cast<double>(s.k)))
                  << s.m << "x" << s.n << "x" << s.k << " A " << (a_row_major ? "row" : "col")
                  << " B " << (b_row_major ? "row" : "col") << " accumulate " << accumulate
                  << " at " << i << "," << j;
            }
        }
}

TEST(Gemm, FloatMatchesReference) { check<float>(1e-5); }
TEST(Gemm, DoubleMatchesReference) { check<double>(1e-12); }

TEST(Gemm, EmptyDepthZeroesOrKeepsC) {
  std::vector<float> c(6, 3.0f);
  const float none = 0;
  gemm<float>(2, 3, 0, 1.0f, {&none, 0, 1}, {&none, 0, 1}, c.data(), 3, true);
  EXPECT_EQ(c, std::vector<float>(6, 3.0f));
  gemm<float>(2, 3, 0, 1.0f, {&none, 0, 1}, {&none, 0, 1}, c.data(), 3, false);
  EXPECT_EQ(c, std::vector<float>(6, 0.0f));
}

// A whose rows are mostly zeros (as the images of the first layer) is multiplied by its nonzero
// elements only. Leaving out terms 0·b changes no bit: the result must equal the dense path's
// (taken when the same A is given column-major) exactly, for every edge of the row pairs and
// panel pairs, over several slices of k, accumulating or not, without touching C beyond n.
template <typename Scalar>
void check_sparse_equals_dense() {
  // (Products of 32 columns or fewer read A in place instead: the first three check that.)
  const Shape sparse_shapes[] = {{1, 1, 1},  {2, 16, 5},   {3, 17, 40},  {5, 33, 257}, {3, 49, 40},
                                 {50, 400, 784}, {7, 800, 30}, {10, 30, 784}, {150, 40, 300}};
  for (const Shape& s : sparse_shapes)
    for (const bool accumulate : {false, true}) {
      auto rows = random_values<Scalar>(s.m * s.k, 7);
      const auto keep = random_values<Scalar>(s.m * s.k, 8);  // N(0, 1)
      for (std::size_t e = 0; e < rows.size(); ++e)
        if (keep[e] > Scalar(-0.84)) rows[e] = Scalar(0);  // about 20% nonzero
      std::vector<Scalar> columns(s.m * s.k);
      for (std::size_t i = 0; i < s.m; ++i)
        for (std::size_t p = 0; p < s.k; ++p) columns[p * s.m + i] = rows[i * s.k + p];
      const auto b_values = random_values<Scalar>(s.k * s.n, 9);
      // W read as Wᵀ, as in the forward pass.
      const Operand<Scalar> b{b_values.data(), 1, static_cast<std::ptrdiff_t>(s.k)};
      const std::size_t ldc = s.n + 3;
      const Scalar fill = accumulate ? Scalar(0.25) : std::nan("");
      std::vector<Scalar> sparse(s.m * ldc, fill), dense(s.m * ldc, fill);
      gemm<Scalar>(s.m, s.n, s.k, Scalar(1.5), {rows.data(), static_cast<std::ptrdiff_t>(s.k), 1},
                   b, sparse.data(), ldc, accumulate);
      gemm<Scalar>(s.m, s.n, s.k, Scalar(1.5), {columns.data(), 1, static_cast<std::ptrdiff_t>(s.m)},
                   b, dense.data(), ldc, accumulate);
      for (std::size_t e = 0; e < sparse.size(); ++e) {
        if (e % ldc >= s.n) {
          ASSERT_TRUE(accumulate ? sparse[e] == fill : std::isnan(sparse[e])) << "wrote beyond n";
          continue;
        }
        ASSERT_EQ(sparse[e], dense[e]) << s.m << "x" << s.n << "x" << s.k << " accumulate "
                                       << accumulate << " at " << e / ldc << "," << e % ldc;
      }
    }
}

TEST(Gemm, SparseRowsFloatEqualDenseBitForBit) { check_sparse_equals_dense<float>(); }
TEST(Gemm, SparseRowsDoubleEqualDenseBitForBit) { check_sparse_equals_dense<double>(); }

// B whose rows are contiguous and mostly zeros (the images, in the first layer's weight gradient
// W += alpha·δ·X) skips, panel by panel, the rows that are all zero: again bit for bit the
// product of the full loop (taken when the same B is given column-major), with A either way.
template <typename Scalar>
void check_zero_rows_equal_dense() {
  const Shape shapes_b[] = {{1, 1, 1}, {6, 16, 5}, {7, 33, 50}, {13, 784, 100}, {20, 40, 300}};
  for (const Shape& s : shapes_b)
    for (const bool a_row_major : {true, false})
      for (const bool accumulate : {false, true}) {
        auto rows = random_values<Scalar>(s.k * s.n, 11);
        const auto keep = random_values<Scalar>(s.k * s.n, 12);  // N(0, 1)
        for (std::size_t p = 0; p < s.k; ++p)
          for (std::size_t j = 0; j < s.n; ++j) {
            // Half of the 16-wide segments zero, and 30% of the rest's elements.
            const bool segment_zero = keep[p * s.n + (j / 16) * 16] > Scalar(0);
            if (segment_zero || keep[p * s.n + j] < Scalar(-0.52)) rows[p * s.n + j] = Scalar(0);
          }
        std::vector<Scalar> columns(s.k * s.n);
        for (std::size_t p = 0; p < s.k; ++p)
          for (std::size_t j = 0; j < s.n; ++j) columns[j * s.k + p] = rows[p * s.n + j];
        const auto a_values = random_values<Scalar>(s.m * s.k, 13);
        const Operand<Scalar> a =
            a_row_major ? Operand<Scalar>{a_values.data(), static_cast<std::ptrdiff_t>(s.k), 1}
                        : Operand<Scalar>{a_values.data(), 1, static_cast<std::ptrdiff_t>(s.m)};
        const std::size_t ldc = s.n + 2;
        const Scalar fill = accumulate ? Scalar(-0.5) : std::nan("");
        std::vector<Scalar> skipping(s.m * ldc, fill), full(s.m * ldc, fill);
        gemm<Scalar>(s.m, s.n, s.k, Scalar(-0.25), a,
                     {rows.data(), static_cast<std::ptrdiff_t>(s.n), 1}, skipping.data(), ldc,
                     accumulate);
        gemm<Scalar>(s.m, s.n, s.k, Scalar(-0.25), a,
                     {columns.data(), 1, static_cast<std::ptrdiff_t>(s.k)}, full.data(), ldc,
                     accumulate);
        for (std::size_t e = 0; e < skipping.size(); ++e) {
          if (e % ldc >= s.n) {
            ASSERT_TRUE(accumulate ? skipping[e] == fill : std::isnan(skipping[e]))
                << "wrote beyond n";
            continue;
          }
          ASSERT_EQ(skipping[e], full[e]) << s.m << "x" << s.n << "x" << s.k << " accumulate "
                                          << accumulate << " at " << e / ldc << "," << e % ldc;
        }
      }
}

TEST(Gemm, ZeroRowsOfBFloatSkippedBitForBit) { check_zero_rows_equal_dense<float>(); }
TEST(Gemm, ZeroRowsOfBDoubleSkippedBitForBit) { check_zero_rows_equal_dense<double>(); }

// The same product computed twice, the second time after a larger one has grown the packing
// buffers: bit-identical (no state carried between calls).
TEST(Gemm, RepeatableAfterOtherCalls) {
  const auto a = random_values<float>(50 * 300, 3), b = random_values<float>(300 * 40, 4);
  std::vector<float> first(50 * 40), second(50 * 40), big(200 * 200);
  gemm<float>(50, 40, 300, 1.0f, {a.data(), 300, 1}, {b.data(), 40, 1}, first.data(), 40, false);
  const auto x = random_values<float>(200 * 700, 5);
  gemm<float>(200, 200, 700, 1.0f, {x.data(), 700, 1}, {x.data(), 200, 1}, big.data(), 200, false);
  gemm<float>(50, 40, 300, 1.0f, {a.data(), 300, 1}, {b.data(), 40, 1}, second.data(), 40, false);
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace digitnet
