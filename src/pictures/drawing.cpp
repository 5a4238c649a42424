// Rectangles, enlarged images and a tiny bitmap font on RGB pictures.
#include "digitnet/pictures/drawing.hpp"

#include <cassert>

namespace digitnet {
namespace {

// 3 x 5 glyphs, one row per 3 bits (most significant bit = left column), top row first.
struct Glyph {
  char c;
  std::array<std::uint8_t, 5> rows;
};
constexpr Glyph glyphs[] = {
    {'0', {7, 5, 5, 5, 7}}, {'1', {2, 6, 2, 2, 7}}, {'2', {7, 1, 7, 4, 7}},
    {'3', {7, 1, 7, 1, 7}}, {'4', {5, 5, 7, 1, 1}}, {'5', {7, 4, 7, 1, 7}},
    {'6', {7, 4, 7, 5, 7}}, {'7', {7, 1, 2, 2, 2}}, {'8', {7, 5, 7, 5, 7}},
    {'9', {7, 5, 7, 1, 7}}, {'a', {2, 5, 7, 5, 5}}, {'b', {6, 5, 6, 5, 6}},
    {'c', {3, 4, 4, 4, 3}}, {'d', {6, 5, 5, 5, 6}}, {'e', {7, 4, 6, 4, 7}},
    {'f', {7, 4, 6, 4, 4}}, {'g', {3, 4, 5, 5, 3}}, {'h', {5, 5, 7, 5, 5}},
    {'i', {7, 2, 2, 2, 7}}, {'j', {1, 1, 1, 5, 2}}, {'k', {5, 5, 6, 5, 5}},
    {'l', {4, 4, 4, 4, 7}}, {'m', {5, 7, 7, 5, 5}}, {'n', {6, 5, 5, 5, 5}},
    {'o', {2, 5, 5, 5, 2}}, {'p', {6, 5, 6, 4, 4}}, {'q', {2, 5, 5, 6, 3}},
    {'r', {6, 5, 6, 5, 5}}, {'s', {3, 4, 2, 1, 6}}, {'t', {7, 2, 2, 2, 2}},
    {'u', {5, 5, 5, 5, 7}}, {'v', {5, 5, 5, 5, 2}}, {'w', {5, 5, 7, 7, 5}},
    {'x', {5, 5, 2, 5, 5}}, {'y', {5, 5, 2, 2, 2}}, {'z', {7, 1, 2, 4, 7}},
    {':', {0, 2, 0, 2, 0}}, {'.', {0, 0, 0, 0, 2}}, {'%', {5, 1, 2, 4, 5}},
    {'-', {0, 0, 7, 0, 0}}, {'/', {1, 1, 2, 4, 4}}, {'=', {0, 7, 0, 7, 0}},
};

const Glyph* find_glyph(char c) {
  for (const Glyph& g : glyphs)
    if (g.c == c) return &g;
  return nullptr;
}

void set_pixel(Picture& canvas, std::size_t x, std::size_t y, Rgb colour) {
  if (x >= canvas.width || y >= canvas.height) return;
  for (int c = 0; c < 3; ++c) canvas.at(x, y, c) = colour[static_cast<std::size_t>(c)];
}

}  // namespace

Picture rgb_canvas(std::size_t width, std::size_t height, Rgb background) {
  Picture canvas;
  canvas.width = width;
  canvas.height = height;
  canvas.channels = 3;
  canvas.samples.resize(width * height * 3);
  fill_rect(canvas, 0, 0, width, height, background);
  return canvas;
}

void fill_rect(Picture& canvas, std::size_t x, std::size_t y, std::size_t width,
               std::size_t height, Rgb colour) {
  for (std::size_t j = y; j < y + height; ++j)
    for (std::size_t i = x; i < x + width; ++i) set_pixel(canvas, i, j, colour);
}

void draw_grey(Picture& canvas, std::span<const std::uint8_t> image, std::size_t width,
               std::size_t height, std::size_t x, std::size_t y, std::size_t scale, bool invert) {
  assert(image.size() == width * height);
  for (std::size_t j = 0; j < height; ++j)
    for (std::size_t i = 0; i < width; ++i) {
      const std::uint8_t v = image[j * width + i];
      const auto shade = static_cast<std::uint8_t>(invert ? 255 - v : v);
      fill_rect(canvas, x + i * scale, y + j * scale, scale, scale, {shade, shade, shade});
    }
}

void draw_text(Picture& canvas, std::string_view text, std::size_t x, std::size_t y,
               std::size_t scale, Rgb colour) {
  for (const char raw : text) {
    const char c = (raw >= 'A' && raw <= 'Z') ? static_cast<char>(raw - 'A' + 'a') : raw;
    if (const Glyph* g = find_glyph(c))
      for (std::size_t row = 0; row < 5; ++row)
        for (std::size_t col = 0; col < 3; ++col)
          if (g->rows[row] & (4 >> col))
            fill_rect(canvas, x + col * scale, y + row * scale, scale, scale, colour);
    x += 4 * scale;
  }
}

std::size_t text_width(std::string_view text, std::size_t scale) {
  return text.empty() ? 0 : (4 * text.size() - 1) * scale;
}

}  // namespace digitnet
