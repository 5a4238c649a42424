// The binary files' reader and checksum.
#include "files/byte_io.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "digitnet/core/error.hpp"

namespace digitnet {

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
