// How a kernel file carries both paths of kernel_path.hpp (private to the library). It
// includes its path-specific code twice, through kernels/each_path.hpp, each time inside a
// namespace of its own, after kernels/vector.hpp with the path's vector size:
//
//   #define DIGITNET_PATH_CODE "kernels/gemm_kernels.hpp"
//   #include "kernels/each_path.hpp"
//   ... DIGITNET_DISPATCH(gemm<Scalar>(...)); in the public function
//
// The AVX-512 copy is compiled under `#pragma GCC target` (DIGITNET_BEGIN_AVX512 ..
// DIGITNET_END_AVX512), which applies to every function defined between the two, lambdas and
// templates included; templates defined elsewhere (the standard library's, Eigen's) keep the
// file's x86-64-v3 target, so no AVX-512 code can end up in a definition that an AVX2 machine
// shares. Everything lives in an unnamed namespace: nothing of either copy is visible outside
// its file. Another -march than x86-64-v3 or a compiler without the pragma (Clang, for the fuzz
// build) gets the first path only.
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__FMA__) && \
    defined(__AVX2__) && !defined(__AVX512F__)
#define DIGITNET_AVX512_PATH 1
#define DIGITNET_BEGIN_AVX512                                          \
  _Pragma("GCC push_options")                                          \
  _Pragma("GCC target(\"avx512f,avx512vl,avx512bw,avx512dq\")")
#define DIGITNET_END_AVX512 _Pragma("GCC pop_options")
#else
#define DIGITNET_AVX512_PATH 0
#endif

// return path::call for the path the kernels take now (kernel_path.hpp).
#if DIGITNET_AVX512_PATH
#define DIGITNET_DISPATCH(call)                                   \
  do {                                                            \
    if (kernel_path() == KernelPath::avx512) return avx512::call; \
    return avx2::call;                                            \
  } while (false)
#else
// (One path, but the choice is still made: a DIGITNET_KERNELS the build cannot honour is an
// error here too, not ignored.)
#define DIGITNET_DISPATCH(call) \
  do {                          \
    (void)kernel_path();        \
    return avx2::call;          \
  } while (false)
#endif
