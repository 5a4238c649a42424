// Reading numeric options from text, strictly.
#include "digitnet/core/option_range.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <sstream>

namespace digitnet {
namespace {

std::string number(double value) {
  if (value == std::floor(value) && std::abs(value) <= 9007199254740992.0)
    return std::to_string(static_cast<long long>(value));
  std::ostringstream text;
  text.precision(15);
  text << value;
  return text.str();
}

OptionProblem refuse(const OptionRange& range, std::string_view text) {
  std::string advice = "give " + range.describe();
  if (!range.hint.empty()) advice += " (" + std::string(range.hint) + ")";
  return {std::string(range.option), std::string(text), advice};
}

}  // namespace

bool OptionRange::contains(double value) const {
  if (!std::isfinite(value)) return false;
  if (whole && value != std::floor(value)) return false;
  return (low_included ? value >= low : value > low) &&
         (high_included ? value <= high : value < high);
}

std::string OptionRange::describe() const {
  if (whole) return "a whole number from " + number(low) + " to " + number(high);
  return std::string("a number with ") + number(low) + (low_included ? " <= " : " < ") +
         "value" + (high_included ? " <= " : " < ") + number(high);
}

OptionProblem parse_option_value(std::string_view text, const OptionRange& range, double* value) {
  if (text.empty()) return refuse(range, text);
  if (range.whole) {
    std::uint64_t parsed = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (error != std::errc() || end != text.data() + text.size()) return refuse(range, text);
    *value = static_cast<double>(parsed);
    // 2^53 and above cannot be held exactly; every range is far below it.
    if (parsed > (std::uint64_t{1} << 53) || !range.contains(*value)) return refuse(range, text);
    return {};
  }
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  if (error != std::errc() || end != text.data() + text.size() || !range.contains(*value))
    return refuse(range, text);
  return {};
}

OptionProblem check_option_value(double value, const OptionRange& range) {
  if (range.contains(value)) return {};
  return refuse(range, number(value));
}

}  // namespace digitnet
