// Numeric flags read strictly: the text as typed goes through the library's parse_option_value
// against the option's range (core/option_range.hpp), so "-1", "1e3" for a count, "ten",
// "99999999999999999999" and out-of-range values are refused at parse time, before any work,
// with one line that names the flag, the value as typed and what is allowed. (CLI11 2.1 turns
// "-1" into 18446744073709551615 for an unsigned option, and takes "1e999" as infinity.)
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "digitnet/core/option_range.hpp"
#include "digitnet/training/train_options.hpp"

namespace digitnet::cli {

// An image's place in a split (--index, --first); the split's size is checked once it is read.
inline constexpr OptionRange index_range{"index", true, 0, 1e9, true, true, "0-based"};

// Adds `flag` whose text, read against `range`, is handed to `set` as a number.
template <typename Set>
CLI::Option* add_number_option(CLI::App& command, const std::string& flag, const OptionRange& range,
                               const std::string& description, Set set) {
  CLI::Option* option = command.add_option_function<std::string>(
      flag,
      [flag, range, set](const std::string& text) {
        double value = 0;
        if (const OptionProblem problem = parse_option_value(text, range, &value))
          throw CLI::ValidationError(flag + " " + text + ": " + problem.advice);
        set(value);
      },
      description + " (" + range.describe() + ")");
  option->type_name(range.whole ? "INT" : "NUMBER");
  return option;
}

// Adds `flag` setting `target` (an integer or floating type) from a value of `range`.
// The help shows its type as INT or NUMBER and the range, and the default.
template <typename T>
CLI::Option* add_number(CLI::App& command, const std::string& flag, T& target,
                        const OptionRange& range, const std::string& description) {
  CLI::Option* option = add_number_option(command, flag, range, description,
                                          [&target](double value) { target = static_cast<T>(value); });
  std::ostringstream now;
  now << target;
  option->default_str(now.str());
  return option;
}

// The same for an optional value (unset unless the flag is given).
template <typename T>
CLI::Option* add_number(CLI::App& command, const std::string& flag, std::optional<T>& target,
                        const OptionRange& range, const std::string& description) {
  return add_number_option(command, flag, range, description,
                           [&target](double value) { target = static_cast<T>(value); });
}

// Adds `flag` setting the list `target` from comma-separated values of `range` ("784,30,10").
template <typename T>
CLI::Option* add_number_list(CLI::App& command, const std::string& flag, std::vector<T>& target,
                             const OptionRange& range, const std::string& description) {
  CLI::Option* option = command.add_option_function<std::vector<std::string>>(
      flag,
      [flag, range, &target](const std::vector<std::string>& items) {
        std::string typed;
        for (const std::string& item : items) typed += (typed.empty() ? "" : ",") + item;
        std::vector<T> values;
        for (std::size_t i = 0; i < items.size(); ++i) {
          double value = 0;
          if (const OptionProblem problem = parse_option_value(items[i], range, &value))
            throw CLI::ValidationError(flag + " " + typed + ": item " + std::to_string(i + 1) +
                                       " '" + items[i] + "': " + problem.advice);
          values.push_back(static_cast<T>(value));
        }
        target = std::move(values);
      },
      description + " (each " + range.describe() + ")");
  option->delimiter(',')->type_name(range.whole ? "INT,..." : "NUMBER,...");
  std::string now;
  for (const T& value : target) now += (now.empty() ? "" : ",") + std::to_string(value);
  if (!now.empty()) option->default_str(now);
  return option;
}

}  // namespace digitnet::cli
