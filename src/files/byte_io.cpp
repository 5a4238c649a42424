// The binary files' reader and checksum.
#include "files/byte_io.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "digitnet/core/error.hpp"

namespace digitnet {

std::vector<std::uint8_t> read_whole_file(const std::filesystem::path& path, const WholeFile& rules) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw file_error(path,
                     !rules.missing.empty()                 ? rules.missing
                     : std::filesystem::exists(path, ec) ? "not a regular file"
                                                          : "file not found",
                     rules.missing_hint);
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec || size > rules.max_bytes)
    throw file_error(path, "file too large to be " + rules.what + " (" + std::to_string(size) +
                               " bytes)", rules.large_hint);
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> bytes(size);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
    throw file_error(path, "cannot read the file", "check its permissions");
  return bytes;
}

std::uint32_t crc32_of(const std::uint8_t* bytes, std::size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (size > 0) {
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
    crc = crc32(crc, bytes, chunk);
    bytes += chunk;
    size -= chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

void ByteReader::read(void* out, std::size_t size, const char* field) {
  if (bytes_.size() - offset_ < size)
    throw file_error(path_, bytes_.size(),
                     std::string("file ends inside the ") + field + " (needs " +
                         std::to_string(offset_ + size) + " bytes, has " +
                         std::to_string(bytes_.size()) + ")",
                     truncated_hint_);
  if (size == 0) return;  // `out` may be null then (found by fuzzing)
  std::memcpy(out, bytes_.data() + offset_, size);
  offset_ += size;
}

void ByteReader::fail(std::size_t at, const std::string& what) const { fail(at, what, hint_); }

void ByteReader::fail(std::size_t at, const std::string& what, const std::string& hint) const {
  throw file_error(path_, at, what, hint);
}

}  // namespace digitnet
