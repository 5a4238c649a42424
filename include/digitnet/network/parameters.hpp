// All weights and biases of a network in one contiguous buffer, with named views into it
// (the same layout serves the gradients nabla_w, nabla_b and any optimiser state).
//
// Layout: each layer l = 0 .. layers()-1 has one block (ParameterBlock), rows × cols weights
// and rows biases; a layer without parameters (pooling, flattening) has an empty block.
//   weights(l): rows x cols, row-major (element (j, k) at j*cols + k). A dense layer joining
//               n_in inputs to n_out outputs has n_out x n_in, the order of network.py's
//               weights[l][j][k] and of numpy's arrays; a convolution, maps x (channels·k·k).
//   biases(l):  rows
// stored as weights(0), biases(0), weights(1), biases(1), ...
#pragma once

#include <Eigen/Core>
#include <cassert>
#include <cstddef>
#include <span>
#include <vector>

namespace digitnet {

// One layer's parameters: a rows x cols weight matrix and rows biases ({0, 0}: none).
struct ParameterBlock {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t size() const { return rows * cols + rows; }
  bool operator==(const ParameterBlock&) const = default;
};
using ParameterLayout = std::vector<ParameterBlock>;

// The layout of a stack of dense layers of these sizes (input to output): n_out x n_in each.
inline ParameterLayout dense_layout(const std::vector<std::size_t>& sizes) {
  ParameterLayout layout;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) layout.push_back({sizes[l + 1], sizes[l]});
  return layout;
}

template <typename Scalar>
class Parameters {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  Parameters() = default;
  // All zero.
  explicit Parameters(ParameterLayout layout) : layout_(std::move(layout)) {
    std::size_t offset = 0;
    for (const ParameterBlock& block : layout_) {
      offsets_.push_back(offset);
      offset += block.size();
    }
    data_.assign(offset, Scalar(0));
  }
  // Dense layers of these sizes, input to output. Requires at least two sizes, each >= 1.
  explicit Parameters(const std::vector<std::size_t>& sizes) : Parameters(dense_layout(sizes)) {
    assert(sizes.size() >= 2);
  }

  const ParameterLayout& layout() const { return layout_; }
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
  std::size_t rows(std::size_t l) const { return layout_[l].rows; }
  std::size_t cols(std::size_t l) const { return layout_[l].cols; }

  ParameterLayout layout_;
  std::vector<std::size_t> offsets_;  // where layer l's weights start
  std::vector<Scalar, Eigen::aligned_allocator<Scalar>> data_;
};

}  // namespace digitnet
