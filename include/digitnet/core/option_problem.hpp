// A problem with one option of a request (training options, data preparation), named by its
// field so that each front end spells it its own way: the CLI as a flag ("--batch"), Python as
// a keyword (batch=). The library's messages name no front end's spelling.
#pragma once

#include <string>
#include <utility>

#include "digitnet/core/error.hpp"

namespace digitnet {

// What is wrong with one option, or nothing (option empty).
struct OptionProblem {
  std::string option;  // the field's name: "epochs", "mini_batch_size", "dropout", "digits", ...
  std::string value;   // the value given, as text ("1.5"; a list as "784,0,10"); may be empty
  std::string advice;  // what is wrong and what to do: "give a probability of dropping ..."

  explicit operator bool() const { return !option.empty(); }
  // "dropout 1.5: give a probability of dropping a hidden neuron, 0 <= p < 1 (0.5 is classic)";
  // "" when there is no problem.
  std::string message() const {
    if (option.empty()) return "";
    return option + (value.empty() ? "" : " " + value) + ": " + advice;
  }
};

// Thrown when a problem with an option shows only once the work has begun (e.g. a digit filter
// that leaves no images); what() is problem.message().
class OptionError : public Error {
 public:
  explicit OptionError(OptionProblem problem)
      : Error(problem.message()), problem(std::move(problem)) {}
  OptionProblem problem;
};

}  // namespace digitnet
