// Fuzzes the binary model reader.
#include <cstdint>
#include <vector>

#include "digitnet/core/error.hpp"
#include "digitnet/files/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> bytes(data, data + size);
  try {
    digitnet::parse_model(bytes, "fuzz");
  } catch (const digitnet::Error&) {
  }
  return 0;
}
