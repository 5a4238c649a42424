// Tests of the register-blocked kernels against their plain references, over sizes that hit
// every block shape and tail (rows not a multiple of the block, inputs not a multiple of the
// vector width, more examples than one register group) and a leading dimension wider than n_out.
#include "digitnet/kernels/kernels.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "test_support.hpp"

namespace digitnet {
namespace {

using testing::random_values;

struct Shape {
  std::size_t n_out, n_in, m;
};
const Shape shapes[] = {{1, 1, 1},   {3, 7, 2},    {5, 9, 13}, {30, 784, 10},
                        {10, 30, 7}, {17, 33, 25}, {2, 16, 6}, {7, 5, 1}};

template <typename Scalar>
void check_forward(double tolerance) {
  for (const Shape& s : shapes) {
    const std::size_t ld = s.n_out + 3;  // a band of a taller z
    const auto w = random_values<Scalar>(s.n_out * s.n_in, 1);
    const auto b = random_values<Scalar>(s.n_out, 2);
    const auto a = random_values<Scalar>(s.n_in * s.m, 3);
    std::vector<Scalar> z(ld * s.m, Scalar(7)), expected(ld * s.m, Scalar(7));
    dense_forward(w.data(), b.data(), a.data(), z.data(), s.n_out, s.n_in, s.m, ld);
    dense_forward_reference(w.data(), b.data(), a.data(), expected.data(), s.n_out, s.n_in, s.m,
                            ld);
    for (std::size_t i = 0; i < z.size(); ++i)
      ASSERT_NEAR(z[i], expected[i], tolerance * std::sqrt(static_cast<double>(s.n_in)))
          << s.n_out << "x" << s.n_in << "x" << s.m << " at " << i;
  }
}

template <typename Scalar>
void check_gradient(double tolerance) {
  for (const Shape& s : shapes) {
    const std::size_t ld = s.n_out + 2;
    const auto delta = random_values<Scalar>(ld * s.m, 4);
    const auto a = random_values<Scalar>(s.n_in * s.m, 5);
    std::vector<Scalar> nabla_w(s.n_out * s.n_in, Scalar(9)), nabla_b(s.n_out, Scalar(9));
    std::vector<Scalar> expected_w(s.n_out * s.n_in), expected_b(s.n_out);
    weight_gradient(delta.data(), a.data(), nabla_w.data(), nabla_b.data(), s.n_out, s.n_in, s.m,
                    ld);
    weight_gradient_reference(delta.data(), a.data(), expected_w.data(), expected_b.data(), s.n_out,
                              s.n_in, s.m, ld);
    for (std::size_t i = 0; i < nabla_w.size(); ++i)
      ASSERT_NEAR(nabla_w[i], expected_w[i], tolerance * std::sqrt(static_cast<double>(s.m)))
          << s.n_out << "x" << s.n_in << "x" << s.m << " at " << i;
    for (std::size_t j = 0; j < s.n_out; ++j)
      ASSERT_NEAR(nabla_b[j], expected_b[j], tolerance * s.m);
  }
}

TEST(DenseForward, MatchesTheReferenceInDouble) { check_forward<double>(1e-13); }
TEST(DenseForward, MatchesTheReferenceInFloat) { check_forward<float>(1e-5); }
TEST(WeightGradient, MatchesTheReferenceInDouble) { check_gradient<double>(1e-13); }
TEST(WeightGradient, MatchesTheReferenceInFloat) { check_gradient<float>(1e-5); }

TEST(DenseForward, LeavesRowsOutsideItsBandAlone) {
  const std::vector<float> w(2 * 3, 1.0f), b(2, 0.0f), a(3 * 2, 1.0f);
  std::vector<float> z(4 * 2, -1.0f);
  dense_forward(w.data(), b.data(), a.data(), z.data(), 2, 3, 2, 4);
  EXPECT_EQ(z, (std::vector<float>{3, 3, -1, -1, 3, 3, -1, -1}));
}

// σ(z) and σ'(z) over z from −30 to 30 (11 values: a vector and a tail): within a few ulp of the
// double-precision σ(z) and σ(z)σ(−z) everywhere, saturated units included, where
// σ(z)(1 − σ(z)) in float would be 0 (z > 17).
TEST(Sigmoid, AccurateIncludingSaturatedUnits) {
  const std::vector<double> zs = {-30, -17, -5, -0.5, -1e-3, 0, 1e-3, 0.5, 5, 17.5, 30};
  std::vector<float> a, d(zs.size());
  for (const double z : zs) a.push_back(static_cast<float>(z));
  sigmoid(a.data(), d.data(), a.size());
  for (std::size_t i = 0; i < zs.size(); ++i) {
    const double exact_a = 1 / (1 + std::exp(-zs[i]));
    const double exact = exact_a / (1 + std::exp(zs[i]));
    EXPECT_NEAR(a[i], exact_a, 3e-7 * exact_a) << "z = " << zs[i];
    EXPECT_NEAR(d[i], exact, 5e-7 * exact) << "z = " << zs[i];
    EXPECT_GT(d[i], 0.0f) << "z = " << zs[i];
  }
}

// Over z in [−100, 100] by small steps, float and double: σ(z) within a few ulp of the exact
// value, no NaN or infinity at the clamps of e^x, and every element the same whether it is
// computed in a whole vector or among the last elements (n = 1 each): one formula for all.
template <typename Scalar>
void check_sigmoid_everywhere(double tolerance) {
  std::vector<Scalar> z;
  for (double x = -100; x <= 100; x += 0.0137) z.push_back(static_cast<Scalar>(x));
  std::vector<Scalar> a = z, d(z.size());
  sigmoid(a.data(), d.data(), a.size());
  for (std::size_t i = 0; i < z.size(); ++i) {
    const double exact = 1 / (1 + std::exp(-static_cast<double>(z[i])));
    ASSERT_TRUE(std::isfinite(a[i]) && std::isfinite(d[i])) << "z = " << z[i];
    if (exact > 1e-30) {
      ASSERT_NEAR(a[i], exact, tolerance * exact) << "z = " << z[i];
    }
    Scalar alone = z[i], alone_d = 0;
    sigmoid(&alone, &alone_d, 1);
    ASSERT_EQ(alone, a[i]) << "z = " << z[i];
    ASSERT_EQ(alone_d, d[i]) << "z = " << z[i];
  }
}
TEST(Sigmoid, FloatOneFormulaForEveryElement) { check_sigmoid_everywhere<float>(4e-7); }
TEST(Sigmoid, DoubleOneFormulaForEveryElement) { check_sigmoid_everywhere<double>(1e-15); }

}  // namespace
}  // namespace digitnet
