// The register-blocked kernels of kernels.hpp for one kernel path: included by kernels.cpp once
// per path, inside that path's namespace, after kernels/vector.hpp (see kernels/paths.hpp).
//
// The paths agree bit for bit (tests/kernels/kernel_path_test.cpp): every sum of products is a chain
// of fused multiply-adds in an order that does not depend on the vector width. weight_gradient
// runs its vectors across inputs k, so each element is its own chain whatever the width.
// dense_forward's dot products run along k in 32-byte lanes on every path (a 64-byte path holds
// two columns' lanes in one vector) and add their lanes in one fixed order.
//
// Both skip the slices of k where every example of a block is zero (an image's margins): the
// terms left out are w·0, which add exactly nothing to a sum that starts at +0 (while the weights
// are finite), so the results are those of the full loop, bit for bit.
// No include guard: see vector.hpp.

using simd::lanes;
using simd::lanes32;
using simd::load;
using simd::load_as;
using simd::multiply_add;
using simd::store;
using simd::Vec;
using simd::Vec32;

// lo in the low half of a path vector, hi in the high half (a 32-byte path: lo itself).
template <typename Scalar, std::size_t... I>
inline Vec<Scalar> join(Vec32<Scalar> lo, [[maybe_unused]] Vec32<Scalar> hi,
                        std::index_sequence<I...>) {
  if constexpr (sizeof(Vec<Scalar>) == 32)
    return lo;
  else
    return __builtin_shufflevector(lo, hi, I...);
}
template <typename Scalar>
inline Vec<Scalar> join(Vec32<Scalar> lo, Vec32<Scalar> hi) {
  return join<Scalar>(lo, hi, std::make_index_sequence<lanes<Scalar>>{});
}

// The most slices whose list is kept (on the stack: the kernels allocate nothing, which the
// Predictor promises): inputs of up to 4,096 floats. Beyond, every slice is taken.
constexpr std::size_t max_listed = 512;

// listed[q] for q < count, or q itself when there is no list.
inline std::size_t slice_at(const std::uint16_t* listed, std::size_t q) {
  return listed != nullptr ? listed[q] : q;
}

// The columns of a 32-byte slice per path vector: 1, or 2 on a 64-byte path.
template <typename Scalar>
constexpr int columns_per_vector = static_cast<int>(lanes<Scalar> / lanes32<Scalar>);

// z(j0..j0+R, c0..c0+C) by dot products along k, over the slices k = 32-byte lanes · listed[q]
// (the slices where some column is not zero), then the scalar tail from k = tail. R·C 32-byte
// accumulators in registers (AVX2 has 16 registers; AVX-512 32).
template <typename Scalar, int R, int C>
void forward_block(const Scalar* w, const Scalar* b, const Scalar* a, Scalar* z, std::size_t ldz,
                   std::size_t n_in, std::size_t j0, std::size_t c0, const std::uint16_t* listed,
                   std::size_t count, std::size_t tail) {
  constexpr std::size_t L = lanes32<Scalar>;
  constexpr int P = columns_per_vector<Scalar>, V = (C + P - 1) / P;
  Vec<Scalar> acc[R][V] = {};
  const Scalar* w_row[R];
  const Scalar* a_col[V * P];
  for (int r = 0; r < R; ++r) w_row[r] = w + (j0 + r) * n_in;
  // (a vector's surplus column, when C is odd, repeats the last; its sums are not written)
  for (int c = 0; c < V * P; ++c) a_col[c] = a + (c0 + std::min(c, C - 1)) * n_in;
  for (std::size_t q = 0; q < count; ++q) {
    const std::size_t k = slice_at(listed, q) * L;
    Vec<Scalar> wv[R];
    for (int r = 0; r < R; ++r) {
      const auto slice = load_as<Vec32<Scalar>>(w_row[r] + k);
      wv[r] = join<Scalar>(slice, slice);
    }
    for (int v = 0; v < V; ++v) {
      const Vec<Scalar> av = join<Scalar>(load_as<Vec32<Scalar>>(a_col[v * P] + k),
                                          load_as<Vec32<Scalar>>(a_col[v * P + P - 1] + k));
      for (int r = 0; r < R; ++r) acc[r][v] = multiply_add(wv[r], av, acc[r][v]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      Scalar s = 0;
      for (std::size_t l = 0; l < L; ++l) s += acc[r][c / P][(c % P) * L + l];
      for (std::size_t kk = tail; kk < n_in; ++kk) s = multiply_add(w_row[r][kk], a_col[c][kk], s);
      z[(c0 + c) * ldz + j0 + r] = s + b[j0 + r];
    }
}

template <typename Scalar, int R>
void forward_rows(const Scalar* w, const Scalar* b, const Scalar* a, Scalar* z, std::size_t ldz,
                  std::size_t n_in, std::size_t j0, std::size_t c0, std::size_t columns,
                  const std::uint16_t* listed, std::size_t count, std::size_t tail) {
  const auto block = [&]<int C>() {
    forward_block<Scalar, R, C>(w, b, a, z, ldz, n_in, j0, c0, listed, count, tail);
  };
  switch (columns) {
    case 6:
      return block.template operator()<6>();
    case 5:
      return block.template operator()<5>();
    case 4:
      return block.template operator()<4>();
    case 3:
      return block.template operator()<3>();
    case 2:
      return block.template operator()<2>();
    default:
      return block.template operator()<1>();
  }
}

// The block of z each call to forward_block computes: 2 rows x 6 columns, 12 accumulators.
// Measured against 3x4, 3x3, 2x4, 4x2, 4x3, 1x6, 1x8, 1x10, 1x12 with
// `kernels_bench --benchmark_filter=DenseForwardKernel`: 2x6 was fastest (about 50 GFLOP/s
// against 37 for 3x4 on one core of the project's machine).
constexpr std::size_t block_rows = 2, block_columns = 6;
// Columns of a (examples) per block in weight_gradient: their vectors stay in registers.
constexpr std::size_t gradient_group = 12;

// Into listed[0..count): the slices s of `width` values (k = s·width, within the first `whole`
// slices) where some of the `columns` columns of a (n_in apart) is not zero; returns count.
template <typename V, typename Scalar>
std::size_t list_nonzero_slices(const Scalar* a, std::size_t n_in, std::size_t columns,
                                std::size_t whole, std::uint16_t* listed) {
  constexpr std::size_t width = sizeof(V) / sizeof(Scalar);
  std::size_t count = 0;
  for (std::size_t s = 0; s < whole; ++s) {
    bool any = false;
    for (std::size_t c = 0; c < columns && !any; ++c)
      any = simd::any_nonzero(load_as<V>(a + c * n_in + s * width));
    listed[count] = static_cast<std::uint16_t>(s);
    count += any;
  }
  return count;
}

// The vector part of weight_gradient for one group of examples: for each listed slice of L
// inputs k, the group's activations are loaded once, then every row j of nabla_w gets
// Σ_c scaled(j, c)·a(k.., c); the unlisted slices (zero in every example) get nothing, or zeros
// when `first`. G > 0 fixes the group's size at compile time, so the unrolled loop has no exit
// tests (SgdStep/30/10/1 about 23 -> 20 µs, alternating A/B); G = 0 takes it from `group`.
template <typename Scalar, std::size_t G>
void gradient_slices(const Scalar* scaled, const Scalar* a, Scalar* nabla_w, std::size_t n_out,
                     std::size_t n_in, bool first, const std::uint16_t* listed, std::size_t count,
                     std::size_t whole, std::size_t group = G) {
  constexpr std::size_t L = lanes<Scalar>;
  if (first) {
    // The slices left out are zero, as the full loop would have made them.
    std::size_t q = 0;
    for (std::size_t s = 0; s < whole; ++s) {
      if (q < count && slice_at(listed, q) == s) {
        ++q;
        continue;
      }
      for (std::size_t j = 0; j < n_out; ++j) store(nabla_w + j * n_in + s * L, Vec<Scalar>{});
    }
  }
  for (std::size_t q = 0; q < count; ++q) {
    const std::size_t k = slice_at(listed, q) * L;
    Vec<Scalar> av[gradient_group];
    for (std::size_t c = 0; c < group; ++c) av[c] = load(a + c * n_in + k);
    for (std::size_t j = 0; j < n_out; ++j) {
      const Scalar* row = scaled + j * gradient_group;
      Vec<Scalar> acc = first ? Vec<Scalar>{} : load(nabla_w + j * n_in + k);
      for (std::size_t c = 0; c < group; ++c)
        acc = multiply_add(simd::broadcast(row[c]), av[c], acc);
      store(nabla_w + j * n_in + k, acc);
    }
  }
}

template <typename Scalar>
void dense_forward(const Scalar* w, const Scalar* b, const Scalar* a, Scalar* z, std::size_t n_out,
                   std::size_t n_in, std::size_t m, std::size_t ldz) {
  constexpr std::size_t L = lanes32<Scalar>;
  const std::size_t whole = n_in / L, tail = whole * L;
  std::uint16_t slices[max_listed];
  std::uint16_t* listed = whole <= max_listed ? slices : nullptr;
  for (std::size_t c0 = 0; c0 < m; c0 += block_columns) {
    const std::size_t columns = std::min<std::size_t>(block_columns, m - c0);
    const std::size_t count =
        listed != nullptr
            ? list_nonzero_slices<Vec32<Scalar>>(a + c0 * n_in, n_in, columns, whole, listed)
            : whole;
    std::size_t j0 = 0;
    for (; j0 + block_rows <= n_out; j0 += block_rows)
      forward_rows<Scalar, block_rows>(w, b, a, z, ldz, n_in, j0, c0, columns, listed, count,
                                       tail);
    for (; j0 < n_out; ++j0)
      forward_rows<Scalar, 1>(w, b, a, z, ldz, n_in, j0, c0, columns, listed, count, tail);
  }
}

// nabla_b (+)= alpha·Σ_c delta(:, c): vectors across outputs, each output's sum over the examples
// in their order (Eigen's rowwise().sum() summed its packets of rows in another order than the
// rows at a band's edges, so the bias depended on the thread count).
template <typename Scalar>
void bias_gradient(const Scalar* delta, Scalar* nabla_b, std::size_t n_out, std::size_t m,
                   std::size_t ldd, Scalar alpha, bool accumulate) {
  constexpr std::size_t L = lanes<Scalar>;
  std::size_t j = 0;
  for (; j + L <= n_out; j += L) {
    Vec<Scalar> s{};
    for (std::size_t c = 0; c < m; ++c) s += load(delta + c * ldd + j);
    const Vec<Scalar> scaled = simd::broadcast(alpha);
    store(nabla_b + j, accumulate ? multiply_add(scaled, s, load(nabla_b + j)) : scaled * s);
  }
  for (; j < n_out; ++j) {
    Scalar s = 0;
    for (std::size_t c = 0; c < m; ++c) s += delta[c * ldd + j];
    nabla_b[j] = accumulate ? multiply_add(alpha, s, nabla_b[j]) : alpha * s;
  }
}

template <typename Scalar>
void weight_gradient(const Scalar* delta, const Scalar* a, Scalar* nabla_w, Scalar* nabla_b,
                     std::size_t n_out, std::size_t n_in, std::size_t m, std::size_t ldd,
                     Scalar alpha, bool accumulate) {
  constexpr std::size_t L = lanes<Scalar>;
  bias_gradient(delta, nabla_b, n_out, m, ldd, alpha, accumulate);
  // For each slice of L inputs k: the slices of up to 12 examples' activations are loaded once,
  // then every row j of nabla_w gets Σ_c delta(j, c)·a(k.., c).
  // alpha·δ(j, c) of the group, row by row: computed once, not once per slice of inputs.
  thread_local std::vector<Scalar> scaled;
  if (scaled.size() < n_out * gradient_group) scaled.resize(n_out * gradient_group);
  const std::size_t whole = n_in / L;
  std::uint16_t slices[max_listed];
  std::uint16_t* listed = whole <= max_listed ? slices : nullptr;
  for (std::size_t g = 0; g < m; g += gradient_group) {
    const std::size_t group = std::min(gradient_group, m - g);
    const bool first = g == 0 && !accumulate;
    for (std::size_t j = 0; j < n_out; ++j)
      for (std::size_t c = 0; c < group; ++c)
        scaled[j * gradient_group + c] = alpha * delta[(g + c) * ldd + j];
    const Scalar* a_group = a + g * n_in;
    const std::size_t count =
        listed != nullptr ? list_nonzero_slices<Vec<Scalar>>(a_group, n_in, group, whole, listed)
                          : whole;
    if (group == gradient_group)
      gradient_slices<Scalar, gradient_group>(scaled.data(), a_group, nabla_w, n_out, n_in, first,
                                              listed, count, whole);
    else if (group == 10)  // the seeds' batch
      gradient_slices<Scalar, 10>(scaled.data(), a_group, nabla_w, n_out, n_in, first, listed,
                                  count, whole);
    else
      gradient_slices<Scalar, 0>(scaled.data(), a_group, nabla_w, n_out, n_in, first, listed,
                                 count, whole, group);
    for (std::size_t k = whole * L; k < n_in; ++k)
      for (std::size_t j = 0; j < n_out; ++j) {
        Scalar s = first ? Scalar(0) : nabla_w[j * n_in + k];
        for (std::size_t c = 0; c < group; ++c)
          s = multiply_add(scaled[j * gradient_group + c], a[(g + c) * n_in + k], s);
        nabla_w[j * n_in + k] = s;
      }
  }
}

// One vector of sigmoid: σ(z), and σ'(z) into *d when d is not null.
template <typename Scalar>
inline Vec<Scalar> sigmoid_vector(Vec<Scalar> z, Vec<Scalar>* d) {
  const Vec<Scalar> t = simd::exp(-z), one = simd::broadcast(Scalar(1));
  const Vec<Scalar> s = one / (one + t);
  if (d != nullptr) *d = s * (s < Scalar(0.5) ? one - s : t * s);
  return s;
}

template <typename Scalar>
void sigmoid(Scalar* a, Scalar* d, std::size_t n) {
  constexpr std::size_t L = lanes<Scalar>;
  std::size_t i = 0;
  for (; i + L <= n; i += L) {
    Vec<Scalar> derivative{};
    store(a + i, sigmoid_vector<Scalar>(load(a + i), d != nullptr ? &derivative : nullptr));
    if (d != nullptr) store(d + i, derivative);
  }
  if (i == n) return;
  // The last elements through a vector of their own, by the same formula.
  Scalar last[L] = {}, last_d[L];
  std::memcpy(last, a + i, (n - i) * sizeof(Scalar));
  Vec<Scalar> derivative{};
  store(last, sigmoid_vector<Scalar>(load(last), &derivative));
  store(last_d, derivative);
  std::memcpy(a + i, last, (n - i) * sizeof(Scalar));
  if (d != nullptr) std::memcpy(d + i, last_d, (n - i) * sizeof(Scalar));
}
