// Tests of dataset loading, the seeds' split of the bundled MNIST, and the digit filter.
#include "digitnet/data/dataset.hpp"

#include "digitnet/data/augment.hpp"
#include "digitnet/data/idx.hpp"
#include "test_support.hpp"

namespace digitnet {
namespace {

class DatasetTest : public testing::TempDirTest {
 protected:
  void write_pair(std::uint32_t images, std::uint32_t labels, std::uint8_t label_value = 3) {
    IdxArray image_array{{images, 2, 3}, std::vector<std::uint8_t>(images * 6u, 9)};
    IdxArray label_array{{labels}, std::vector<std::uint8_t>(labels, label_value)};
    write_idx(path("images"), image_array, false);
    write_idx(path("labels"), label_array, true);
  }
};

TEST_F(DatasetTest, LoadsImagesOfAnySize) {
  write_pair(4, 4);
  const Dataset data = load_dataset(path("images"), path("labels"));
  EXPECT_EQ(data.size(), 4u);
  EXPECT_EQ(data.rows, 2u);
  EXPECT_EQ(data.cols, 3u);
  EXPECT_EQ(data.image_size(), 6u);
  EXPECT_EQ(data.image(3)[5], 9);
  EXPECT_EQ(data.labels[2], 3);
}

TEST_F(DatasetTest, CountMismatchIsRefused) {
  write_pair(4, 5);
  EXPECT_ERROR_CONTAINS(load_dataset(path("images"), path("labels")),
                        "labels: byte 4: holds 5 labels but images holds 4 images");
}

TEST_F(DatasetTest, LabelOutsideZeroToNineIsRefusedWithItsOffset) {
  write_pair(2, 2, 10);
  EXPECT_ERROR_CONTAINS(load_dataset(path("images"), path("labels")),
                        "labels: byte 8: label 10 is not a digit 0-9");
}

TEST_F(DatasetTest, SwappedFilesAreRefused) {
  write_pair(2, 2);
  EXPECT_ERROR_CONTAINS(load_dataset(path("labels"), path("images")),
                        "an images file has 3 dimensions");
}

TEST_F(DatasetTest, MissingFileInTheDataFolderIsNamed) {
  EXPECT_ERROR_CONTAINS(find_mnist_files(dir_), "train-images-idx3-ubyte.gz: file not found");
  EXPECT_ERROR_CONTAINS(find_mnist_files(path("absent")), "absent: data folder not found");
}

TEST(DigitFilter, KeepsOnlyChosenDigitsInOrder) {
  Dataset data;
  data.rows = 1;
  data.cols = 2;
  data.labels = {1, 7, 3, 7, 1};
  data.pixels = {10, 11, 70, 71, 30, 31, 72, 73, 12, 13};
  const std::vector<int> digits = {7, 1};
  const Dataset kept = keep_digits(data, digits);
  EXPECT_EQ(kept.labels, (std::vector<std::uint8_t>{1, 7, 7, 1}));
  EXPECT_EQ(kept.pixels, (std::vector<std::uint8_t>{10, 11, 70, 71, 72, 73, 12, 13}));
  EXPECT_EQ(kept.cols, 2u);
}

TEST(Slice, TakesConsecutiveImagesAndClampsAtTheEnd) {
  Dataset data;
  data.rows = 1;
  data.cols = 1;
  data.labels = {0, 1, 2, 3};
  data.pixels = {0, 10, 20, 30};
  const Dataset part = slice(data, 2, 10);
  EXPECT_EQ(part.labels, (std::vector<std::uint8_t>{2, 3}));
  EXPECT_EQ(part.pixels, (std::vector<std::uint8_t>{20, 30}));
}

TEST(BundledMnist, HasTheSeedsSplit) {
  const MnistSplit mnist = load_mnist(DIGITNET_SOURCE_DATA_DIR);
  ASSERT_EQ(mnist.training.size(), 50000u);
  ASSERT_EQ(mnist.validation.size(), 10000u);
  ASSERT_EQ(mnist.test.size(), 10000u);
  EXPECT_EQ(mnist.training.rows, 28u);
  EXPECT_EQ(mnist.training.cols, 28u);
  // First labels as the data README lists them.
  EXPECT_EQ(std::vector<int>(mnist.training.labels.begin(), mnist.training.labels.begin() + 5),
            (std::vector<int>{5, 0, 4, 1, 9}));
  EXPECT_EQ(std::vector<int>(mnist.test.labels.begin(), mnist.test.labels.begin() + 5),
            (std::vector<int>{7, 2, 1, 0, 4}));
  // Per-digit counts of the 60,000 training images (README), summed over training + validation.
  std::vector<int> counts(10, 0);
  for (auto label : mnist.training.labels) ++counts[label];
  for (auto label : mnist.validation.labels) ++counts[label];
  EXPECT_EQ(counts, (std::vector<int>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}));
  // The validation images are the last 10,000 training images.
  const IdxArray all = read_idx(find_mnist_files(DIGITNET_SOURCE_DATA_DIR).train_images);
  EXPECT_TRUE(std::equal(mnist.validation.pixels.begin(), mnist.validation.pixels.end(),
                         all.data.begin() + 50000 * 784));
  EXPECT_EQ(all.data.size(), 60000u * 784u);
}

TEST(Augment, ShiftsMoveEveryPixelAndFillWithZero) {
  Dataset data;
  data.rows = 2;
  data.cols = 3;
  data.pixels = {1, 2, 3,  //
                 4, 5, 6};
  data.labels = {7};
  const Dataset expanded = expand_by_shifts(data);
  ASSERT_EQ(expanded.size(), 5u);
  EXPECT_EQ(expanded.labels, std::vector<std::uint8_t>(5, 7));
  const auto image = [&](std::size_t i) {
    const auto span = expanded.image(i);
    return std::vector<std::uint8_t>(span.begin(), span.end());
  };
  EXPECT_EQ(image(0), (std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6}));  // the original
  EXPECT_EQ(image(1), (std::vector<std::uint8_t>{0, 0, 0, 1, 2, 3}));  // down
  EXPECT_EQ(image(2), (std::vector<std::uint8_t>{4, 5, 6, 0, 0, 0}));  // up
  EXPECT_EQ(image(3), (std::vector<std::uint8_t>{0, 1, 2, 0, 4, 5}));  // right
  EXPECT_EQ(image(4), (std::vector<std::uint8_t>{2, 3, 0, 5, 6, 0}));  // left
}

}  // namespace
}  // namespace digitnet
