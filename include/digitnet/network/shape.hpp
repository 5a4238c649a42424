// The shape of what flows between layers, per example: channels × height × width. An image is
// 1 × 28 × 28; a dense layer's output is n × 1 × 1. In a batch matrix one example is one column
// of size() values, channel by channel, each channel row by row (as PyTorch's NCHW).
#pragma once

#include <cstddef>
#include <string>

namespace digitnet {

struct Shape {
  std::size_t channels = 1;
  std::size_t height = 1;
  std::size_t width = 1;

  std::size_t size() const { return channels * height * width; }
  bool operator==(const Shape&) const = default;
};

// "1x28x28", or "30" for a flat n × 1 × 1.
inline std::string to_string(const Shape& s) {
  if (s.height == 1 && s.width == 1) return std::to_string(s.channels);
  return std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" +
         std::to_string(s.width);
}

// A flat shape of n values (n × 1 × 1).
inline Shape flat_shape(std::size_t n) { return {n, 1, 1}; }

}  // namespace digitnet
