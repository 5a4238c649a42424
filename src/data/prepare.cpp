// The digit filter, the subsets and the augmentation of a run's data.
#include "digitnet/data/prepare.hpp"

#include <string>

#include "digitnet/data/augment.hpp"

namespace digitnet {
namespace {

std::string join(const std::vector<int>& digits) {
  std::string text;
  for (int digit : digits) {
    if (!text.empty()) text += ',';
    text += std::to_string(digit);
  }
  return text;
}

}  // namespace

OptionProblem preparation_problem(const DataPreparation& preparation) {
  for (int digit : preparation.digits)
    if (digit < 0 || digit >= static_cast<int>(digit_classes))
      return {"digits", join(preparation.digits), std::to_string(digit) + " is not a digit 0-9"};
  return {};
}

MnistSplit prepare(MnistSplit data, const DataPreparation& preparation) {
  if (OptionProblem problem = preparation_problem(preparation)) throw OptionError(problem);
  const std::vector<int>& digits = preparation.digits;
  if (!digits.empty()) {
    data.training = keep_digits(data.training, digits);
    data.validation = keep_digits(data.validation, digits);
    data.test = keep_digits(data.test, digits);
  }
  if (preparation.train_size > 0) data.training = slice(data.training, 0, preparation.train_size);
  if (preparation.test_size > 0) data.test = slice(data.test, 0, preparation.test_size);
  // slice keeps at least one image of a set that has any, so an empty set is the digit
  // filter's doing, or the data's own.
  if (data.training.size() == 0) {
    if (digits.empty()) throw Error("the data has no training images");
    throw OptionError(
        {"digits", join(digits), "no training image shows one of these digits; keep others"});
  }
  if (preparation.needs_validation && data.validation.size() == 0) {
    const std::string need =
        " and the run needs them (for its schedule, early stopping, keep_best or monitoring)";
    if (digits.empty()) throw Error("the data has no validation images" + need);
    throw OptionError({"digits", join(digits),
                       "no validation image shows one of these digits" + need + "; keep others"});
  }
  if (preparation.shift_augment) data.training = expand_by_shifts(data.training);
  return data;
}

}  // namespace digitnet
