// Max-pooling over 2 × 2 windows with stride 2, every recipe's pooling, one example at a time,
// in vectors: each vector holds a row of windows, its lanes the windows' left and right columns
// taken apart by shuffles (PoolLayer's scalar loops took 15% of fast-99's epoch).
//
// Ties: the first largest value of the window in row order wins (left before right, the top
// row before the bottom), as PoolLayer's rule for any p says: each row's larger value (the left
// one when equal), then the bottom row's only when strictly larger than the top's. The same
// maximum and place as comparing the four values in row order, for every input without NaN.
#pragma once

#include <cstddef>

namespace digitnet {

// One example's channels × height × width values at x into channels × ⌊height/2⌋ × ⌊width/2⌋
// maxima at a, and where each came from at `from`, in the same order: its index i within x (a
// Scalar, exact: x has fewer than 2^24 values) when the maximum is above 0, else −1 − i. The
// sign is the ReLU rule's f'(z) at the maximum: backward by that rule reads no x.
template <typename Scalar>
void max_pool_2x2(const Scalar* x, std::size_t channels, std::size_t height, std::size_t width,
                  Scalar* a, Scalar* from);

// The backward pass for the same example: dx (channels × height × width, overwritten) is
// (0 + δ)·d at each window's maximum (δ and `from` as above, one per window) and 0 elsewhere,
// with d the f'(z) of the layer below at that input: with `relu` (the ReLU rule: 1 where that
// layer's output, this one's input, is above 0) 1 or 0 by the sign of `from`; else below[i]
// when `below` holds f'(z), 1 when it is null.
template <typename Scalar>
void max_pool_2x2_backward(const Scalar* delta, const Scalar* from, const Scalar* below, bool relu,
                           std::size_t channels, std::size_t height, std::size_t width,
                           Scalar* dx);

}  // namespace digitnet
