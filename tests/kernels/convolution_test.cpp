// Tests of the direct convolution (convolution.hpp) against what the convolution layer computed
// before it, im2col and the packed product (gemm.hpp), then col2im for the input gradient and
// a fixed-order sum for the bias: bit for bit, for float and double, over geometries that reach every edge — one input channel
// and many, maps and channels that are not multiples of the register blocks (8 and 6 rows on
// the 512-bit path, 6 and 3 on the 256-bit one; bands of maps of one and more vectors for ∇W), valid and same padding, even and odd kernels,
// patches deeper than one slice of the product (K > 256) and more maps than one slice (the
// input gradient's K), several examples with strides wider than an example, and inputs with
// runs of zeros (images, δ after ReLU); ∇W split by positions among 2 and 3 threads (some with
// no slice) against one call. CTest runs it once more on the 256-bit path.
#include "digitnet/kernels/convolution.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "digitnet/kernels/gemm.hpp"
#include "digitnet/kernels/team.hpp"
#include "test_support.hpp"

namespace digitnet {
namespace {

using testing::random_values;

const ConvGeometry geometries[] = {
    {1, 28, 28, 24, 5, 0},   // the fast network's first layer
    {24, 12, 12, 32, 3, 0},  // and its second
    {20, 12, 12, 40, 5, 0},  // the book's second
    {1, 28, 28, 32, 5, 0},   // cnn-best's first, then its second (K = 800: four slices)
    {32, 12, 12, 64, 5, 0},
    {16, 12, 12, 16, 3, 0},  // fast-99's second: one 512-bit vector of maps
    {3, 7, 9, 5, 3, 1},     // same padding, a rectangle, maps below every block
    {2, 6, 5, 13, 5, 2},    // same padding, a kernel as large as the image
    {7, 4, 4, 300, 2, 0},   // an even kernel; 300 maps: two slices of the input gradient's K
    {1, 1, 1, 3, 1, 0},     // one pixel
};

// Values with runs of zeros, as images and δ after ReLU have them.
template <typename Scalar>
std::vector<Scalar> with_zeros(std::size_t n, std::uint64_t seed) {
  auto v = random_values<Scalar>(n, seed);
  for (std::size_t i = 0; i < n; ++i)
    if ((i / 7) % 3 == 0 || v[i] > Scalar(0.8)) v[i] = Scalar(0);
  return v;
}

// The patches of one example, as the layer's im2col writes them: row (c·k + i)·k + j, column
// oy·OW + ox.
template <typename Scalar>
std::vector<Scalar> im2col(const ConvGeometry& g, const Scalar* x) {
  const std::size_t oh = g.output_height(), ow = g.output_width();
  std::vector<Scalar> patches(g.patch() * oh * ow, Scalar(0));
  for (std::size_t c = 0; c < g.channels; ++c)
    for (std::size_t i = 0; i < g.k; ++i)
      for (std::size_t j = 0; j < g.k; ++j)
        for (std::size_t oy = 0; oy < oh; ++oy)
          for (std::size_t ox = 0; ox < ow; ++ox) {
            const auto y = static_cast<std::ptrdiff_t>(oy + i) - static_cast<std::ptrdiff_t>(g.pad);
            const auto x_ = static_cast<std::ptrdiff_t>(ox + j) - static_cast<std::ptrdiff_t>(g.pad);
            if (y < 0 || x_ < 0 || y >= static_cast<std::ptrdiff_t>(g.height) ||
                x_ >= static_cast<std::ptrdiff_t>(g.width))
              continue;
            patches[((c * g.k + i) * g.k + j) * oh * ow + oy * ow + ox] =
                x[(c * g.height + static_cast<std::size_t>(y)) * g.width +
                  static_cast<std::size_t>(x_)];
          }
  return patches;
}

template <typename Scalar>
void expect_same_bits(const std::vector<Scalar>& got, const std::vector<Scalar>& want,
                      const ConvGeometry& g, const char* what) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(0, std::memcmp(&got[i], &want[i], sizeof(Scalar)))
        << what << " differs at " << i << ": " << got[i] << " against " << want[i] << " ("
        << g.channels << "x" << g.height << "x" << g.width << ", " << g.maps << " maps of "
        << g.k << "x" << g.k << ", pad " << g.pad << ")";
}

template <typename Scalar>
void check_forward() {
  for (const ConvGeometry& g : geometries) {
    const std::size_t examples = 3, in = g.channels * g.height * g.width;
    const std::size_t p = g.output_height() * g.output_width(), out = g.maps * p;
    const std::size_t x_stride = in + 3, z_stride = out + 5;
    const auto w = random_values<Scalar>(g.maps * g.patch(), 1);
    const auto x = with_zeros<Scalar>(examples * x_stride, 2);
    const auto b = random_values<Scalar>(g.maps, 5);
    std::vector<Scalar> z(examples * z_stride, Scalar(-7)), want = z;
    std::vector<Scalar> a = z, derivative = z, want_a = z, want_derivative = z;
    conv_forward<Scalar>(g, w.data(), b.data(), x.data(), x_stride, {z.data(), z_stride},
                         examples);
    conv_forward<Scalar>(g, w.data(), b.data(), x.data(), x_stride,
                         {a.data(), z_stride, true, derivative.data(), z_stride}, examples);
    for (std::size_t e = 0; e < examples; ++e) {
      const auto patches = im2col(g, x.data() + e * x_stride);
      gemm<Scalar>(g.maps, p, g.patch(), Scalar(1),
                   {w.data(), static_cast<std::ptrdiff_t>(g.patch()), 1},
                   {patches.data(), static_cast<std::ptrdiff_t>(p), 1}, want.data() + e * z_stride,
                   p, false);
      // + b, then ReLU and its derivative, as the layer's activate() computes them.
      for (std::size_t i = 0; i < out; ++i) {
        Scalar& value = want[e * z_stride + i];
        value = value + b[i / p];
        want_a[e * z_stride + i] = std::max(value, Scalar(0));
        want_derivative[e * z_stride + i] = value > 0 ? Scalar(1) : Scalar(0);
      }
    }
    expect_same_bits(z, want, g, "z");
    expect_same_bits(a, want_a, g, "ReLU(z)");
    expect_same_bits(derivative, want_derivative, g, "f'(z)");
  }
}

template <typename Scalar>
void check_input_gradient() {
  for (const ConvGeometry& g : geometries) {
    const std::size_t examples = 3, in = g.channels * g.height * g.width;
    const std::size_t oh = g.output_height(), ow = g.output_width(), p = oh * ow;
    const std::size_t d_stride = g.maps * p + 2, dx_stride = in + 4;
    const auto w = random_values<Scalar>(g.maps * g.patch(), 3);
    const auto delta = with_zeros<Scalar>(examples * d_stride, 4);
    std::vector<Scalar> dx(examples * dx_stride, Scalar(-7)), want = dx;
    conv_input_gradient<Scalar>(g, w.data(), delta.data(), d_stride, dx.data(), dx_stride,
                                examples);
    for (std::size_t e = 0; e < examples; ++e) {
      // ∂C/∂patches = Wᵀ·δ, then each added where im2col took it, taps in order (col2im).
      std::vector<Scalar> gradient(g.patch() * p);
      gemm<Scalar>(g.patch(), p, g.maps, Scalar(1),
                   {w.data(), 1, static_cast<std::ptrdiff_t>(g.patch())},
                   {delta.data() + e * d_stride, static_cast<std::ptrdiff_t>(p), 1},
                   gradient.data(), p, false);
      Scalar* target = want.data() + e * dx_stride;
      std::fill(target, target + in, Scalar(0));
      for (std::size_t c = 0; c < g.channels; ++c)
        for (std::size_t i = 0; i < g.k; ++i)
          for (std::size_t j = 0; j < g.k; ++j)
            for (std::size_t oy = 0; oy < oh; ++oy)
              for (std::size_t ox = 0; ox < ow; ++ox) {
                const auto y = static_cast<std::ptrdiff_t>(oy + i - g.pad);
                const auto x = static_cast<std::ptrdiff_t>(ox + j - g.pad);
                if (y < 0 || x < 0 || y >= static_cast<std::ptrdiff_t>(g.height) ||
                    x >= static_cast<std::ptrdiff_t>(g.width))
                  continue;
                target[(c * g.height + static_cast<std::size_t>(y)) * g.width +
                       static_cast<std::size_t>(x)] +=
                    gradient[((c * g.k + i) * g.k + j) * p + oy * ow + ox];
              }
    }
    expect_same_bits(dx, want, g, "dx");
  }
}

// The split by positions for `threads` threads, run one after the other as the layer runs them
// between its barriers, against one call for every map: the same bits, ∇W and Σ δ.
template <typename Scalar>
void check_split_by_positions(const ConvGeometry& g, const std::vector<Scalar>& x,
                              std::size_t x_stride, const std::vector<Scalar>& delta,
                              std::size_t d_stride, std::size_t examples, Scalar alpha,
                              bool accumulate) {
  const std::size_t n = g.patch();
  const auto start = random_values<Scalar>(g.maps * n, 9);
  std::vector<Scalar> want = start, want_sums(g.maps);
  conv_weight_gradient<Scalar>(g, x.data(), x_stride, delta.data(), d_stride, examples, 0,
                               g.maps, alpha, accumulate, want.data(), want_sums.data());
  const std::size_t slices = conv_weight_gradient_slices(g, examples);
  for (const int threads : {2, 3}) {
    std::vector<Scalar> shared(examples * conv_weight_gradient_shared_per_example<Scalar>(g),
                               Scalar(99));
    std::vector<Scalar> w = start, sums(g.maps);
    const auto of = [&](std::size_t count, int t) {
      return Team{t, threads}.of(static_cast<Eigen::Index>(count));
    };
    for (int t = 0; t < threads; ++t) {
      const auto [s0, count] = of(slices, t);
      conv_weight_gradient_partials<Scalar>(g, x.data(), x_stride, delta.data(), d_stride,
                                            examples, static_cast<std::size_t>(s0),
                                            static_cast<std::size_t>(count), t == 0,
                                            shared.data());
    }
    for (int t = 0; t < threads; ++t) {
      const auto [p0, elements] = of(n, t);
      conv_weight_gradient_combine<Scalar>(g, examples, shared.data(),
                                           static_cast<std::size_t>(p0),
                                           static_cast<std::size_t>(elements), alpha, accumulate,
                                           w.data());
    }
    for (int t = 1; t < threads; ++t) {
      const auto [s0, count] = of(slices, t);
      conv_delta_running_sums<Scalar>(g, delta.data(), d_stride, examples,
                                      static_cast<std::size_t>(s0),
                                      static_cast<std::size_t>(count), shared.data());
    }
    conv_delta_sums<Scalar>(g, shared.data(), 0, g.maps, sums.data());
    expect_same_bits(w, want, g, threads == 2 ? "∇W by positions (2)" : "∇W by positions (3)");
    expect_same_bits(sums, want_sums, g, "Σ δ by positions");
  }
}

// ∇W as the layer computed it before: the batch's patches side by side (n × examples·P), one
// product with δ in map-major order (maps × examples·P) for the band of maps, and Σ δ per map
// in 16 running sums (position k into sum k mod 16) added in order.
template <typename Scalar>
void check_weight_gradient() {
  for (const ConvGeometry& g : geometries) {
    const std::size_t examples = 5, in = g.channels * g.height * g.width;
    const std::size_t p = g.output_height() * g.output_width(), n = g.patch();
    const std::size_t x_stride = in + 1, d_stride = g.maps * p + 3, columns = examples * p;
    const auto x = with_zeros<Scalar>(examples * x_stride, 6);
    const auto delta = with_zeros<Scalar>(examples * d_stride, 7);
    std::vector<Scalar> patches(n * columns), maps(g.maps * columns);
    for (std::size_t e = 0; e < examples; ++e) {
      const auto one = im2col(g, x.data() + e * x_stride);
      for (std::size_t r = 0; r < n; ++r)
        std::copy_n(one.data() + r * p, p, patches.data() + r * columns + e * p);
      for (std::size_t f = 0; f < g.maps; ++f)
        std::copy_n(delta.data() + e * d_stride + f * p, p, maps.data() + f * columns + e * p);
    }
    const std::size_t first = g.maps / 3, band = g.maps - first;  // a thread's band
    for (const bool accumulate : {false, true}) {
      const Scalar alpha = Scalar(-0.37);
      const auto start = random_values<Scalar>(band * n, 8);
      std::vector<Scalar> w = start, want = start, sums(band), want_sums(band);
      conv_weight_gradient<Scalar>(g, x.data(), x_stride, delta.data(), d_stride, examples, first,
                                   band, alpha, accumulate, w.data(), sums.data());
      gemm<Scalar>(band, n, columns, alpha,
                   {maps.data() + first * columns, static_cast<std::ptrdiff_t>(columns), 1},
                   {patches.data(), 1, static_cast<std::ptrdiff_t>(columns)}, want.data(), n,
                   accumulate);
      for (std::size_t f = 0; f < band; ++f) {
        Scalar lanes[16] = {};
        for (std::size_t i = 0; i < columns; ++i) lanes[i % 16] += maps[(first + f) * columns + i];
        Scalar sum = 0;
        for (const Scalar lane : lanes) sum += lane;
        want_sums[f] = sum;
      }
      expect_same_bits(w, want, g, accumulate ? "∇W (accumulated)" : "∇W");
      expect_same_bits(sums, want_sums, g, "Σ δ");
      if (g.maps <= conv_weight_gradient_lanes<Scalar>())
        check_split_by_positions(g, x, x_stride, delta, d_stride, examples, alpha, accumulate);
    }
  }
}

TEST(Convolution, ForwardIsTheProductWithThePatchesBitForBit) {
  check_forward<float>();
  check_forward<double>();
}

TEST(Convolution, InputGradientIsCol2imOfTheProductBitForBit) {
  check_input_gradient<float>();
  check_input_gradient<double>();
}

TEST(Convolution, WeightGradientIsTheProductOverTheBatchBitForBit) {
  check_weight_gradient<float>();
  check_weight_gradient<double>();
}

// A kernel of ones over an image of ones counts the taps inside the image: k² in the middle,
// fewer at the padded edges (plus the bias). (A check with numbers worked out by hand, beside the GEMM's.)
TEST(Convolution, SamePaddingCountsTheTapsInsideTheImage) {
  const ConvGeometry g{1, 3, 3, 1, 3, 1};
  const std::vector<float> w(9, 1.0f), x(9, 1.0f);
  const float b = 0.5f;
  std::vector<float> z(9);
  conv_forward<float>(g, w.data(), &b, x.data(), 9, {z.data(), 9}, 1);
  EXPECT_EQ(z, (std::vector<float>{4.5, 6.5, 4.5, 6.5, 9.5, 6.5, 4.5, 6.5, 4.5}));
  std::vector<float> dx(9);
  conv_input_gradient<float>(g, w.data(), x.data(), 9, dx.data(), 9, 1);
  EXPECT_EQ(dx, (std::vector<float>{4, 6, 4, 6, 9, 6, 4, 6, 4}));
}

}  // namespace
}  // namespace digitnet
