// Cost values over a batch.
#include "digitnet/network/cost.hpp"

#include <limits>

namespace digitnet {

template <typename Scalar>
Scalar total_cost(Cost cost, ConstMatrixRef<Scalar> a, ConstMatrixRef<Scalar> y) {
  const Scalar tiny = std::numeric_limits<Scalar>::min();
  const auto log_of = [tiny](const auto& v) { return v.max(tiny).log(); };
  switch (cost) {
    case Cost::quadratic:
      return quadratic_cost<Scalar>(a, y);
    case Cost::cross_entropy:
      return -(y.array() * log_of(a.array()) +
               (Scalar(1) - y.array()) * log_of(Scalar(1) - a.array()))
                  .sum();
    case Cost::log_likelihood:
      return -(y.array() * log_of(a.array())).sum();
  }
  return Scalar(0);
}

template float total_cost<float>(Cost, ConstMatrixRef<float>, ConstMatrixRef<float>);
template double total_cost<double>(Cost, ConstMatrixRef<double>, ConstMatrixRef<double>);

}  // namespace digitnet
