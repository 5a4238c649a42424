// Forming mini-batches: bytes of chosen images become [0, 1] floats, one image per column, only
// for the batch at hand; labels become one-hot ("vectorised") columns.
#pragma once

#include <cstdint>
#include <span>

#include "digitnet/data/dataset.hpp"
#include "digitnet/kernels/matrix.hpp"

namespace digitnet {

// x.col(j) = pixels of image indices[j] / 255. x: image_size x indices.size().
template <typename Scalar>
void fill_inputs(const Dataset& data, std::span<const std::uint32_t> indices, MatrixRef<Scalar> x);

// y.col(j) = the one-hot vector of label indices[j]. y: 10 x indices.size().
template <typename Scalar>
void fill_targets(const Dataset& data, std::span<const std::uint32_t> indices, MatrixRef<Scalar> y);

}  // namespace digitnet
