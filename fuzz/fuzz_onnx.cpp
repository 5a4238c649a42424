// Fuzzes the ONNX reader (protobuf parsing, then the graph walk and the tensors' checks).
#include <cstdint>
#include <span>

#include "digitnet/core/error.hpp"
#include "digitnet/files/onnx_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    digitnet::parse_onnx(std::span<const std::uint8_t>(data, size), "fuzz");
  } catch (const digitnet::Error&) {
  }
  return 0;
}
