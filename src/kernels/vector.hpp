// The 32-byte vectors of the hand-written kernels (kernels.cpp, gemm.cpp): GCC/Clang vector
// extensions, 8 floats or 4 doubles, which become AVX2 + FMA instructions with -march=native
// and SSE pairs in the portable build. No intrinsics but in two helpers that need an exact
// instruction (multiply_add, any_nonzero), each with a portable fallback. Private to the library.
#pragma once

#include <cstddef>
#include <cstring>
#if defined(__AVX__)
#include <immintrin.h>
#endif

namespace digitnet::simd {

template <typename Scalar>
struct VectorOf {
  typedef Scalar type __attribute__((vector_size(32)));
};
template <typename Scalar>
using Vec = typename VectorOf<Scalar>::type;
template <typename Scalar>
constexpr std::size_t lanes = 32 / sizeof(Scalar);

// Unaligned load and store.
template <typename Scalar>
inline Vec<Scalar> load(const Scalar* p) {
  Vec<Scalar> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename Scalar>
inline void store(Scalar* p, Vec<Scalar> v) {
  std::memcpy(p, &v, sizeof v);
}

// s in every lane (GCC and Clang widen a scalar operand of a vector operation); x − (+0) is x
// exactly, so the subtraction folds away and one vbroadcastss remains.
template <typename Scalar>
inline Vec<Scalar> broadcast(Scalar s) {
  return s - Vec<Scalar>{};
}

// a·b + c rounded once where the CPU has fused multiply-add, else a·b + c: the same at every call
// site, where a plain a * b + c is fused or not as the compiler sees fit.
template <typename Scalar>
inline Vec<Scalar> multiply_add(Vec<Scalar> a, Vec<Scalar> b, Vec<Scalar> c) {
#if defined(__FMA__)
  if constexpr (sizeof(Scalar) == 4)
    return reinterpret_cast<Vec<Scalar>>(_mm256_fmadd_ps(reinterpret_cast<__m256>(a),
                                                         reinterpret_cast<__m256>(b),
                                                         reinterpret_cast<__m256>(c)));
  else
    return reinterpret_cast<Vec<Scalar>>(_mm256_fmadd_pd(reinterpret_cast<__m256d>(a),
                                                         reinterpret_cast<__m256d>(b),
                                                         reinterpret_cast<__m256d>(c)));
#else
  return a * b + c;  // no fused instruction to choose
#endif
}

// Whether any lane of x is not zero (NaN counts as not zero, −0 as zero). One compare and a
// movemask where there is AVX; GCC turned the portable loop into eight lane extractions.
template <typename Scalar>
inline bool any_nonzero(Vec<Scalar> x) {
#if defined(__AVX__)
  if constexpr (sizeof(Scalar) == 4)
    return _mm256_movemask_ps(_mm256_cmp_ps(reinterpret_cast<__m256>(x), _mm256_setzero_ps(),
                                            _CMP_NEQ_UQ)) != 0;
  else
    return _mm256_movemask_pd(_mm256_cmp_pd(reinterpret_cast<__m256d>(x), _mm256_setzero_pd(),
                                            _CMP_NEQ_UQ)) != 0;
#else
  bool any = false;
  for (std::size_t l = 0; l < lanes<Scalar>; ++l) any |= x[l] != Scalar(0);
  return any;
#endif
}

}  // namespace digitnet::simd
