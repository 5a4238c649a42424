// The 32-byte vectors of the hand-written kernels (kernels.cpp, gemm.cpp): GCC/Clang vector
// extensions, 8 floats or 4 doubles, which become AVX2 + FMA instructions with -march=native
// and SSE pairs in the portable build. No intrinsics, so the code is the same on both. Private
// to the library.
#pragma once

#include <cstddef>
#include <cstring>
#if defined(__FMA__)
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

}  // namespace digitnet::simd
