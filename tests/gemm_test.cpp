// Tests of the packed product against its triple-loop reference, over sizes that hit every
// edge: m and n not multiples of the register block (6 x 16 floats, 6 x 8 doubles), k deeper
// than one cache block (so that partial sums of several slices are added), m taller than one
// block of A, every operand layout the network uses (row- and column-major A and B), a C wider
// than n (a band of a larger matrix), accumulation into C, and the untouched rest of C.
#include "digitnet/gemm.hpp"

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
