// Tests of the kernel paths (kernel_path.hpp): choosing one, and the claim that makes choosing
// harmless — every path computes every kernel's results bit for bit alike, and in the order
// the kernels document. On a CPU without AVX-512 the comparisons between paths are skipped
// (GTEST_SKIP says so); the documented orders are checked on every path there is.
#include "digitnet/kernels/kernel_path.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "digitnet/core/error.hpp"
#include "digitnet/kernels/gemm.hpp"
#include "digitnet/kernels/kernels.hpp"
#include "test_support.hpp"

namespace digitnet {
namespace {

using testing::random_values;

// Runs `compute` on every available path; returns each path's result.
template <typename Result>
std::vector<Result> on_every_path(const std::function<Result()>& compute) {
  const KernelPath before = kernel_path();
  std::vector<Result> results;
  for (KernelPath path : available_kernel_paths()) {
    set_kernel_path(path);
    results.push_back(compute());
  }
  set_kernel_path(before);
  return results;
}

bool has_avx512() { return available_kernel_paths().size() > 1; }

// a·b + c as the kernels' documented orders take it: rounded once (std::fma) where the build has
// fused multiply-adds, as every x86-64-v3 build does; rounded twice in the portable build, which
// has none (kernels/vector.hpp's multiply_add).
template <typename Scalar>
Scalar fused(Scalar a, Scalar b, Scalar c) {
#if defined(__FMA__)
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// Values as the first layer sees them: about 20% nonzero, and whole runs of zeros (margins).
template <typename Scalar>
std::vector<Scalar> image_like(std::size_t n, std::uint64_t seed) {
  auto v = random_values<Scalar>(n, seed);
  const auto keep = random_values<Scalar>(n, seed + 100);
  for (std::size_t i = 0; i < n; ++i)
    if (keep[i] > Scalar(-0.84) || (i / 8) % 5 < 2) v[i] = Scalar(0);
  return v;
}

template <typename Scalar>
void expect_paths_agree(const std::vector<std::vector<Scalar>>& results, const char* what) {
  for (std::size_t p = 1; p < results.size(); ++p) {
    ASSERT_EQ(results[p].size(), results[0].size());
    for (std::size_t i = 0; i < results[0].size(); ++i)
      ASSERT_EQ(std::isnan(results[p][i]) ? 0 : results[p][i],
                std::isnan(results[0][i]) ? 0 : results[0][i])
          << what << ": " << kernel_path_name(available_kernel_paths()[p]) << " differs at " << i;
  }
}

TEST(KernelPath, NamesAndProblems) {
  EXPECT_STREQ(kernel_path_name(KernelPath::avx2), "avx2");
  EXPECT_STREQ(kernel_path_name(KernelPath::avx512), "avx512");
  EXPECT_EQ(available_kernel_paths().front(), KernelPath::avx2);
  EXPECT_EQ(kernel_path_problem("avx2"), "");
  EXPECT_NE(kernel_path_problem("sse").find("unknown kernel path 'sse'"), std::string::npos);
  EXPECT_NE(kernel_path_problem("sse").find("this machine has: avx2"), std::string::npos);
  if (has_avx512()) {
    EXPECT_EQ(kernel_path_problem("avx512"), "");
  } else {
    EXPECT_NE(kernel_path_problem("avx512").find("AVX-512"), std::string::npos);
    EXPECT_THROW(set_kernel_path(KernelPath::avx512), Error);
  }
}

TEST(KernelPath, TheWidestIsChosenUnlessTheEnvironmentSaysOtherwise) {
  const char* forced = std::getenv("DIGITNET_KERNELS");
  if (forced != nullptr && *forced != '\0')
    EXPECT_STREQ(kernel_path_name(kernel_path()), forced);
  else
    EXPECT_EQ(kernel_path(), available_kernel_paths().back());
}

// dense_forward's documented order, written plainly: for each output, 32-byte lanes l of
// products w·a summed along k ≡ l in order by fused multiply-adds, the lanes added first to last,
// then the tail's products fused in order, then the bias.
template <typename Scalar>
std::vector<Scalar> forward_in_order(const std::vector<Scalar>& w, const std::vector<Scalar>& b,
                                     const std::vector<Scalar>& a, std::size_t n_out,
                                     std::size_t n_in, std::size_t m) {
  constexpr std::size_t L = 32 / sizeof(Scalar);
  std::vector<Scalar> z(n_out * m);
  for (std::size_t c = 0; c < m; ++c)
    for (std::size_t j = 0; j < n_out; ++j) {
      Scalar lane[L] = {};
      const std::size_t whole = n_in / L * L;
      for (std::size_t k = 0; k < whole; ++k)
        lane[k % L] = fused(w[j * n_in + k], a[c * n_in + k], lane[k % L]);
      Scalar s = 0;
      for (const Scalar x : lane) s += x;
      for (std::size_t k = whole; k < n_in; ++k) s = fused(w[j * n_in + k], a[c * n_in + k], s);
      z[c * n_out + j] = s + b[j];
    }
  return z;
}

// weight_gradient's order: each element's own chain, nabla (or 0) then Σ_c fused in order of c
// of (alpha·δ(j, c))·a(k, c).
template <typename Scalar>
std::vector<Scalar> gradient_in_order(const std::vector<Scalar>& delta, const std::vector<Scalar>& a,
                                      std::vector<Scalar> nabla, std::size_t n_out,
                                      std::size_t n_in, std::size_t m, Scalar alpha,
                                      bool accumulate) {
  for (std::size_t j = 0; j < n_out; ++j)
    for (std::size_t k = 0; k < n_in; ++k) {
      Scalar s = accumulate ? nabla[j * n_in + k] : Scalar(0);
      for (std::size_t c = 0; c < m; ++c) s = fused(alpha * delta[c * n_out + j], a[c * n_in + k], s);
      nabla[j * n_in + k] = s;
    }
  return nabla;
}

struct Dims {
  std::size_t n_out, n_in, m;
};
const Dims dims[] = {{1, 1, 1}, {3, 7, 2}, {5, 9, 13}, {30, 784, 10}, {10, 30, 7}, {17, 33, 25},
                     {2, 16, 6}, {7, 41, 11}, {4, 100, 12}, {3, 4105, 3}, {2, 8200, 2}};

template <typename Scalar>
void check_forward_order() {
  for (const Dims& s : dims)
    for (const bool sparse : {false, true}) {
      const auto w = random_values<Scalar>(s.n_out * s.n_in, 1);
      const auto b = random_values<Scalar>(s.n_out, 2);
      const auto a = sparse ? image_like<Scalar>(s.n_in * s.m, 3) : random_values<Scalar>(s.n_in * s.m, 3);
      const auto expected = forward_in_order(w, b, a, s.n_out, s.n_in, s.m);
      const auto results = on_every_path<std::vector<Scalar>>([&] {
        std::vector<Scalar> z(s.n_out * s.m);
        dense_forward(w.data(), b.data(), a.data(), z.data(), s.n_out, s.n_in, s.m, s.n_out);
        return z;
      });
      for (std::size_t p = 0; p < results.size(); ++p)
        ASSERT_EQ(results[p], expected) << kernel_path_name(available_kernel_paths()[p]) << " "
                                        << s.n_out << "x" << s.n_in << "x" << s.m
                                        << (sparse ? " sparse" : "");
    }
}
TEST(KernelPath, DenseForwardFloatInItsOrderOnEveryPath) { check_forward_order<float>(); }
TEST(KernelPath, DenseForwardDoubleInItsOrderOnEveryPath) { check_forward_order<double>(); }

template <typename Scalar>
void check_gradient_order() {
  for (const Dims& s : dims)
    for (const bool sparse : {false, true})
      for (const bool accumulate : {false, true}) {
        const auto delta = random_values<Scalar>(s.n_out * s.m, 4);
        const auto a = sparse ? image_like<Scalar>(s.n_in * s.m, 5) : random_values<Scalar>(s.n_in * s.m, 5);
        const auto start = random_values<Scalar>(s.n_out * s.n_in, 6);
        const Scalar alpha = Scalar(-0.3);
        const auto expected = gradient_in_order(delta, a, start, s.n_out, s.n_in, s.m, alpha, accumulate);
        const auto results = on_every_path<std::vector<Scalar>>([&] {
          std::vector<Scalar> nabla = start, nabla_b(s.n_out, Scalar(1));
          weight_gradient(delta.data(), a.data(), nabla.data(), nabla_b.data(), s.n_out, s.n_in, s.m,
                          s.n_out, alpha, accumulate);
          nabla.insert(nabla.end(), nabla_b.begin(), nabla_b.end());
          return nabla;
        });
        for (std::size_t p = 0; p < results.size(); ++p) {
          const std::vector<Scalar> w(results[p].begin(), results[p].begin() + s.n_out * s.n_in);
          ASSERT_EQ(w, expected) << kernel_path_name(available_kernel_paths()[p]) << " " << s.n_out
                                 << "x" << s.n_in << "x" << s.m << (sparse ? " sparse" : "")
                                 << (accumulate ? " accumulate" : "");
        }
        expect_paths_agree(results, "weight_gradient");
      }
}
TEST(KernelPath, WeightGradientFloatInItsOrderOnEveryPath) { check_gradient_order<float>(); }
TEST(KernelPath, WeightGradientDoubleInItsOrderOnEveryPath) { check_gradient_order<double>(); }

template <typename Scalar>
void check_sigmoid_paths() {
  if (!has_avx512()) GTEST_SKIP() << "this CPU has one kernel path";
  std::vector<Scalar> z;
  for (double x = -120; x <= 120; x += 0.0071) z.push_back(static_cast<Scalar>(x));
  for (const std::size_t n : {z.size(), std::size_t{13}, std::size_t{30}, std::size_t{5}}) {
    const auto results = on_every_path<std::vector<Scalar>>([&] {
      std::vector<Scalar> a(z.begin(), z.begin() + n), d(n);
      sigmoid(a.data(), d.data(), n);
      a.insert(a.end(), d.begin(), d.end());
      return a;
    });
    expect_paths_agree(results, "sigmoid");
  }
}
TEST(KernelPath, SigmoidFloatAgreesBitForBit) { check_sigmoid_paths<float>(); }
TEST(KernelPath, SigmoidDoubleAgreesBitForBit) { check_sigmoid_paths<double>(); }

// gemm in every orientation the layers use, dense, with sparse A and with zero rows of B, over
// sizes that cross every block edge of either path (MR, NR, the sparse chunk, KC).
template <typename Scalar>
void check_gemm_paths() {
  if (!has_avx512()) GTEST_SKIP() << "this CPU has one kernel path";
  const struct {
    std::size_t m, n, k;
  } sizes[] = {{1, 1, 1}, {7, 33, 5},    {13, 65, 300}, {100, 800, 784}, {100, 30, 784},
               {10, 784, 100}, {150, 40, 513}, {64, 100, 31}, {6, 17, 257}};
  for (const auto& s : sizes)
    for (int orientation = 0; orientation < 4; ++orientation)
      for (const bool accumulate : {false, true}) {
        // 0: both row-major; 1: A sparse, rows contiguous, B read transposed (the forward
        // pass); 2: B mostly zero rows (the weight gradient); 3: both column-major.
        const bool sparse_a = orientation == 1, sparse_b = orientation == 2;
        const auto a_values = sparse_a ? image_like<Scalar>(s.m * s.k, 7) : random_values<Scalar>(s.m * s.k, 7);
        const auto b_values = sparse_b ? image_like<Scalar>(s.k * s.n, 8) : random_values<Scalar>(s.k * s.n, 8);
        const auto k = static_cast<std::ptrdiff_t>(s.k), m = static_cast<std::ptrdiff_t>(s.m),
                   n = static_cast<std::ptrdiff_t>(s.n);
        const Operand<Scalar> a = orientation == 3 ? Operand<Scalar>{a_values.data(), 1, m}
                                                   : Operand<Scalar>{a_values.data(), k, 1};
        const Operand<Scalar> b = orientation == 1 || orientation == 3
                                      ? Operand<Scalar>{b_values.data(), 1, k}
                                      : Operand<Scalar>{b_values.data(), n, 1};
        const auto start = random_values<Scalar>(s.m * s.n, 9);
        const auto results = on_every_path<std::vector<Scalar>>([&] {
          std::vector<Scalar> c = start;
          gemm<Scalar>(s.m, s.n, s.k, Scalar(0.75), a, b, c.data(), s.n, accumulate);
          return c;
        });
        expect_paths_agree(results, "gemm");
      }
}
TEST(KernelPath, GemmFloatAgreesBitForBit) { check_gemm_paths<float>(); }
TEST(KernelPath, GemmDoubleAgreesBitForBit) { check_gemm_paths<double>(); }

}  // namespace
}  // namespace digitnet
