// Seeded random numbers with an output fixed by this file, not by the standard library.
#include "digitnet/core/random.hpp"

#include <cassert>
#include <cmath>
#include <numbers>

namespace digitnet {

Rng::Rng(std::uint64_t seed, std::uint64_t stream) {
  // std::seed_seq's algorithm is specified by the standard, so this is portable.
  std::seed_seq sequence{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                         static_cast<std::uint32_t>(stream),
                         static_cast<std::uint32_t>(stream >> 32)};
  engine_.seed(sequence);
}

double Rng::normal() {
  const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::uint64_t Rng::below(std::uint64_t n) {
  assert(n > 0);
  // Reject the top partial block of 2^64 so every residue is equally likely.
  const std::uint64_t threshold = (0 - n) % n;
  for (;;) {
    const std::uint64_t r = engine_();
    if (r >= threshold) return r % n;
  }
}

}  // namespace digitnet
