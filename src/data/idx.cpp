// Reading and writing IDX files, raw or gzipped, through zlib's gz* interface (which reads raw
// files transparently).
#include "digitnet/data/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <string>

#include "digitnet/core/error.hpp"

namespace digitnet {
namespace {

constexpr std::uint8_t unsigned_byte_type = 0x08;
constexpr std::uint32_t max_dims = 4;
const char* const idx_hint = "expected an MNIST-style IDX file (raw or gzipped)";

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

std::uint32_t big_endian_u32(const unsigned char* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

bool is_gzip(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  return in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

GzFile open_for_reading(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw file_error(path, "file not found");
  if (std::filesystem::is_directory(path, ec)) throw file_error(path, "is a directory, not a file");
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw file_error(path, "cannot open for reading", "check its permissions");
  gzbuffer(file.get(), 1 << 17);
  return file;
}

// Reads up to `size` bytes; returns how many were read. A zlib error (corrupt gzip) throws with the
// uncompressed offset reached.
std::uint64_t read_bytes(gzFile_s* file, const std::filesystem::path& path, std::uint64_t offset,
                         unsigned char* out, std::uint64_t size) {
  std::uint64_t done = 0;
  while (done < size) {
    const auto chunk = static_cast<unsigned>(std::min<std::uint64_t>(size - done, 1u << 30));
    const int got = gzread(file, out + done, chunk);
    if (got < 0) {
      int errnum = 0;
      const char* message = gzerror(file, &errnum);
      throw file_error(path, offset + done,
                       std::string("corrupt gzip data (zlib: ") + message + ")",
                       "the file is damaged: copy or download it again");
    }
    if (got == 0) break;
    done += static_cast<unsigned>(got);
  }
  return done;
}

struct Header {
  std::vector<std::uint32_t> dims;
  std::uint64_t header_bytes = 0;
  std::uint64_t data_bytes = 0;
};

Header read_header(gzFile_s* file, const std::filesystem::path& path) {
  std::array<unsigned char, 4> magic{};
  const auto got = read_bytes(file, path, 0, magic.data(), magic.size());
  if (got < magic.size())
    throw file_error(path, got, "file ends inside the 4-byte IDX magic number", idx_hint);
  if (magic[0] != 0 || magic[1] != 0)
    throw file_error(path, 0, "bad magic number (first two bytes must be zero)", idx_hint);
  if (magic[2] != unsigned_byte_type) {
    char found[8];
    std::snprintf(found, sizeof found, "0x%02x", magic[2]);
    throw file_error(path, 2,
                     std::string("unsupported element type ") + found +
                         " (only 0x08, unsigned byte, is supported)",
                     idx_hint);
  }
  const std::uint32_t dim_count = magic[3];
  if (dim_count < 1 || dim_count > max_dims)
    throw file_error(path, 3,
                     "bad number of dimensions " + std::to_string(dim_count) + " (expected 1 to " +
                         std::to_string(max_dims) + ")",
                     idx_hint);

  Header header;
  header.header_bytes = 4 + 4 * std::uint64_t{dim_count};
  header.data_bytes = 1;
  for (std::uint32_t i = 0; i < dim_count; ++i) {
    const std::uint64_t offset = 4 + 4 * std::uint64_t{i};
    unsigned char bytes[4];
    if (read_bytes(file, path, offset, bytes, 4) < 4)
      throw file_error(path, offset,
                       "file ends inside the header (dimension " + std::to_string(i) + " of " +
                           std::to_string(dim_count) + ")",
                       "the file is truncated");
    const std::uint32_t dim = big_endian_u32(bytes);
    if (dim == 0)
      throw file_error(path, offset, "dimension " + std::to_string(i) + " is zero", idx_hint);
    header.data_bytes *= dim;
    if (header.data_bytes > idx_max_bytes)
      throw file_error(
          path, offset,
          "absurd dimensions: the data would exceed " + std::to_string(idx_max_bytes) + " bytes",
          "the header is damaged or this is not an image/label file");
    header.dims.push_back(dim);
  }
  return header;
}

// The gzip trailer's last four bytes: the uncompressed size modulo 2^32 (RFC 1952).
std::uint32_t gzip_isize(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  if (size < 18)
    throw file_error(path, size, "gzip file too short to hold a trailer",
                     "the file is truncated: copy or download it again");
  in.seekg(static_cast<std::streamoff>(size - 4));
  unsigned char bytes[4];
  in.read(reinterpret_cast<char*>(bytes), 4);
  return std::uint32_t{bytes[0]} | (std::uint32_t{bytes[1]} << 8) |
         (std::uint32_t{bytes[2]} << 16) | (std::uint32_t{bytes[3]} << 24);
}

void check_length_before_allocating(const std::filesystem::path& path, const Header& header) {
  const std::uint64_t expected = header.header_bytes + header.data_bytes;
  if (is_gzip(path)) {
    const std::uint32_t isize = gzip_isize(path);
    if (isize != static_cast<std::uint32_t>(expected))
      throw file_error(path, header.header_bytes,
                       "the gzip trailer says " + std::to_string(isize) +
                           " bytes uncompressed but the header declares " +
                           std::to_string(expected),
                       "the file is truncated or damaged: copy or download it again");
    return;
  }
  const std::uint64_t size = std::filesystem::file_size(path);
  if (size < expected)
    throw file_error(path, size,
                     "file ends early: the header declares " + std::to_string(expected) +
                         " bytes but the file has " + std::to_string(size),
                     "the file is truncated: copy or download it again");
  if (size > expected)
    throw file_error(
        path, expected,
        std::to_string(size - expected) + " unexpected bytes after the data the header declares",
        "the header's dimensions do not match the file");
}

}  // namespace

std::vector<std::uint32_t> read_idx_dims(const std::filesystem::path& path) {
  GzFile file = open_for_reading(path);
  return read_header(file.get(), path).dims;
}

IdxArray read_idx(const std::filesystem::path& path) {
  GzFile file = open_for_reading(path);
  Header header = read_header(file.get(), path);
  check_length_before_allocating(path, header);

  IdxArray array;
  array.dims = std::move(header.dims);
  array.data.resize(header.data_bytes);
  const auto got =
      read_bytes(file.get(), path, header.header_bytes, array.data.data(), header.data_bytes);
  if (got < header.data_bytes)
    throw file_error(path, header.header_bytes + got,
                     "data ends early: the header declares " +
                         std::to_string(header.header_bytes + header.data_bytes) + " bytes",
                     "the file is truncated: copy or download it again");
  unsigned char extra;
  if (read_bytes(file.get(), path, header.header_bytes + got, &extra, 1) != 0)
    throw file_error(path, header.header_bytes + got,
                     "unexpected bytes after the data the header declares",
                     "the header's dimensions do not match the file");
  return array;
}

void write_idx(const std::filesystem::path& path, const IdxArray& array, bool gzip) {
  std::vector<unsigned char> header = {0, 0, unsigned_byte_type,
                                       static_cast<unsigned char>(array.dims.size())};
  std::uint64_t count = 1;
  for (std::uint32_t dim : array.dims) {
    count *= dim;
    for (int shift = 24; shift >= 0; shift -= 8)
      header.push_back(static_cast<unsigned char>(dim >> shift));
  }
  if (array.dims.empty() || array.dims.size() > max_dims || count != array.data.size())
    throw Error("write_idx: dimensions do not match the data size");

  GzFile file(gzopen(path.c_str(), gzip ? "wb9" : "wbT"));
  if (!file) throw file_error(path, "cannot open for writing", "check the folder exists");
  const auto write = [&](const unsigned char* bytes, std::uint64_t size) {
    while (size > 0) {
      const auto chunk = static_cast<unsigned>(std::min<std::uint64_t>(size, 1u << 30));
      if (gzwrite(file.get(), bytes, chunk) != static_cast<int>(chunk))
        throw file_error(path, "write failed", "check free disk space");
      bytes += chunk;
      size -= chunk;
    }
  };
  write(header.data(), header.size());
  write(array.data.data(), array.data.size());
  if (gzclose(file.release()) != Z_OK)
    throw file_error(path, "write failed", "check free disk space");
}

}  // namespace digitnet
