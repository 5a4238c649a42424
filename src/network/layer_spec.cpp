// Layer lists as text: "dense:100:relu,dense:10:softmax".
#include "digitnet/network/layer_spec.hpp"

#include <charconv>
#include <string_view>

#include "digitnet/network/layer_registry.hpp"

namespace digitnet {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t at; (at = text.find(separator, start)) != std::string::npos; start = at + 1)
    parts.push_back(text.substr(start, at - start));
  parts.push_back(text.substr(start));
  return parts;
}

// "20x5x5" → {20, 5, 5}; false for anything else (empty parts, signs, overflow).
bool parse_numbers(const std::string& text, std::vector<std::size_t>* numbers) {
  for (const std::string& part : split(text, 'x')) {
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || error != std::errc() || end != part.data() + part.size() ||
        value > (std::size_t{1} << 24))
      return false;
    numbers->push_back(value);
  }
  return true;
}

constexpr std::string_view dropout_prefix = "dropout=";

bool is_dropout_option(const std::string& option) { return option.starts_with(dropout_prefix); }

// The rate of a "dropout=P" option, or nullopt when P is not a number in [0, 1).
std::optional<double> parse_rate(const std::string& option) {
  const char* first = option.data() + dropout_prefix.size();
  const char* last = option.data() + option.size();
  double rate = 0;
  const auto [end, error] = std::from_chars(first, last, rate);
  if (first == last || error != std::errc() || end != last || !(rate >= 0 && rate < 1))
    return std::nullopt;
  return rate;
}

}  // namespace

std::optional<double> dropout_rate(const LayerSpec& spec) {
  for (const std::string& option : spec.options)
    if (is_dropout_option(option)) return parse_rate(option);
  return std::nullopt;
}

std::string common_options_problem(const LayerSpec& spec) {
  int dropouts = 0;
  for (const std::string& option : spec.options) {
    if (!is_dropout_option(option)) continue;
    if (++dropouts > 1) return "give dropout= once";
    if (!parse_rate(option))
      return option + ": give a rate from 0 up to (not including) 1, e.g. dropout=0.5";
  }
  return "";
}

LayerSpec without_common_options(LayerSpec spec) {
  std::erase_if(spec.options, is_dropout_option);
  return spec;
}

std::string to_string(const LayerSpec& spec) {
  std::string text = spec.kind;
  // (Appended piece by piece: GCC 12 warns, wrongly, of overlapping copies in "x" + string.)
  for (std::size_t i = 0; i < spec.numbers.size(); ++i) {
    text += i == 0 ? ':' : 'x';
    text += std::to_string(spec.numbers[i]);
  }
  text += ':';
  text += name(spec.activation);
  for (const std::string& option : spec.options) {
    text += ':';
    text += option;
  }
  return text;
}

std::string to_string(const std::vector<LayerSpec>& layers) {
  std::string text;
  for (const LayerSpec& layer : layers) {
    if (!text.empty()) text += ',';
    text += to_string(layer);
  }
  return text;
}

std::vector<LayerSpec> parse_layer_list(const std::string& text, Activation hidden,
                                        Activation output, std::string* problem) {
  std::vector<LayerSpec> layers;
  const std::vector<std::string> items = split(text, ',');
  for (std::size_t l = 0; l < items.size(); ++l) {
    const std::string where = "layer " + std::to_string(l + 1) + " '" + items[l] + "': ";
    const std::vector<std::string> parts = split(items[l], ':');
    LayerSpec spec;
    spec.kind = parts[0];
    if (spec.kind.empty()) {
      *problem = where + "give a kind and its numbers, e.g. dense:100";
      return {};
    }
    std::size_t next = 1;
    if (parts.size() > 1 && !parts[1].empty() &&
        ((parts[1][0] >= '0' && parts[1][0] <= '9') || parts[1][0] == '-' || parts[1][0] == '+')) {
      if (!parse_numbers(parts[1], &spec.numbers)) {
        *problem = where + "'" + parts[1] + "' is not a list of whole numbers such as 100 or 20x5x5";
        return {};
      }
      next = 2;
    }
    bool has_activation = false;
    for (; next < parts.size(); ++next) {
      if (const auto activation = parse_activation(parts[next])) {
        if (has_activation) {
          *problem = where + "give one activation";
          return {};
        }
        spec.activation = *activation;
        has_activation = true;
      } else {
        spec.options.push_back(parts[next]);
      }
    }
    const LayerKind* kind = find_layer_kind(spec.kind);
    if (!has_activation)
      spec.activation = kind != nullptr && !kind->takes_activation ? Activation::identity
                        : l + 1 < items.size()                     ? hidden
                                                                   : output;
    layers.push_back(std::move(spec));
  }
  return layers;
}

}  // namespace digitnet
