// What values a numeric option takes, and reading one from text as a user typed it. One table
// per request kind (training options: train_options.hpp) serves every front end: the CLI reads
// flags and recipe values through parse_option_value, the Python module checks the numbers it is
// given against the same ranges, and the messages are the same.
#pragma once

#include <string>
#include <string_view>

#include "digitnet/core/option_problem.hpp"

namespace digitnet {

struct OptionRange {
  std::string_view option;  // the field's name ("epochs", "mini_batch_size", "dropout")
  bool whole = false;       // a whole number (no sign, no point, no exponent)
  double low = 0;
  double high = 0;
  bool low_included = true;
  bool high_included = true;
  std::string_view hint;  // what the option is, as advice: "the seeds use 10"

  bool contains(double value) const;
  // "a whole number from 1 to 100000", "a number with 0 <= value < 1".
  std::string describe() const;
};

// `text` read as a value of `range`: the number in *value, or the problem (the option, the text
// as typed, what is allowed). Refused: empty text, signs on whole numbers, points, exponents or
// other characters in them, anything out of the range (a whole number too large for 64 bits
// included), NaN and infinities.
OptionProblem parse_option_value(std::string_view text, const OptionRange& range, double* value);

// The problem with `value` for `range` (a value set directly, as from Python), or none.
OptionProblem check_option_value(double value, const OptionRange& range);

}  // namespace digitnet
