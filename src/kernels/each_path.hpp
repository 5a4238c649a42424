// Compiles the kernel code named by DIGITNET_PATH_CODE (a header in quotes) once per kernel path,
// as kernels/paths.hpp describes: in digitnet::(unnamed)::avx2 with 32-byte vectors and, where
// the build has the AVX-512 path, in digitnet::(unnamed)::avx512 with 64-byte vectors under the
// AVX-512 target. Included by a kernel file after paths.hpp and the standard headers its code
// needs; no include guard (each kernel file includes it once, for its own code).
#ifndef DIGITNET_PATH_CODE
#error "define DIGITNET_PATH_CODE before including kernels/each_path.hpp"
#endif

namespace digitnet {
namespace {
namespace avx2 {
#define DIGITNET_VECTOR_BYTES 32
#include "kernels/vector.hpp"
#include DIGITNET_PATH_CODE
#undef DIGITNET_VECTOR_BYTES
}  // namespace avx2
}  // namespace
}  // namespace digitnet

#if DIGITNET_AVX512_PATH
DIGITNET_BEGIN_AVX512
namespace digitnet {
namespace {
namespace avx512 {
#define DIGITNET_VECTOR_BYTES 64
#include "kernels/vector.hpp"
#include DIGITNET_PATH_CODE
#undef DIGITNET_VECTOR_BYTES
}  // namespace avx512
}  // namespace
}  // namespace digitnet
DIGITNET_END_AVX512
#endif

#undef DIGITNET_PATH_CODE
