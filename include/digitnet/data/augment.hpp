// Expanding the training data with shifted copies, as the book's expand_mnist.py does.
#pragma once

#include "digitnet/data/dataset.hpp"

namespace digitnet {

// Every image of `data` followed by four copies of it shifted by one pixel: down, up, right,
// left (expand_mnist.py's order); pixels shifted in at the edge are 0. Five times the images.
Dataset expand_by_shifts(const Dataset& data);

// `image` (rows x cols, row-major) moved by (dy, dx) pixels into `out`; uncovered pixels 0.
void shift_image(std::span<const std::uint8_t> image, std::size_t rows, std::size_t cols, int dy,
                 int dx, std::span<std::uint8_t> out);

}  // namespace digitnet
