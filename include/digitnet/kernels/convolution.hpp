// A convolution's three products, computed directly on the images instead of through im2col
// and the packed GEMM (gemm.hpp): the forward product z = W·patches, the gradient with respect
// to the input, col2im(Wᵀ·δ), and the weight gradient δ·patchesᵀ. Written because the GEMM
// route copied every value of the patches twice (im2col, then packing) and added the patches'
// gradients back one by one, which took more time than the products themselves
// (bench/kernels_bench ConvLayerTrain, docs/benchmarks.md).
//
// All three compute exactly what the GEMM route computed, bit for bit: each z is the fused
// multiply-adds of the patch's elements in order, in the GEMM's slices of k (depth_slice); each
// element of the input gradient the sum, over the kernel's taps in order, of the products of
// the maps in order, as col2im added them; each element of ∇W the products over every position
// of every example in order, in the GEMM's slices (tests/kernels/convolution_test.cpp).
#pragma once

#include <cstddef>

namespace digitnet {

// A stride-1 convolution: `channels` input planes of height × width, padded with `pad` zeros on
// each side, `maps` output planes of k × k kernels: OH = height + 2·pad − k + 1, and so OW.
struct ConvGeometry {
  std::size_t channels, height, width;
  std::size_t maps, k, pad;

  std::size_t output_height() const { return height + 2 * pad - k + 1; }
  std::size_t output_width() const { return width + 2 * pad - k + 1; }
  std::size_t patch() const { return channels * k * k; }
};

// Where conv_forward writes, per example: a (maps × OH × OW) at a + e·a_stride, and with
// `relu` f'(z) at derivative + e·derivative_stride unless `derivative` is null.
template <typename Scalar>
struct ConvOutput {
  Scalar* a;
  std::size_t a_stride;
  bool relu = false;  // a = max(z, 0) and f'(z) = 1 where z > 0, else 0; otherwise a = z
  Scalar* derivative = nullptr;
  std::size_t derivative_stride = 0;
};

// z_e = W·patches(x_e) + b for `examples` examples, then ReLU if asked (out): x_e at x +
// e·x_stride (channels × height × width), W maps × (channels·k·k) row-major (element (f,
// (c·k + i)·k + j)), b maps. Uses per-thread buffers that grow once.
template <typename Scalar>
void conv_forward(const ConvGeometry& g, const Scalar* w, const Scalar* b, const Scalar* x,
                  std::size_t x_stride, ConvOutput<Scalar> out, std::size_t examples);

// ∂C/∂x_e = col2im(Wᵀ·δ_e) for `examples` examples: δ_e at delta + e·delta_stride (maps × OH ×
// OW), the result at dx + e·dx_stride (channels × height × width, overwritten).
template <typename Scalar>
void conv_input_gradient(const ConvGeometry& g, const Scalar* w, const Scalar* delta,
                         std::size_t delta_stride, Scalar* dx, std::size_t dx_stride,
                         std::size_t examples);

// For the maps [first_map, first_map + band): ∇W (band × channels·k·k, row-major) = alpha·Σ_e
// δ_e·patches(x_e)ᵀ, + ∇W when `accumulate`, summed over every position of every example in
// order (K = examples·OH·OW), in depth_slice's slices of K, each slice's sum added to those
// before it; and delta_sums[f] = Σ δ(f) over the same K, position k into running sum k mod 16,
// those added in order (the bias's gradient before alpha). Each map's sums are the same bits
// whichever maps share the call (threads take bands of maps).
template <typename Scalar>
void conv_weight_gradient(const ConvGeometry& g, const Scalar* x, std::size_t x_stride,
                          const Scalar* delta, std::size_t delta_stride, std::size_t examples,
                          std::size_t first_map, std::size_t band, Scalar alpha, bool accumulate,
                          Scalar* w_gradient, Scalar* delta_sums);

// The same sums split by positions instead, for a team of threads when every map fits in one
// vector (conv_weight_gradient_lanes): thread t takes the slices of K (the order of summation,
// depth_slice) [first, first + count) = Team::of(conv_weight_gradient_slices(g, m)), reading
// only those positions of δ (its own examples', mostly: no thread reads all of δ, nor
// transposes it), and writes their sums, unscaled, to a buffer the team shares (`shared`, at
// least m · conv_weight_gradient_shared_per_example(g) values); once all are written, each
// thread's conv_weight_gradient_combine adds them up in order for its elements of the patch:
// alpha·Σ (+ ∇W when `accumulate`), the bits conv_weight_gradient gives (the same multiply-adds
// of the same slice sums in the same order). Σ δ's 16 running sums go position by position in
// order of K, so the threads add their positions in turn: the first thread's partials with
// `start_running_sums` (from 0, with its slices of δᵀ), then each next thread's
// conv_delta_running_sums after a barrier (from δ where it lies; first slice 0 starts them at
// 0 too); conv_delta_sums then reads the bias's sums for any band of maps.
std::size_t conv_weight_gradient_slices(const ConvGeometry& g, std::size_t examples);
template <typename Scalar>
std::size_t conv_weight_gradient_shared_per_example(const ConvGeometry& g);
template <typename Scalar>
void conv_weight_gradient_partials(const ConvGeometry& g, const Scalar* x, std::size_t x_stride,
                                   const Scalar* delta, std::size_t delta_stride,
                                   std::size_t examples, std::size_t first_slice,
                                   std::size_t slices, bool start_running_sums, Scalar* shared);
template <typename Scalar>
void conv_weight_gradient_combine(const ConvGeometry& g, std::size_t examples,
                                  const Scalar* shared, std::size_t first_element,
                                  std::size_t elements, Scalar alpha, bool accumulate,
                                  Scalar* w_gradient);
template <typename Scalar>
void conv_delta_running_sums(const ConvGeometry& g, const Scalar* delta,
                             std::size_t delta_stride, std::size_t examples,
                             std::size_t first_slice, std::size_t slices, Scalar* shared);
template <typename Scalar>
void conv_delta_sums(const ConvGeometry& g, const Scalar* shared, std::size_t first_map,
                     std::size_t band, Scalar* delta_sums);

// The maps one vector of conv_weight_gradient holds on the kernel path in use (its vectors run
// across maps): 16 floats with 512-bit vectors, 8 with 256-bit.
template <typename Scalar>
std::size_t conv_weight_gradient_lanes();

}  // namespace digitnet
