// The vectors of the hand-written kernels (kernels.cpp, gemm.cpp): GCC/Clang vector extensions
// of DIGITNET_VECTOR_BYTES bytes — 32 (8 floats, 4 doubles: AVX2 + FMA in the x86-64-v3 build)
// or 64 (16 floats, 8 doubles: AVX-512, under `#pragma GCC target`). No intrinsics but in the
// helpers that need an exact instruction (multiply_add, any_nonzero), each with a portable
// fallback. Private to the library.
//
// Included once per kernel path, inside that path's namespace (kernels/each_path.hpp), with
// DIGITNET_VECTOR_BYTES defined: every function here must be compiled with the path's target,
// so that its intrinsics can be inlined and no AVX-512 instruction reaches a shared (COMDAT)
// definition that an AVX2 machine could end up calling. Hence no include guard and no headers
// of its own (the including file has <cstring> and <immintrin.h>).
#ifndef DIGITNET_VECTOR_BYTES
#error "define DIGITNET_VECTOR_BYTES (32 or 64) before including kernels/vector.hpp"
#endif

namespace simd {

constexpr std::size_t vector_bytes = DIGITNET_VECTOR_BYTES;

template <typename Scalar, std::size_t Bytes = vector_bytes>
struct VectorOf {
  typedef Scalar type __attribute__((vector_size(Bytes)));
};
// The path's vector, and the 32-byte one whose lanes fix every summation order along k that
// ends in a sum of lanes (kernels.cpp's dense_forward): a 64-byte path keeps two of them side
// by side in a vector rather than summing 16 lanes, so that both paths round alike.
template <typename Scalar>
using Vec = typename VectorOf<Scalar>::type;
template <typename Scalar>
using Vec32 = typename VectorOf<Scalar, 32>::type;
template <typename Scalar>
constexpr std::size_t lanes = vector_bytes / sizeof(Scalar);
template <typename Scalar>
constexpr std::size_t lanes32 = 32 / sizeof(Scalar);

// Unaligned load and store, of either size.
template <typename V, typename Scalar>
inline V load_as(const Scalar* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename Scalar>
inline Vec<Scalar> load(const Scalar* p) {
  return load_as<Vec<Scalar>>(p);
}
template <typename Scalar, typename V>
inline void store(Scalar* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

// s in every lane (GCC and Clang widen a scalar operand of a vector operation); x − (+0) is x
// exactly, so the subtraction folds away and one vbroadcastss remains.
template <typename Scalar>
inline Vec<Scalar> broadcast(Scalar s) {
  return s - Vec<Scalar>{};
}

// a·b + c rounded once where the CPU has fused multiply-add, else a·b + c: the same at every call
// site, where a plain a * b + c is fused or not as the compiler sees fit. Every sum of products
// in the kernels goes through it (or through std::fma for a scalar), on every path: that is what
// makes a 64-byte path's results those of the 32-byte path, bit for bit.
template <typename V>
inline V multiply_add(V a, V b, V c) {
#if defined(__FMA__)
  if constexpr (sizeof(V) == 32 && sizeof(a[0]) == 4)
    return reinterpret_cast<V>(_mm256_fmadd_ps(reinterpret_cast<__m256>(a),
                                               reinterpret_cast<__m256>(b),
                                               reinterpret_cast<__m256>(c)));
  else if constexpr (sizeof(V) == 32)
    return reinterpret_cast<V>(_mm256_fmadd_pd(reinterpret_cast<__m256d>(a),
                                               reinterpret_cast<__m256d>(b),
                                               reinterpret_cast<__m256d>(c)));
#if DIGITNET_VECTOR_BYTES == 64
  else if constexpr (sizeof(V) == 64 && sizeof(a[0]) == 4)
    return reinterpret_cast<V>(_mm512_fmadd_ps(reinterpret_cast<__m512>(a),
                                               reinterpret_cast<__m512>(b),
                                               reinterpret_cast<__m512>(c)));
  else if constexpr (sizeof(V) == 64)
    return reinterpret_cast<V>(_mm512_fmadd_pd(reinterpret_cast<__m512d>(a),
                                               reinterpret_cast<__m512d>(b),
                                               reinterpret_cast<__m512d>(c)));
#endif
  else
    static_assert(sizeof(V) == 0, "no fused multiply-add for this vector");
#else
  return a * b + c;  // no fused instruction to choose
#endif
}

// a·b + c for scalars: fused where vectors are (std::fma is one instruction with FMA).
template <typename Scalar>
inline Scalar multiply_add(Scalar a, Scalar b, Scalar c)
  requires std::is_floating_point_v<Scalar>
{
#if defined(__FMA__)
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// Whether any lane of x is not zero (NaN counts as not zero, −0 as zero). One compare and a
// movemask (or mask register) where there is AVX; GCC turned the portable loop into lane
// extractions.
template <typename V>
inline bool any_nonzero(V x) {
#if DIGITNET_VECTOR_BYTES == 64
  if constexpr (sizeof(V) == 64 && sizeof(x[0]) == 4)
    return _mm512_cmp_ps_mask(reinterpret_cast<__m512>(x), _mm512_setzero_ps(), _CMP_NEQ_UQ) != 0;
  else if constexpr (sizeof(V) == 64)
    return _mm512_cmp_pd_mask(reinterpret_cast<__m512d>(x), _mm512_setzero_pd(), _CMP_NEQ_UQ) != 0;
  else
#endif
#if defined(__AVX__)
  if constexpr (sizeof(V) == 32 && sizeof(x[0]) == 4)
    return _mm256_movemask_ps(_mm256_cmp_ps(reinterpret_cast<__m256>(x), _mm256_setzero_ps(),
                                            _CMP_NEQ_UQ)) != 0;
  else if constexpr (sizeof(V) == 32)
    return _mm256_movemask_pd(_mm256_cmp_pd(reinterpret_cast<__m256d>(x), _mm256_setzero_pd(),
                                            _CMP_NEQ_UQ)) != 0;
  else
#endif
  {
    bool any = false;
    for (std::size_t l = 0; l < sizeof(V) / sizeof(x[0]); ++l) any |= x[l] != 0;
    return any;
  }
}

// The first n ≤ lanes values at p, the lanes after them 0, nothing beyond them read (masked
// loads do not fault); and the first n lanes of v stored at p, nothing beyond them written.
template <typename Scalar>
inline Vec<Scalar> load_first(const Scalar* p, std::size_t n) {
  constexpr std::size_t L = lanes<Scalar>;
  if (n >= L) return load(p);
#if DIGITNET_VECTOR_BYTES == 64
  if constexpr (sizeof(Scalar) == 4)
    return reinterpret_cast<Vec<Scalar>>(
        _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), p));
  else
    return reinterpret_cast<Vec<Scalar>>(
        _mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << n) - 1), p));
#elif defined(__AVX2__)
  using Int = std::conditional_t<sizeof(Scalar) == 4, std::int32_t, std::int64_t>;
  typedef Int IntV __attribute__((vector_size(32)));
  IntV lane{};
  for (std::size_t l = 0; l < L; ++l) lane[l] = static_cast<Int>(l);
  const IntV mask = lane < static_cast<Int>(n);
  if constexpr (sizeof(Scalar) == 4)
    return reinterpret_cast<Vec<Scalar>>(_mm256_maskload_ps(p, reinterpret_cast<__m256i>(mask)));
  else
    return reinterpret_cast<Vec<Scalar>>(_mm256_maskload_pd(p, reinterpret_cast<__m256i>(mask)));
#else
  Vec<Scalar> v{};
  std::memcpy(&v, p, n * sizeof(Scalar));
  return v;
#endif
}
template <typename Scalar>
inline void store_first(Scalar* p, Vec<Scalar> v, std::size_t n) {
  constexpr std::size_t L = lanes<Scalar>;
  if (n >= L) return store(p, v);
#if DIGITNET_VECTOR_BYTES == 64
  if constexpr (sizeof(Scalar) == 4)
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), reinterpret_cast<__m512>(v));
  else
    _mm512_mask_storeu_pd(p, static_cast<__mmask8>((1u << n) - 1), reinterpret_cast<__m512d>(v));
#elif defined(__AVX2__)
  using Int = std::conditional_t<sizeof(Scalar) == 4, std::int32_t, std::int64_t>;
  typedef Int IntV __attribute__((vector_size(32)));
  IntV lane{};
  for (std::size_t l = 0; l < L; ++l) lane[l] = static_cast<Int>(l);
  const IntV mask = lane < static_cast<Int>(n);
  if constexpr (sizeof(Scalar) == 4)
    _mm256_maskstore_ps(p, reinterpret_cast<__m256i>(mask), reinterpret_cast<__m256>(v));
  else
    _mm256_maskstore_pd(p, reinterpret_cast<__m256i>(mask), reinterpret_cast<__m256d>(v));
#else
  std::memcpy(p, &v, n * sizeof(Scalar));
#endif
}

// The even lanes of lo then hi (lo's 0, 2, ..., then hi's), and the odd ones: a row's pairs
// taken apart into their left and right values. And the inverse: a's and b's lanes
// alternating, a's first; the first L of them (zip_low), then the rest (zip_high). Each one
// shuffle, its lane indices generated for the vector's L lanes.
template <typename V>
inline V evens(V lo, V hi) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return __builtin_shufflevector(lo, hi, 2 * I...);
  }(std::make_index_sequence<sizeof(V) / sizeof(lo[0])>{});
}
template <typename V>
inline V odds(V lo, V hi) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return __builtin_shufflevector(lo, hi, 2 * I + 1 ...);
  }(std::make_index_sequence<sizeof(V) / sizeof(lo[0])>{});
}
template <typename V>
inline V zip_low(V a, V b) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    constexpr std::size_t L = sizeof...(I);
    return __builtin_shufflevector(a, b, (I % 2 ? L : 0) + I / 2 ...);
  }(std::make_index_sequence<sizeof(V) / sizeof(a[0])>{});
}
template <typename V>
inline V zip_high(V a, V b) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    constexpr std::size_t L = sizeof...(I);
    return __builtin_shufflevector(a, b, (I % 2 ? L : 0) + L / 2 + I / 2 ...);
  }(std::make_index_sequence<sizeof(V) / sizeof(a[0])>{});
}

// out[q·ldo + r] = in[r·ldi + q] for an 8 x 8 block of floats, in registers: the three rounds
// of unpack, shuffle and 128-bit permute that compilers emit for _MM_TRANSPOSE8_PS. Packing the
// weights for the forward pass with scalar stores took 15% of the product's time
// (kernels_bench Gemm/0: 66 against 78 GFLOP/s for the same product with B already row-major);
// the convolution's weight gradient transposes δ with it.
inline void transpose_8x8(const float* in, std::ptrdiff_t ldi, float* out, std::size_t ldo) {
  using V = Vec32<float>;
  V r[8];
  for (std::ptrdiff_t i = 0; i < 8; ++i) r[i] = load_as<V>(in + i * ldi);
  V t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int i = 0; i < 8; i += 4)
    for (int h = 0; h < 2; ++h) {
      u[i + h] = __builtin_shufflevector(t[i + h], t[i + h + 2], 0, 1, 8, 9, 4, 5, 12, 13);
      u[i + h + 2] = __builtin_shufflevector(t[i + h], t[i + h + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    }
  // u[0]: column 0 of rows 0-3 | column 4 of rows 0-3; u[2]: columns 1 and 5; u[1]: 2 and 6;
  // u[3]: 3 and 7; u[4..7] the same for rows 4-7.
  const int order[4] = {0, 2, 1, 3};
  V o[8];
  for (int q = 0; q < 4; ++q) {
    const V lo = u[order[q]], hi = u[order[q] + 4];
    o[q] = __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 8, 9, 10, 11);
    o[q + 4] = __builtin_shufflevector(lo, hi, 4, 5, 6, 7, 12, 13, 14, 15);
  }
  // In order of q: pack_a relies on each store overwriting the end of the one before.
  for (std::size_t q = 0; q < 8; ++q) store(out + q * ldo, o[q]);
}

}  // namespace simd

namespace simd {

// Each lane's e^x, by one formula for every element and every path: x = n·ln 2 + r with
// n = round(x / ln 2) and |r| ≤ ln 2 / 2 (ln 2 in two parts, so that r is exact), e^r by a
// polynomial in fused multiply-adds, and 2^n put into the exponent. x is clamped first, to
// [−87.3, 88.3] for float and [−708, 709] for double, so that 2^n stays a normal number: below
// the clamp the result is about 1e−38 (1e−308) instead of smaller, above it about 2e38 (8e307)
// instead of infinity. Within 2 ulp of e^x elsewhere (tests/kernels/kernels_test.cpp). Eigen's
// exp was not used because it computes the elements beyond its last whole vector with the C
// library's expf, which rounds differently, so a sigmoid's results depended on where a thread's
// band of rows ended.
// c in every lane of a V.
template <typename V, typename Scalar>
inline V splat(Scalar c) {
  return c - V{};
}

template <typename V>
inline V exp(V x) {
  using Scalar = std::remove_cvref_t<decltype(x[0])>;
  constexpr bool is_float = sizeof(Scalar) == 4;
  using Int = std::conditional_t<is_float, std::int32_t, std::int64_t>;
  typedef Int IntV __attribute__((vector_size(sizeof(V))));
  const V lowest = splat<V>(is_float ? Scalar(-87.3f) : Scalar(-708.0));
  const V highest = splat<V>(is_float ? Scalar(88.3f) : Scalar(709.0));
  x = x < lowest ? lowest : x;
  x = x > highest ? highest : x;
  // Round to nearest by the magic number 1.5·2^23 (2^52): n is an integer in floating point.
  const Scalar magic = is_float ? Scalar(12582912.0f) : Scalar(6755399441055744.0);
  const Scalar log2e = Scalar(1.44269504088896340736);
  const V n = multiply_add(x, splat<V>(log2e), splat<V>(magic)) - magic;
  // ln 2 = hi + lo, hi with enough trailing zeros that n·hi is exact.
  const Scalar ln2_hi = is_float ? Scalar(0.693359375f) : Scalar(0.693145751953125);
  const Scalar ln2_lo = is_float ? Scalar(-2.12194440e-4f) : Scalar(1.42860682030941723212e-6);
  V r = multiply_add(n, splat<V>(-ln2_hi), x);
  r = multiply_add(n, splat<V>(-ln2_lo), r);
  V p;
  if constexpr (is_float) {
    // Cephes' expf polynomial: e^r ≈ 1 + r + r²·P(r) on [−ln 2 / 2, ln 2 / 2].
    p = splat<V>(Scalar(1.9875691500e-4f));
    p = multiply_add(p, r, splat<V>(Scalar(1.3981999507e-3f)));
    p = multiply_add(p, r, splat<V>(Scalar(8.3334519073e-3f)));
    p = multiply_add(p, r, splat<V>(Scalar(4.1665795894e-2f)));
    p = multiply_add(p, r, splat<V>(Scalar(1.6666665459e-1f)));
    p = multiply_add(p, r, splat<V>(Scalar(5.0000001201e-1f)));
    p = multiply_add(p, r * r, r) + Scalar(1);
  } else {
    // Taylor to r^13 (the first term left out is below 5e−18 relative on the interval).
    p = splat<V>(Scalar(1.0 / 6227020800.0));
    const double inverse_factorials[] = {1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
                                         1.0 / 362880.0,    1.0 / 40320.0,    1.0 / 5040.0,
                                         1.0 / 720.0,       1.0 / 120.0,      1.0 / 24.0,
                                         1.0 / 6.0,         1.0 / 2.0,        1.0,
                                         1.0};
    for (double c : inverse_factorials) p = multiply_add(p, r, splat<V>(Scalar(c)));
  }
  // 2^n: n + bias in the exponent field.
  const int mantissa_bits = is_float ? 23 : 52, bias = is_float ? 127 : 1023;
  IntV bits = __builtin_convertvector(n, IntV) + Int(bias);
  bits <<= mantissa_bits;
  V scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

}  // namespace simd
