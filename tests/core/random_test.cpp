// Tests of the seeded generator: repeatable, and its distributions are what they claim.
#include "digitnet/core/random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

namespace digitnet {
namespace {

TEST(Rng, SameSeedGivesSameSequence) {
  Rng a(42), b(42), c(43), d(42, 1);
  const auto first = a.bits();
  EXPECT_EQ(first, b.bits());
  EXPECT_NE(first, c.bits());
  EXPECT_NE(first, d.bits());  // another stream of the same seed
}

TEST(Rng, KnownFirstValuesStayTheSame) {
  // Pins the whole pipeline (seed_seq, mt19937_64, Box-Muller): a change here changes every
  // network digitnet has ever initialised from a seed, and every result in docs/results.md.
  Rng rng(1);
  EXPECT_EQ(rng.bits(), 7712288819789024404ull);
  EXPECT_DOUBLE_EQ(rng.normal(), 0.49827406931417362);
}

TEST(Rng, NormalHasMeanZeroAndVarianceOne) {
  Rng rng(7);
  const int count = 200000;
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < count; ++i) {
    const double v = rng.normal();
    sum += v;
    sum_sq += v * v;
  }
  const double mean = sum / count;
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(sum_sq / count - mean * mean, 1.0, 0.02);
}

TEST(Rng, BelowStaysInRangeAndCoversIt) {
  Rng rng(3);
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const auto v = rng.below(7);
    ASSERT_LT(v, 7u);
    ++seen[v];
  }
  for (int count : seen) EXPECT_NEAR(count, 1000, 150);
}

TEST(Rng, ShuffleIsAPermutationAndMovesThings) {
  Rng rng(5);
  std::vector<std::uint32_t> items(100);
  std::iota(items.begin(), items.end(), 0u);
  rng.shuffle(std::span<std::uint32_t>(items));
  std::vector<std::uint32_t> sorted = items;
  std::sort(sorted.begin(), sorted.end());
  for (std::uint32_t i = 0; i < 100; ++i) EXPECT_EQ(sorted[i], i);
  int fixed = 0;
  for (std::uint32_t i = 0; i < 100; ++i) fixed += items[i] == i;
  EXPECT_LT(fixed, 10);
}

}  // namespace
}  // namespace digitnet
