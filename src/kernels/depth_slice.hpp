// How the packed product (gemm_kernels.hpp) cuts its depth k into slices, shared with the
// direct convolution (convolution_kernels.hpp), whose sums must round exactly as the product's
// did: each element of C is the fused multiply-adds of one slice in order, then the slice's sum
// added to those of the slices before it. Private to the library.
#pragma once

#include <cstddef>

namespace digitnet {

// The deepest slice: a KC x NR panel of B (16 KiB of floats) stays in L1.
constexpr std::size_t max_depth_slice = 256;

// The depth of every slice of k but the last (which may be shorter): k cut into the fewest
// slices no deeper than max_depth_slice, all of one depth, so that none is a sliver.
constexpr std::size_t depth_slice(std::size_t k) {
  const std::size_t parts = (k + max_depth_slice - 1) / max_depth_slice;
  return parts == 0 ? 0 : (k + parts - 1) / parts;
}

}  // namespace digitnet
