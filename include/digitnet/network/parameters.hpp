// All weights and biases of a network in one contiguous buffer, with named views into it
// (the same layout serves the gradients nabla_w, nabla_b and any optimiser state).
//
// Layout, layer l = 0 .. layers()-1 joins sizes[l] inputs to sizes[l+1] outputs:
//   weights(l): sizes[l+1] x sizes[l], row-major (element (j, k) at j*sizes[l] + k, the order
//               of network.py's weights[l][j][k] and of numpy's arrays)
//   biases(l):  sizes[l+1]
// stored as weights(0), biases(0), weights(1), biases(1), ...
#pragma once

#include <Eigen/Core>
#include <cassert>
#include <cstddef>
#include <span>
#include <vector>

namespace digitnet {

template <typename Scalar>
class Parameters {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  Parameters() = default;
  // All zero. Requires at least two sizes, each >= 1.
  explicit Parameters(std::vector<std::size_t> sizes) : sizes_(std::move(sizes)) {
    assert(sizes_.size() >= 2);
    std::size_t offset = 0;
    for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
      offsets_.push_back(offset);
      offset += sizes_[l + 1] * sizes_[l] + sizes_[l + 1];
    }
    data_.assign(offset, Scalar(0));
  }

  const std::vector<std::size_t>& sizes() const { return sizes_; }
  std::size_t layers() const { return offsets_.size(); }
  std::size_t size() const { return data_.size(); }

  Eigen::Map<Matrix> weights(std::size_t l) {
    return Eigen::Map<Matrix>(data_.data() + offsets_[l], rows(l), cols(l));
  }
  Eigen::Map<const Matrix> weights(std::size_t l) const {
    return Eigen::Map<const Matrix>(data_.data() + offsets_[l], rows(l), cols(l));
  }
  Eigen::Map<Vector> biases(std::size_t l) {
    return Eigen::Map<Vector>(data_.data() + offsets_[l] + rows(l) * cols(l), rows(l));
  }
  Eigen::Map<const Vector> biases(std::size_t l) const {
    return Eigen::Map<const Vector>(data_.data() + offsets_[l] + rows(l) * cols(l), rows(l));
  }

  std::span<Scalar> flat() { return data_; }
  std::span<const Scalar> flat() const { return data_; }
  Eigen::Map<Vector> as_vector() { return Eigen::Map<Vector>(data_.data(), size()); }
  Eigen::Map<const Vector> as_vector() const {
    return Eigen::Map<const Vector>(data_.data(), size());
  }

 private:
  std::size_t rows(std::size_t l) const { return sizes_[l + 1]; }
  std::size_t cols(std::size_t l) const { return sizes_[l]; }

  std::vector<std::size_t> sizes_;
  std::vector<std::size_t> offsets_;  // where layer l's weights start
  std::vector<Scalar, Eigen::aligned_allocator<Scalar>> data_;
};

}  // namespace digitnet
