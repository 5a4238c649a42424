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

}  // namespace

Picture decode_grey_picture(std::span<const std::uint8_t> bytes, const std::string& name) {
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
