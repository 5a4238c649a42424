// Picture files through stb_image / stb_image_write: the implementations are compiled here, with
// our flags (and sanitizers), rather than linked from libstb.a.
#include "digitnet/pictures/image_file.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include "digitnet/core/error.hpp"
#include "digitnet/files/atomic_file.hpp"

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include "pictures/stb.hpp"

namespace digitnet {
namespace {

const char* const formats_hint = "give a PNG, JPEG, BMP or PGM picture";

// A PNG's chunks checked before stb_image reads them, and its bytes without its empty IDAT
// chunks (empty when there are none, or when it is no PNG). Two things stb does with bad chunks,
// found by fuzz/fuzz_predict_body:
//  - for an IDAT chunk it grows its buffer to the length the chunk claims before reading it, so
//    sixty bytes claiming 2 GB made it allocate 2 GB: a chunk longer than what follows it is
//    refused here (stb fails on it anyway, having allocated);
//  - it copies an IDAT chunk's data with memcpy, and for an empty chunk before any data its
//    buffer is still null: memcpy(nullptr, p, 0), undefined behaviour. An empty chunk holds
//    nothing, so dropping it changes no picture.
// The walk stops at IEND, as stb does.
std::vector<std::uint8_t> checked_png(std::span<const std::uint8_t> bytes, const std::string& name) {
  static constexpr std::uint8_t signature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() < 8 || !std::equal(signature, signature + 8, bytes.begin())) return {};
  const auto is = [&](std::size_t at, const char* type) {
    return std::equal(bytes.begin() + static_cast<std::ptrdiff_t>(at + 4),
                      bytes.begin() + static_cast<std::ptrdiff_t>(at + 8), type);
  };
  // Empty IDAT chunks: (offset, bytes) — 12, or fewer for a last chunk whose CRC is cut off
  // (stb reads a missing CRC as zeros, and still copies the chunk).
  std::vector<std::pair<std::size_t, std::size_t>> empty;
  std::size_t at = 8;
  while (at + 8 <= bytes.size()) {
    const std::uint32_t length = (std::uint32_t{bytes[at]} << 24) | (std::uint32_t{bytes[at + 1]} << 16) |
                                 (std::uint32_t{bytes[at + 2]} << 8) | bytes[at + 3];
    if (length > bytes.size() - at - 8)
      throw file_error(name, at,
                       "the PNG is cut short: this chunk claims " + std::to_string(length) +
                           " bytes, " + std::to_string(bytes.size() - at - 8) + " follow",
                       "send the whole file");
    if (is(at, "IEND")) break;
    if (length == 0 && is(at, "IDAT")) empty.emplace_back(at, std::min<std::size_t>(12, bytes.size() - at));
    at += 12 + length;
  }
  if (empty.empty()) return {};
  std::vector<std::uint8_t> out;
  out.reserve(bytes.size());
  std::size_t from = 0;
  for (const auto& [chunk, size] : empty) {
    out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(from),
               bytes.begin() + static_cast<std::ptrdiff_t>(chunk));
    from = chunk + size;
  }
  out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(from), bytes.end());
  return out;
}

// A JPEG's Huffman tables checked before stb_image reads them: stb writes a table's code
// lengths into an array of 257 without checking that the sixteen counts add up to at most 256
// (an out-of-bounds write, found by fuzz/fuzz_predict_body); such a table is no valid JPEG's and
// is refused here. Every segment is walked, those between the scans of a progressive JPEG too.
void check_jpeg(std::span<const std::uint8_t> bytes, const std::string& name) {
  if (bytes.size() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8) return;
  std::size_t at = 2;
  while (at + 4 <= bytes.size()) {
    if (bytes[at] != 0xFF) {  // entropy-coded data: on to the next marker
      ++at;
      continue;
    }
    const std::uint8_t marker = bytes[at + 1];
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
      at += 2;  // stuffed byte, TEM, RSTn, SOI: no length
      continue;
    }
    if (marker == 0xD9) return;  // EOI
    const std::size_t length = (std::size_t{bytes[at + 2]} << 8) | bytes[at + 3];
    if (marker == 0xC4) {
      // stb reads the bytes past the end of the data as zeros, and so does this.
      const auto byte = [&](std::size_t i) -> std::size_t { return i < bytes.size() ? bytes[i] : 0; };
      for (std::size_t t = at + 4; t < at + 2 + length && t < bytes.size();) {
        std::size_t codes = 0;
        for (std::size_t i = 1; i <= 16; ++i) codes += byte(t + i);
        if (codes > 256)
          throw file_error(name, t,
                           "the JPEG's Huffman table holds " + std::to_string(codes) +
                               " codes (at most 256)",
                           "the file is damaged; save the picture again");
        t += 17 + codes;
      }
    }
    at += 2 + std::max<std::size_t>(length, 2);
  }
}

}  // namespace

Picture decode_grey_picture(std::span<const std::uint8_t> bytes, const std::string& name) {
  check_jpeg(bytes, name);
  const std::vector<std::uint8_t> cleaned = checked_png(bytes, name);
  if (!cleaned.empty()) bytes = cleaned;
  // stb reads lengths as int: a buffer beyond that is no picture this reads anyway.
  if (bytes.empty()) throw file_error(name, "empty: no picture", formats_hint);
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw file_error(name, "too large to be a picture this reads (2 GB or more)", "scale it down first");
  const auto* data_in = static_cast<const stbi_uc*>(bytes.data());
  const int length = static_cast<int>(bytes.size());
  int width = 0, height = 0, channels = 0;
  if (stbi_info_from_memory(data_in, length, &width, &height, &channels) == 0)
    throw file_error(name, std::string("cannot read the picture (") + stbi_failure_reason() + ")",
                     formats_hint);
  const auto pixels = static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height);
  if (width <= 0 || height <= 0)
    throw file_error(name, "the picture has no pixels", formats_hint);
  if (pixels > max_picture_pixels)
    throw file_error(name,
                     "picture too large: " + std::to_string(width) + " x " + std::to_string(height) +
                         " pixels (at most 50 megapixels)",
                     "scale it down first");
  // Grey + alpha, so that transparent pixels can be painted white.
  stbi_uc* data = stbi_load_from_memory(data_in, length, &width, &height, &channels, 2);
  if (data == nullptr)
    throw file_error(name, std::string("cannot decode the picture (") + stbi_failure_reason() + ")",
                     "the file is damaged or in an unsupported variant of its format");
  Picture picture;
  picture.width = static_cast<std::size_t>(width);
  picture.height = static_cast<std::size_t>(height);
  picture.samples.resize(picture.width * picture.height);
  // A drawing on a transparent canvas (what drawing widgets export, often white ink on nothing):
  // the ink is where the picture is opaque, whatever its colour, so it becomes dark ink on white.
  // Otherwise (no alpha, or alpha without such contrast) transparent pixels are painted white.
  unsigned alpha_low = 255, alpha_high = 0;
  for (std::size_t i = 0; i < picture.samples.size(); ++i) {
    alpha_low = std::min<unsigned>(alpha_low, data[2 * i + 1]);
    alpha_high = std::max<unsigned>(alpha_high, data[2 * i + 1]);
  }
  const bool ink_by_alpha = (channels == 2 || channels == 4) && alpha_low < 128 && alpha_high >= 128;
  for (std::size_t i = 0; i < picture.samples.size(); ++i) {
    const unsigned grey = data[2 * i], alpha = data[2 * i + 1];
    picture.samples[i] =
        ink_by_alpha ? static_cast<std::uint8_t>(255u - alpha)
                     : static_cast<std::uint8_t>((grey * alpha + 255u * (255u - alpha) + 127u) / 255u);
  }
  stbi_image_free(data);
  return picture;
}

Picture load_grey_picture(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw file_error(path, std::filesystem::exists(path, ec) ? "not a regular file" : "file not found",
                     formats_hint);
  // Read whole, then decoded from memory (decode_grey_picture checks the header's size first).
  if (std::filesystem::file_size(path, ec) > (std::uintmax_t{1} << 30))
    throw file_error(path, "too large to be a picture this reads (over 1 GiB)", "scale it down first");
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw file_error(path, "cannot read the file", formats_hint);
  return decode_grey_picture(bytes, path.string());
}

std::vector<std::uint8_t> encode_png(const Picture& picture) {
  std::vector<std::uint8_t> bytes;
  const auto append = [](void* context, void* data, int size) {
    auto* out = static_cast<std::vector<std::uint8_t>*>(context);
    const auto* p = static_cast<const std::uint8_t*>(data);
    out->insert(out->end(), p, p + size);
  };
  const int ok = stbi_write_png_to_func(
      append, &bytes, static_cast<int>(picture.width), static_cast<int>(picture.height),
      picture.channels, picture.samples.data(),
      static_cast<int>(picture.width) * picture.channels);
  if (ok == 0) throw Error("cannot encode a PNG picture of " + std::to_string(picture.width) + " x " +
                           std::to_string(picture.height) + " pixels");
  return bytes;
}

void save_png(const Picture& picture, const std::filesystem::path& path) {
  write_file_atomically(path, encode_png(picture));
}

}  // namespace digitnet
