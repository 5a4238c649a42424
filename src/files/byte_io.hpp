// The binary files' plumbing, shared by the model file and the checkpoint: a writer that appends
// little-endian fields, a reader that knows each field's offset for its error messages, and the
// CRC-32 of any number of bytes. Private to the library (not installed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace digitnet {

// The whole file at `path`, read only once its size is checked: refused in one line naming it
// when it is not a regular file (`missing`, or "file not found" / "not a regular file" when that
// is empty, with `missing_hint`), when it is larger than `max_bytes` ("file too large to be
// `what` (N bytes)", with `large_hint`), or when it cannot be read. For every reader of whole
// files: models, checkpoints, ONNX.
struct WholeFile {
  std::string what;          // "a model"
  std::uint64_t max_bytes = 0;
  std::string missing;       // "" : says whether the file exists
  std::string missing_hint;
  std::string large_hint;
};
std::vector<std::uint8_t> read_whole_file(const std::filesystem::path& path, const WholeFile& rules);

// zlib's CRC-32 of `size` bytes, fed to zlib 1 GiB at a time (its length argument is 32 bits, so
// one call would silently checksum only part of a larger buffer).
std::uint32_t crc32_of(const std::uint8_t* bytes, std::size_t size);

// Appends fields to a growing buffer, in the host's byte order (little-endian: the formats'
// readers assert it).
class ByteWriter {
 public:
  void bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    out_.insert(out_.end(), p, p + size);
  }
  template <typename T>
  void value(T v) {
    bytes(&v, sizeof v);
  }
  // A u64 element count, then the elements.
  template <typename T>
  void array(const std::vector<T>& values) {
    value<std::uint64_t>(values.size());
    bytes(values.data(), values.size() * sizeof(T));
  }
  std::vector<std::uint8_t>& out() { return out_; }

 private:
  std::vector<std::uint8_t> out_;
};

// Reads fields in order from a file's bytes. Every error is a digitnet::Error naming the file and
// the byte offset (file_error): a field cut off by the end of the file ends with
// `truncated_hint`, the caller's own failures (fail) with `hint` unless they give another.
// The reader keeps references: `bytes` and `path` must outlive it.
class ByteReader {
 public:
  ByteReader(const std::vector<std::uint8_t>& bytes, const std::filesystem::path& path,
             std::string truncated_hint, std::string hint)
      : bytes_(bytes),
        path_(path),
        truncated_hint_(std::move(truncated_hint)),
        hint_(std::move(hint)) {}

  std::size_t offset() const { return offset_; }
  // The next `size` bytes into `out` (which may be null when size is 0, as an empty vector's
  // data() is).
  void read(void* out, std::size_t size, const char* field);
  template <typename T>
  T value(const char* field) {
    T v;
    read(&v, sizeof v, field);
    return v;
  }
  // A u64 element count, then the elements; the count is checked against the bytes left before
  // anything is allocated.
  template <typename T>
  std::vector<T> array(const char* field) {
    const std::size_t at = offset_;
    const auto count = value<std::uint64_t>(field);
    if (count > (bytes_.size() - offset_) / sizeof(T))
      fail(at, std::string("the ") + field + " length " + std::to_string(count) +
                   " runs past the end of the file");
    std::vector<T> values(count);
    read(values.data(), count * sizeof(T), field);
    return values;
  }
  [[noreturn]] void fail(std::size_t at, const std::string& what) const;
  [[noreturn]] void fail(std::size_t at, const std::string& what, const std::string& hint) const;

 private:
  const std::vector<std::uint8_t>& bytes_;
  const std::filesystem::path& path_;
  std::string truncated_hint_;
  std::string hint_;
  std::size_t offset_ = 0;
};

}  // namespace digitnet
