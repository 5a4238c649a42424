// Fuzzes the checkpoint reader through a file.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "digitnet/files/checkpoint.hpp"
#include "digitnet/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/digitnet-fuzz-checkpoint-" + std::to_string(getpid());
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    digitnet::load_checkpoint(path);
  } catch (const digitnet::Error&) {
  }
  return 0;
}
