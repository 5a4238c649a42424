// Register-blocked kernels, written with the vectors of vector.hpp.
#include "digitnet/kernels/kernels.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/vector.hpp"

namespace digitnet {
namespace {

using simd::lanes;
using simd::load;
using simd::store;
using simd::Vec;

template <typename Scalar>
inline Scalar sum_lanes(Vec<Scalar> v) {
  Scalar s = 0;
  for (std::size_t i = 0; i < lanes<Scalar>; ++i) s += v[i];
  return s;
}

// z(j0..j0+R, c0..c0+C) by dot products along k, R·C accumulators in registers (AVX2 has 16).
template <typename Scalar, int R, int C>
void forward_block(const Scalar* w, const Scalar* b, const Scalar* a, Scalar* z, std::size_t ldz,
                   std::size_t n_in, std::size_t j0, std::size_t c0) {
  constexpr std::size_t L = lanes<Scalar>;
  Vec<Scalar> acc[R][C] = {};
  const Scalar* w_row[R];
  const Scalar* a_col[C];
  for (int r = 0; r < R; ++r) w_row[r] = w + (j0 + r) * n_in;
  for (int c = 0; c < C; ++c) a_col[c] = a + (c0 + c) * n_in;
  std::size_t k = 0;
  for (; k + L <= n_in; k += L) {
    Vec<Scalar> wv[R];
    for (int r = 0; r < R; ++r) wv[r] = load(w_row[r] + k);
    for (int c = 0; c < C; ++c) {
      const Vec<Scalar> av = load(a_col[c] + k);
      for (int r = 0; r < R; ++r) acc[r][c] += wv[r] * av;
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      Scalar s = sum_lanes<Scalar>(acc[r][c]);
      for (std::size_t kk = k; kk < n_in; ++kk) s += w_row[r][kk] * a_col[c][kk];
      z[(c0 + c) * ldz + j0 + r] = s + b[j0 + r];
    }
}

template <typename Scalar, int R>
void forward_rows(const Scalar* w, const Scalar* b, const Scalar* a, Scalar* z, std::size_t ldz,
                  std::size_t n_in, std::size_t j0, std::size_t c0, std::size_t columns) {
  switch (columns) {
    case 6:
      return forward_block<Scalar, R, 6>(w, b, a, z, ldz, n_in, j0, c0);
    case 5:
      return forward_block<Scalar, R, 5>(w, b, a, z, ldz, n_in, j0, c0);
    case 4:
      return forward_block<Scalar, R, 4>(w, b, a, z, ldz, n_in, j0, c0);
    case 3:
      return forward_block<Scalar, R, 3>(w, b, a, z, ldz, n_in, j0, c0);
    case 2:
      return forward_block<Scalar, R, 2>(w, b, a, z, ldz, n_in, j0, c0);
    default:
      return forward_block<Scalar, R, 1>(w, b, a, z, ldz, n_in, j0, c0);
  }
}

// The block of z each call to forward_block computes: 2 rows x 6 columns, 12 accumulators.
// Measured against 3x4, 3x3, 2x4, 4x2, 4x3, 1x6, 1x8, 1x10, 1x12 with
// `kernels_bench --benchmark_filter=DenseForwardKernel`: 2x6 was fastest (about 50 GFLOP/s
// against 37 for 3x4 on one core of the project's machine).
constexpr std::size_t block_rows = 2, block_columns = 6;
// Columns of a (examples) per block in weight_gradient: their vectors stay in registers.
constexpr std::size_t gradient_group = 12;

// The vector part of weight_gradient for one group of examples: for each slice of L inputs k,
// the group's activations are loaded once, then every row j of nabla_w gets
// Σ_c scaled(j, c)·a(k.., c). G > 0 fixes the group's size at compile time, so the unrolled
// loop has no exit tests (SgdStep/30/10/1 about 23 -> 20 µs, alternating A/B); G = 0 takes it
// from `group`. Returns the first k left for the scalar tail.
template <typename Scalar, std::size_t G>
std::size_t gradient_slices(const Scalar* scaled, const Scalar* a, Scalar* nabla_w,
                            std::size_t n_out, std::size_t n_in, bool first,
                            std::size_t group = G) {
  constexpr std::size_t L = lanes<Scalar>;
  std::size_t k = 0;
  for (; k + L <= n_in; k += L) {
    Vec<Scalar> av[gradient_group];
    for (std::size_t c = 0; c < group; ++c) av[c] = load(a + c * n_in + k);
    for (std::size_t j = 0; j < n_out; ++j) {
      const Scalar* row = scaled + j * gradient_group;
      Vec<Scalar> acc = first ? Vec<Scalar>{} : load(nabla_w + j * n_in + k);
      for (std::size_t c = 0; c < group; ++c) acc += row[c] * av[c];
      store(nabla_w + j * n_in + k, acc);
    }
  }
  return k;
}

}  // namespace

template <typename Scalar>
void dense_forward(const Scalar* w, const Scalar* b, const Scalar* a, Scalar* z, std::size_t n_out,
                   std::size_t n_in, std::size_t m, std::size_t ldz) {
  for (std::size_t c0 = 0; c0 < m; c0 += block_columns) {
    const std::size_t columns = std::min<std::size_t>(block_columns, m - c0);
    std::size_t j0 = 0;
    for (; j0 + block_rows <= n_out; j0 += block_rows)
      forward_rows<Scalar, block_rows>(w, b, a, z, ldz, n_in, j0, c0, columns);
    for (; j0 < n_out; ++j0) forward_rows<Scalar, 1>(w, b, a, z, ldz, n_in, j0, c0, columns);
  }
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
void weight_gradient(const Scalar* delta, const Scalar* a, Scalar* nabla_w, Scalar* nabla_b,
                     std::size_t n_out, std::size_t n_in, std::size_t m, std::size_t ldd,
                     Scalar alpha, bool accumulate) {
  for (std::size_t j = 0; j < n_out; ++j) {
    Scalar s = 0;
    for (std::size_t c = 0; c < m; ++c) s += delta[c * ldd + j];
    nabla_b[j] = (accumulate ? nabla_b[j] : Scalar(0)) + alpha * s;
  }
  // For each slice of L inputs k: the slices of up to 12 examples' activations are loaded once,
  // then every row j of nabla_w gets Σ_c delta(j, c)·a(k.., c).
  // alpha·δ(j, c) of the group, row by row: computed once, not once per slice of inputs.
  thread_local std::vector<Scalar> scaled;
  if (scaled.size() < n_out * gradient_group) scaled.resize(n_out * gradient_group);
  for (std::size_t g = 0; g < m; g += gradient_group) {
    const std::size_t group = std::min(gradient_group, m - g);
    const bool first = g == 0 && !accumulate;
    for (std::size_t j = 0; j < n_out; ++j)
      for (std::size_t c = 0; c < group; ++c)
        scaled[j * gradient_group + c] = alpha * delta[(g + c) * ldd + j];
    std::size_t k = 0;
    const Scalar* a_group = a + g * n_in;
    if (group == gradient_group)
      k = gradient_slices<Scalar, gradient_group>(scaled.data(), a_group, nabla_w, n_out, n_in,
                                                  first);
    else if (group == 10)  // the seeds' batch
      k = gradient_slices<Scalar, 10>(scaled.data(), a_group, nabla_w, n_out, n_in, first);
    else
      k = gradient_slices<Scalar, 0>(scaled.data(), a_group, nabla_w, n_out, n_in, first, group);
    for (; k < n_in; ++k)
      for (std::size_t j = 0; j < n_out; ++j) {
        Scalar s = first ? Scalar(0) : nabla_w[j * n_in + k];
        for (std::size_t c = 0; c < group; ++c)
          s += (alpha * delta[(g + c) * ldd + j]) * a[(g + c) * n_in + k];
        nabla_w[j * n_in + k] = s;
      }
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

template <typename Scalar>
void sigmoid_derivative(const Scalar* a, Scalar* d, std::size_t n) {
  constexpr std::size_t L = lanes<Scalar>;
  std::size_t i = 0;
  for (; i + L <= n; i += L) {
    const Vec<Scalar> s = load(a + i);
    const Vec<Scalar> lower = Scalar(1) - s, upper = load(d + i) * s;
    store(d + i, s * (s < Scalar(0.5) ? lower : upper));
  }
  for (; i < n; ++i) d[i] = a[i] * (a[i] < Scalar(0.5) ? Scalar(1) - a[i] : d[i] * a[i]);
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
  template void sigmoid_derivative<Scalar>(const Scalar*, Scalar*, std::size_t);
DIGITNET_INSTANTIATE(float)
DIGITNET_INSTANTIATE(double)
#undef DIGITNET_INSTANTIATE

}  // namespace digitnet
