// Fuzzes the IDX reader (raw and gzipped: it tells them apart by the content) through a file,
// as users give it files.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "digitnet/core/error.hpp"
#include "digitnet/data/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/digitnet-fuzz-idx-" + std::to_string(getpid());
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    digitnet::read_idx(path);
  } catch (const digitnet::Error&) {
  }
  return 0;
}
