// Shifted copies of images.
#include "digitnet/data/augment.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <utility>

namespace digitnet {

void shift_image(std::span<const std::uint8_t> image, std::size_t rows, std::size_t cols, int dy,
                 int dx, std::span<std::uint8_t> out) {
  assert(image.size() == rows * cols && out.size() == image.size());
  std::fill(out.begin(), out.end(), std::uint8_t{0});
  const auto r_count = static_cast<std::ptrdiff_t>(rows);
  const auto c_count = static_cast<std::ptrdiff_t>(cols);
  for (std::ptrdiff_t r = 0; r < r_count; ++r) {
    const std::ptrdiff_t from_r = r - dy;
    if (from_r < 0 || from_r >= r_count) continue;
    for (std::ptrdiff_t c = 0; c < c_count; ++c) {
      const std::ptrdiff_t from_c = c - dx;
      if (from_c < 0 || from_c >= c_count) continue;
      out[static_cast<std::size_t>(r * c_count + c)] =
          image[static_cast<std::size_t>(from_r * c_count + from_c)];
    }
  }
}

Dataset expand_by_shifts(const Dataset& data) {
  constexpr std::array<std::pair<int, int>, 4> shifts = {{{1, 0}, {-1, 0}, {0, 1}, {0, -1}}};
  Dataset expanded;
  expanded.rows = data.rows;
  expanded.cols = data.cols;
  const std::size_t size = data.image_size();
  expanded.pixels.resize(data.pixels.size() * (1 + shifts.size()));
  expanded.labels.reserve(data.size() * (1 + shifts.size()));
  std::uint8_t* out = expanded.pixels.data();
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto image = data.image(i);
    std::copy(image.begin(), image.end(), out);
    out += size;
    for (const auto& [dy, dx] : shifts) {
      shift_image(image, data.rows, data.cols, dy, dx, std::span<std::uint8_t>(out, size));
      out += size;
    }
    expanded.labels.insert(expanded.labels.end(), 1 + shifts.size(), data.labels[i]);
  }
  return expanded;
}

}  // namespace digitnet
