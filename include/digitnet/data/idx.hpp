// The IDX file format of MNIST: a big-endian header, then raw unsigned bytes, row-major.
//
//   byte 0-1  zero
//   byte 2    element type (only 0x08, unsigned byte, is supported)
//   byte 3    number of dimensions d (1..4)
//   byte 4..  d big-endian uint32 dimension sizes, each >= 1
//   then      the product of the sizes in bytes
//
// Files may be raw or gzipped (detected from their content, not their name).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace digitnet {

struct IdxArray {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> data;  // row-major, product(dims) bytes
};

// The largest array read_idx accepts, so that a damaged header cannot make it allocate gigabytes.
inline constexpr std::uint64_t idx_max_bytes = std::uint64_t{1} << 30;

// Reads only the header. Throws digitnet::Error (with the byte offset) on a missing file, a bad
// magic number, an unsupported type, a zero or absurd dimension.
std::vector<std::uint32_t> read_idx_dims(const std::filesystem::path& path);

// Reads the whole file. Besides the header checks, the data length is checked against the header
// before anything is allocated (raw: the file size; gzip: the trailer's uncompressed size), and a
// short, overlong or corrupt file is refused with the byte offset where it goes wrong.
IdxArray read_idx(const std::filesystem::path& path);

// Writes `array` as an IDX file of unsigned bytes, gzipped when `gzip` is true.
void write_idx(const std::filesystem::path& path, const IdxArray& array, bool gzip);

}  // namespace digitnet
