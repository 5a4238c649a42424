// The only source of randomness: a seeded generator owned by the caller. Everything it produces is
// specified exactly here (mt19937_64 + our own normal, uniform and shuffle) rather than by the
// standard library's distributions, whose output differs between implementations; so a seed gives
// the same network and the same accuracy on every platform.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <utility>

namespace digitnet {

class Rng {
 public:
  // `stream` separates generators made from one user seed (initialisation, shuffling, ...).
  explicit Rng(std::uint64_t seed, std::uint64_t stream = 0);

  std::uint64_t bits() { return engine_(); }
  // Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Standard normal N(0, 1), by the Box-Muller transform (one value per call).
  double normal();
  // Uniform integer in [0, n), without modulo bias. Requires n > 0.
  std::uint64_t below(std::uint64_t n);

  // Fisher-Yates shuffle.
  template <typename T>
  void shuffle(std::span<T> items) {
    for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
  }

  const std::mt19937_64& engine() const { return engine_; }
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace digitnet
