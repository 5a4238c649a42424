// Preparing the data a run trains and is scored on, as a request asks: only some digits, only
// the first images of the training and test sets, shifted copies of the training images.
#pragma once

#include <cstddef>
#include <vector>

#include "digitnet/core/option_problem.hpp"
#include "digitnet/data/dataset.hpp"

namespace digitnet {

struct DataPreparation {
  std::vector<int> digits;        // keep only images of these digits (empty: all ten)
  std::size_t train_size = 0;     // then the first this many training images (0: all)
  std::size_t test_size = 0;      // and test images (0: all)
  bool shift_augment = false;     // then add four shifted copies of each training image
  bool needs_validation = false;  // the run needs validation images: refuse when none are left
};

// A problem found without the data, or none: option "digits" when one is not a digit 0-9.
OptionProblem preparation_problem(const DataPreparation& preparation);

// `data` with the digit filter applied to all three sets (keep_digits), then the training and
// test sets cut to their first train_size and test_size images (slice), then, with
// shift_augment, each training image followed by its four shifts (expand_by_shifts).
// Throws OptionError (option "digits") for preparation_problem, when no training images are
// left, or when validation images are needed and none are left.
MnistSplit prepare(MnistSplit data, const DataPreparation& preparation);

}  // namespace digitnet
