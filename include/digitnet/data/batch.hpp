// Forming mini-batches: bytes of chosen images become [0, 1] floats, one image per column, only
// for the batch at hand; labels become one-hot ("vectorised") columns.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "digitnet/data/dataset.hpp"
#include "digitnet/kernels/matrix.hpp"

namespace digitnet {

// One image's pixels as the network sees them: out[i] = pixels[i] / 255, in [0, 1]. A true
// (vectorised) division, exactly as the seeds compute it: multiplying by 1/255 differs in the
// last bit for 126 of the 256 values. Requires out.size() == pixels.size().
template <typename Scalar>
void scale_pixels(std::span<const std::uint8_t> pixels, std::span<Scalar> out);

// x.col(j) = pixels of image indices[j] / 255. x: image_size x indices.size().
template <typename Scalar>
void fill_inputs(const Dataset& data, std::span<const std::uint32_t> indices, MatrixRef<Scalar> x);

// y.col(j) = the one-hot vector of label indices[j]. y: 10 x indices.size().
template <typename Scalar>
void fill_targets(const Dataset& data, std::span<const std::uint32_t> indices, MatrixRef<Scalar> y);

// Cuts images [first, first + count) into consecutive batches of at most `batch` images, in
// order, and calls visit(indices) for each with the batch's image numbers (a span valid during
// the call), ready for fill_inputs and fill_targets. For passes over a dataset as it is stored
// (evaluation, measurements); training takes its batches from a shuffled order instead.
template <typename Visit>
void for_each_batch(std::size_t first, std::size_t count, std::size_t batch, Visit&& visit) {
  std::vector<std::uint32_t> indices(std::min(batch, count));
  for (std::size_t start = first; start < first + count; start += batch) {
    const std::size_t m = std::min(batch, first + count - start);
    std::iota(indices.begin(), indices.begin() + static_cast<std::ptrdiff_t>(m),
              static_cast<std::uint32_t>(start));
    visit(std::span<const std::uint32_t>(indices.data(), m));
  }
}

}  // namespace digitnet
