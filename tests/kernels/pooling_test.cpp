// Tests of the 2 × 2 max-pooling kernels (pooling.hpp) against the rule written plainly — the
// four values of each window compared in row order, the first largest kept; δ times f'(z) at
// it, 0 elsewhere — bit for bit, for float and double, with many ties (values on a coarse grid,
// a third of them zero as after ReLU), rows of one window and of more than two vectors of them
// (16 and 8 lanes), odd heights and widths (a row and a column no window covers), and the
// three ways of having f'(z) below. CTest runs it once more on the 256-bit path.
#include "digitnet/kernels/pooling.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "test_support.hpp"

namespace digitnet {
namespace {

using testing::random_values;

struct Geometry {
  std::size_t channels, height, width;
};
const Geometry geometries[] = {
    {16, 24, 24},  // fast-99's first pooling layer: rows of 12 windows
    {16, 8, 8},    // and its second
    {1, 2, 2},     // one window
    {3, 5, 7},     // odd: the last row and column left out
    {2, 4, 70},    // 35 windows a row: two whole vectors of 16 and a part
    {1, 3, 34},    // 17 windows, one row of them
};

// Values on a grid of halves, a third of them 0: ties in most windows.
template <typename Scalar>
std::vector<Scalar> with_ties(std::size_t n, std::uint64_t seed) {
  auto v = random_values<Scalar>(n, seed);
  for (auto& x : v) x = x < Scalar(-0.4) ? Scalar(0) : std::round(x * 2) / 2;
  return v;
}

template <typename Scalar>
void expect_same_bits(const std::vector<Scalar>& got, const std::vector<Scalar>& want,
                      const char* what, const Geometry& g) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(Scalar)), 0)
        << what << " " << i << ": " << got[i] << " != " << want[i] << " (" << g.channels << "x"
        << g.height << "x" << g.width << ")";
}

template <typename Scalar>
void check_pooling() {
  for (const Geometry& g : geometries) {
    const std::size_t oh = g.height / 2, ow = g.width / 2;
    const std::size_t inputs = g.channels * g.height * g.width, outputs = g.channels * oh * ow;
    const auto x = with_ties<Scalar>(inputs, 1);
    // The rule, plainly.
    std::vector<Scalar> a(outputs), from(outputs);
    for (std::size_t c = 0; c < g.channels; ++c)
      for (std::size_t oy = 0; oy < oh; ++oy)
        for (std::size_t ox = 0; ox < ow; ++ox) {
          std::size_t best = (c * g.height + 2 * oy) * g.width + 2 * ox;
          for (std::size_t i = 0; i < 2; ++i)
            for (std::size_t j = 0; j < 2; ++j) {
              const std::size_t at = (c * g.height + 2 * oy + i) * g.width + 2 * ox + j;
              if (x[at] > x[best]) best = at;
            }
          const std::size_t o = (c * oh + oy) * ow + ox;
          a[o] = x[best];
          const auto index = static_cast<Scalar>(best);
          from[o] = x[best] > 0 ? index : Scalar(-1) - index;  // f'(z) of ReLU in the sign
        }
    std::vector<Scalar> got_a(outputs), got_from(outputs);
    max_pool_2x2(x.data(), g.channels, g.height, g.width, got_a.data(), got_from.data());
    expect_same_bits(got_a, a, "maximum", g);
    expect_same_bits(got_from, from, "place", g);

    const auto delta = random_values<Scalar>(outputs, 2);
    const auto derivative = with_ties<Scalar>(inputs, 3);
    for (int way = 0; way < 3; ++way) {  // f'(z) stored, by the ReLU rule on x, 1
      const Scalar* below = way == 0 ? derivative.data() : nullptr;  // (relu: by from's sign)
      std::vector<Scalar> dx(inputs, Scalar(0));
      for (std::size_t o = 0; o < outputs; ++o) {
        const auto i = static_cast<std::size_t>(from[o] >= 0 ? from[o] : Scalar(-1) - from[o]);
        const Scalar d = way == 0 ? derivative[i] : way == 1 ? (x[i] > 0 ? 1 : 0) : 1;
        dx[i] = (Scalar(0) + delta[o]) * d;
      }
      std::vector<Scalar> got(inputs, Scalar(7));  // every value written
      max_pool_2x2_backward(delta.data(), from.data(), below, way == 1, g.channels, g.height,
                            g.width, got.data());
      expect_same_bits(got, dx, way == 0 ? "dx (stored)" : way == 1 ? "dx (relu)" : "dx (one)", g);
    }
  }
}

TEST(MaxPool2x2, FloatMatchesTheRuleBitForBit) { check_pooling<float>(); }
TEST(MaxPool2x2, DoubleMatchesTheRuleBitForBit) { check_pooling<double>(); }

}  // namespace
}  // namespace digitnet
