// Reading and writing picture files (PNG, JPEG, BMP, PGM/PPM, and more) through stb_image and
// stb_image_write (Debian's libstb-dev).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace digitnet {

// A picture as 8-bit samples, row by row, `channels` per pixel (1 grey, 3 RGB).
struct Picture {
  std::size_t width = 0;
  std::size_t height = 0;
  int channels = 1;
  std::vector<std::uint8_t> samples;

  std::uint8_t& at(std::size_t x, std::size_t y, int c = 0) {
    return samples[(y * width + x) * static_cast<std::size_t>(channels) +
                   static_cast<std::size_t>(c)];
  }
  std::uint8_t at(std::size_t x, std::size_t y, int c = 0) const {
    return samples[(y * width + x) * static_cast<std::size_t>(channels) +
                   static_cast<std::size_t>(c)];
  }
};

inline constexpr std::uint64_t max_picture_pixels = 50'000'000;  // 50 megapixels

// Reads a picture file, converted to grey (ITU-R BT.601 luma; transparent pixels count as
// white paper). A picture with an alpha channel that is partly transparent and partly opaque
// (a drawing exported from a canvas, white or coloured ink on nothing) is read by its alpha
// alone: opaque is ink, whatever its colour, given back as dark ink on white. Throws digitnet::Error for a missing, unreadable or unsupported file, or one
// larger than max_picture_pixels (checked from the header, before decoding).
Picture load_grey_picture(const std::filesystem::path& path);
// The same for a picture file's bytes in memory (an upload); `name` says where they came from
// in the messages ("request body"). The bytes are only read.
Picture decode_grey_picture(std::span<const std::uint8_t> bytes, const std::string& name);

// A grey or RGB picture as the bytes of a PNG file. Throws digitnet::Error when it cannot.
std::vector<std::uint8_t> encode_png(const Picture& picture);
// Writes encode_png's bytes to `path`, atomically. Throws digitnet::Error when it cannot.
void save_png(const Picture& picture, const std::filesystem::path& path);

}  // namespace digitnet
