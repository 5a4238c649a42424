// The two products that dominate training with small mini-batches, as free functions over
// contiguous memory. Eigen's general GEMM packs both operands on every call, which costs more
// than the arithmetic when a batch has 10 examples (bench/kernels_bench: Backprop/30/10); these
// register-blocked kernels skip the packing. Each has its plain reference beside it
// (`*_reference`), the test oracle in tests/kernels_test.cpp.
//
// Layouts: w is row-major n_out x n_in (w[j*n_in + k], as network.py's weights[j][k]); a, z and
// delta are column-major with one example per column (a[c*n_in + k], z[c*n_out + j]).
#pragma once

#include <cstddef>

namespace digitnet {

// z = w·a + b. a: n_in x m, z: n_out x m with column stride ldz >= n_out (so that a thread can
// compute a band of rows of a taller z), b: n_out.
template <typename Scalar>
void dense_forward(const Scalar* w, const Scalar* b, const Scalar* a, Scalar* z, std::size_t n_out,
                   std::size_t n_in, std::size_t m, std::size_t ldz);
template <typename Scalar>
void dense_forward_reference(const Scalar* w, const Scalar* b, const Scalar* a, Scalar* z,
                             std::size_t n_out, std::size_t n_in, std::size_t m, std::size_t ldz);

// nabla_w = alpha·delta·aᵀ (row-major n_out x n_in), nabla_b = alpha·Σ_c delta(:, c), added to
// what nabla_w and nabla_b hold when `accumulate` (so that, given the weights themselves and
// alpha = −eta/m, this is the SGD update). delta: n_out x m with column stride ldd >= n_out.
template <typename Scalar>
void weight_gradient(const Scalar* delta, const Scalar* a, Scalar* nabla_w, Scalar* nabla_b,
                     std::size_t n_out, std::size_t n_in, std::size_t m, std::size_t ldd,
                     Scalar alpha = 1, bool accumulate = false);
template <typename Scalar>
void weight_gradient_reference(const Scalar* delta, const Scalar* a, Scalar* nabla_w,
                               Scalar* nabla_b, std::size_t n_out, std::size_t n_in, std::size_t m,
                               std::size_t ldd, Scalar alpha = 1, bool accumulate = false);

// nabla_b = alpha·Σ_c delta(:, c), added to what nabla_b holds when `accumulate`; each output's
// sum over the examples in their order, whatever the vector width or the band of outputs.
template <typename Scalar>
void bias_gradient(const Scalar* delta, Scalar* nabla_b, std::size_t n_out, std::size_t m,
                   std::size_t ldd, Scalar alpha, bool accumulate);

// a ← σ(a) for n values, in place; with d (else null), d ← σ'(z) = σ(z)(1 − σ(z)) too, as
// σ(z)·(1 − σ(z)) where σ(z) < ½ and σ(z)·(t·σ(z)) elsewhere, t = e^(−z): 1 − σ(z) computed
// as 1 − a in float is exactly 0 once z > 17 and a saturated neuron would stop learning for
// good (float64, the seeds' precision, keeps it alive until z > 37); t·σ(z) = σ(−z) keeps it.
// Every element by the same formula, the last ones too (e^x as in kernels/vector.hpp), so that a
// value does not depend on where it sits in a vector, a band or a thread's rows.
template <typename Scalar>
void sigmoid(Scalar* a, Scalar* d, std::size_t n);

}  // namespace digitnet
