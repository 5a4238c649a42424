// The matrix types used throughout: Eigen, column-major, one example per column
// (a batch of m inputs is a sizes[0] x m matrix).
#pragma once

#include <Eigen/Core>

namespace digitnet {

template <typename Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
template <typename Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
// Views that accept a whole matrix, a Map, or a block of consecutive columns without copying.
template <typename Scalar>
using MatrixRef = Eigen::Ref<Matrix<Scalar>>;
template <typename Scalar>
using ConstMatrixRef = Eigen::Ref<const Matrix<Scalar>>;

}  // namespace digitnet
