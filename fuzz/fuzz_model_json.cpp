// Fuzzes the network2.py JSON model reader.
#include <cstdint>
#include <string>

#include "digitnet/core/error.hpp"
#include "digitnet/files/network2_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    digitnet::parse_network2_json(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const digitnet::Error&) {
  }
  return 0;
}
