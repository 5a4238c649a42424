// Drawing on RGB pictures for the PNG outputs (dataset grids, galleries of mistakes): filled
// rectangles, grey images enlarged pixel by pixel, and text in a small built-in bitmap font.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "digitnet/pictures/image_file.hpp"

namespace digitnet {

using Rgb = std::array<std::uint8_t, 3>;

// A width x height RGB picture filled with `background`.
Picture rgb_canvas(std::size_t width, std::size_t height, Rgb background);

void fill_rect(Picture& canvas, std::size_t x, std::size_t y, std::size_t width,
               std::size_t height, Rgb colour);

// A grey image (row-major, 0 black .. 255 white, as MNIST stores ink) drawn at (x, y), each pixel
// as a scale x scale square; `invert` draws ink dark on white paper.
void draw_grey(Picture& canvas, std::span<const std::uint8_t> image, std::size_t width,
               std::size_t height, std::size_t x, std::size_t y, std::size_t scale, bool invert);

// Text in a 3 x 5 pixel font (digits, lower-case letters, space and ":.%-/"), each font pixel a
// scale x scale square, characters 4 font pixels apart; other characters are drawn as blanks.
void draw_text(Picture& canvas, std::string_view text, std::size_t x, std::size_t y,
               std::size_t scale, Rgb colour);
// The width in canvas pixels that draw_text uses.
std::size_t text_width(std::string_view text, std::size_t scale);

}  // namespace digitnet
