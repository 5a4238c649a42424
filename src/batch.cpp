// Byte-to-float conversion of mini-batches.
#include "digitnet/batch.hpp"

#include <array>
#include <cassert>

namespace digitnet {
namespace {

// pixel / 255, exactly as the seeds compute it, looked up rather than divided.
template <typename Scalar>
const std::array<Scalar, 256>& scaled_pixels() {
  static const std::array<Scalar, 256> table = [] {
    std::array<Scalar, 256> values{};
    for (int p = 0; p < 256; ++p) values[static_cast<std::size_t>(p)] = Scalar(p) / Scalar(255);
    return values;
  }();
  return table;
}

}  // namespace

template <typename Scalar>
void fill_inputs(const Dataset& data, std::span<const std::uint32_t> indices, MatrixRef<Scalar> x) {
  assert(x.rows() == static_cast<Eigen::Index>(data.image_size()));
  assert(x.cols() == static_cast<Eigen::Index>(indices.size()));
  const auto& scale = scaled_pixels<Scalar>();
  for (std::size_t j = 0; j < indices.size(); ++j) {
    const auto image = data.image(indices[j]);
    Scalar* column = x.col(static_cast<Eigen::Index>(j)).data();
    for (std::size_t i = 0; i < image.size(); ++i) column[i] = scale[image[i]];
  }
}

template <typename Scalar>
void fill_targets(const Dataset& data, std::span<const std::uint32_t> indices,
                  MatrixRef<Scalar> y) {
  assert(y.rows() == static_cast<Eigen::Index>(digit_classes));
  y.setZero();
  for (std::size_t j = 0; j < indices.size(); ++j)
    y(data.labels[indices[j]], static_cast<Eigen::Index>(j)) = Scalar(1);
}

template void fill_inputs<float>(const Dataset&, std::span<const std::uint32_t>, MatrixRef<float>);
template void fill_inputs<double>(const Dataset&, std::span<const std::uint32_t>,
                                  MatrixRef<double>);
template void fill_targets<float>(const Dataset&, std::span<const std::uint32_t>, MatrixRef<float>);
template void fill_targets<double>(const Dataset&, std::span<const std::uint32_t>,
                                   MatrixRef<double>);

}  // namespace digitnet
