// Byte-to-float conversion of mini-batches.
#include "digitnet/data/batch.hpp"

#include <cassert>

namespace digitnet {

template <typename Scalar>
void scale_pixels(std::span<const std::uint8_t> pixels, std::span<Scalar> out) {
  assert(out.size() == pixels.size());
  for (std::size_t i = 0; i < pixels.size(); ++i)
    out[i] = static_cast<Scalar>(pixels[i]) / Scalar(255);
}

template <typename Scalar>
void fill_inputs(const Dataset& data, std::span<const std::uint32_t> indices, MatrixRef<Scalar> x) {
  assert(x.rows() == static_cast<Eigen::Index>(data.image_size()));
  assert(x.cols() == static_cast<Eigen::Index>(indices.size()));
  for (std::size_t j = 0; j < indices.size(); ++j)
    scale_pixels<Scalar>(
        data.image(indices[j]),
        std::span<Scalar>(x.col(static_cast<Eigen::Index>(j)).data(), data.image_size()));
}

template <typename Scalar>
void fill_targets(const Dataset& data, std::span<const std::uint32_t> indices,
                  MatrixRef<Scalar> y) {
  assert(y.rows() == static_cast<Eigen::Index>(digit_classes));
  y.setZero();
  for (std::size_t j = 0; j < indices.size(); ++j)
    y(data.labels[indices[j]], static_cast<Eigen::Index>(j)) = Scalar(1);
}

template void scale_pixels<float>(std::span<const std::uint8_t>, std::span<float>);
template void scale_pixels<double>(std::span<const std::uint8_t>, std::span<double>);
template void fill_inputs<float>(const Dataset&, std::span<const std::uint32_t>, MatrixRef<float>);
template void fill_inputs<double>(const Dataset&, std::span<const std::uint32_t>,
                                  MatrixRef<double>);
template void fill_targets<float>(const Dataset&, std::span<const std::uint32_t>, MatrixRef<float>);
template void fill_targets<double>(const Dataset&, std::span<const std::uint32_t>,
                                   MatrixRef<double>);

}  // namespace digitnet
