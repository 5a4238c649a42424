// Tests of mini-batch formation: pixel scaling and one-hot targets.
#include "digitnet/data/batch.hpp"

#include <gtest/gtest.h>

namespace digitnet {
namespace {

Dataset three_images() {
  Dataset data;
  data.rows = 1;
  data.cols = 2;
  data.pixels = {0, 255, 51, 102, 1, 254};
  data.labels = {4, 0, 9};
  return data;
}

TEST(FillInputs, ScalesPixelsToZeroOneInTheGivenOrder) {
  const Dataset data = three_images();
  const std::vector<std::uint32_t> order = {2, 0};
  Matrix<float> x(2, 2);
  fill_inputs<float>(data, order, x);
  EXPECT_EQ(x(0, 0), 1.0f / 255.0f);
  EXPECT_EQ(x(1, 0), 254.0f / 255.0f);
  EXPECT_EQ(x(0, 1), 0.0f);
  EXPECT_EQ(x(1, 1), 1.0f);
}

TEST(FillInputs, MatchesDivisionBy255InDouble) {
  const Dataset data = three_images();
  const std::vector<std::uint32_t> order = {1};
  Matrix<double> x(2, 1);
  fill_inputs<double>(data, order, x);
  EXPECT_EQ(x(0, 0), 51.0 / 255.0);
  EXPECT_EQ(x(1, 0), 102.0 / 255.0);
}

TEST(FillTargets, MakesOneHotColumns) {
  const Dataset data = three_images();
  const std::vector<std::uint32_t> order = {0, 2, 1};
  Matrix<float> y = Matrix<float>::Constant(10, 3, 7.0f);
  fill_targets<float>(data, order, y);
  for (Eigen::Index j = 0; j < 3; ++j) EXPECT_EQ(y.col(j).sum(), 1.0f);
  EXPECT_EQ(y(4, 0), 1.0f);
  EXPECT_EQ(y(9, 1), 1.0f);
  EXPECT_EQ(y(0, 2), 1.0f);
}

TEST(ScalePixels, DividesEveryByteValueBy255Exactly) {
  std::vector<std::uint8_t> pixels(256);
  for (int v = 0; v < 256; ++v) pixels[static_cast<std::size_t>(v)] = static_cast<std::uint8_t>(v);
  std::vector<float> out(256);
  scale_pixels<float>(pixels, out);
  for (int v = 0; v < 256; ++v)
    EXPECT_EQ(out[static_cast<std::size_t>(v)], static_cast<float>(v) / 255.0f) << v;
}

TEST(ForEachBatch, CutsARangeIntoConsecutiveBatchesInOrder) {
  std::vector<std::vector<std::uint32_t>> batches;
  for_each_batch(3, 7, 3, [&](std::span<const std::uint32_t> indices) {
    batches.emplace_back(indices.begin(), indices.end());
  });
  EXPECT_EQ(batches, (std::vector<std::vector<std::uint32_t>>{{3, 4, 5}, {6, 7, 8}, {9}}));
  bool called = false;
  for_each_batch(5, 0, 4, [&](std::span<const std::uint32_t>) { called = true; });
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace digitnet
