// Tests of data preparation: the digit filter, the subsets and the shifted copies, in that
// order, and the problems refused with the option that caused them.
#include "digitnet/data/prepare.hpp"

#include <gtest/gtest.h>

#include "digitnet/data/augment.hpp"
#include "test_support.hpp"

namespace digitnet {
namespace {

// A 1 x 2 image per label; the first pixel tells the images apart.
Dataset images_of(const std::vector<std::uint8_t>& labels, std::uint8_t first_pixel) {
  Dataset data;
  data.rows = 1;
  data.cols = 2;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    data.pixels.push_back(static_cast<std::uint8_t>(first_pixel + i));
    data.pixels.push_back(200);
    data.labels.push_back(labels[i]);
  }
  return data;
}

MnistSplit small_split() {
  return {images_of({1, 7, 3, 7, 1, 7}, 10), images_of({7, 2}, 50), images_of({7, 1, 7, 7}, 90)};
}

TEST(Prepare, NothingAskedLeavesTheDataAsItIs) {
  const MnistSplit data = prepare(small_split(), {});
  EXPECT_EQ(data.training.pixels, small_split().training.pixels);
  EXPECT_EQ(data.validation.labels, small_split().validation.labels);
  EXPECT_EQ(data.test.labels, small_split().test.labels);
}

TEST(Prepare, FiltersDigitsBeforeTakingTheFirstImages) {
  DataPreparation preparation;
  preparation.digits = {7};
  preparation.train_size = 2;
  preparation.test_size = 1;
  const MnistSplit data = prepare(small_split(), preparation);
  EXPECT_EQ(data.training.labels, (std::vector<std::uint8_t>{7, 7}));
  EXPECT_EQ(data.training.image(1)[0], 13);  // the second 7 of the training set
  EXPECT_EQ(data.validation.labels, (std::vector<std::uint8_t>{7}));
  EXPECT_EQ(data.test.labels, (std::vector<std::uint8_t>{7}));
  EXPECT_EQ(data.test.image(0)[0], 90);
}

TEST(Prepare, ShiftsTheTrainingImagesOnlyAfterCuttingThem) {
  DataPreparation preparation;
  preparation.train_size = 2;
  preparation.shift_augment = true;
  const MnistSplit data = prepare(small_split(), preparation);
  const Dataset expected = expand_by_shifts(slice(small_split().training, 0, 2));
  EXPECT_EQ(data.training.size(), 10u);
  EXPECT_EQ(data.training.pixels, expected.pixels);
  EXPECT_EQ(data.training.labels, expected.labels);
  EXPECT_EQ(data.test.size(), 4u);  // never augmented
}

TEST(PreparationProblem, ADigitOutsideZeroToNineIsRefused) {
  DataPreparation preparation;
  preparation.digits = {3, 12};
  EXPECT_EQ(preparation_problem(preparation).message(), "digits 3,12: 12 is not a digit 0-9");
  preparation.digits = {-1};
  EXPECT_EQ(preparation_problem(preparation).option, "digits");
  EXPECT_FALSE(preparation_problem(DataPreparation{}));
  try {
    prepare(small_split(), preparation);
    ADD_FAILURE() << "no exception";
  } catch (const OptionError& e) {
    EXPECT_EQ(e.problem.option, "digits");
  }
}

TEST(Prepare, ADigitFilterThatLeavesNoTrainingImagesIsRefused) {
  DataPreparation preparation;
  preparation.digits = {2};  // only in the validation set
  try {
    prepare(small_split(), preparation);
    ADD_FAILURE() << "no exception";
  } catch (const OptionError& e) {
    EXPECT_EQ(e.problem.option, "digits");
    EXPECT_NE(std::string(e.what()).find("digits 2: no training image"), std::string::npos)
        << e.what();
  }
}

TEST(Prepare, NeededValidationImagesMustBeLeft) {
  DataPreparation preparation;
  preparation.digits = {3};  // in the training set, not in the validation set
  EXPECT_EQ(prepare(small_split(), preparation).training.size(), 1u);
  preparation.needs_validation = true;
  EXPECT_ERROR_CONTAINS(prepare(small_split(), preparation),
                        "digits 3: no validation image shows one of these digits");
}

}  // namespace
}  // namespace digitnet
