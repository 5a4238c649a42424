// libFuzzer target: the body of POST /api/predict (src/serve/predict_body.hpp), as any client
// may send it. The first byte picks the Content-Type (JSON, PNG, JPEG, another); the rest is the
// body. Anything but a BadRequest escaping, a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "serve/predict_body.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view types[] = {"application/json", "image/png", "image/jpeg",
                                                "application/json; charset=utf-8", "text/plain"};
  const std::string_view type = types[data[0] % std::size(types)];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    const digitnet::serve::PredictBody parsed = digitnet::serve::parse_predict_body(type, body);
    if (parsed.is_picture && parsed.picture.samples.size() != parsed.picture.width * parsed.picture.height)
      __builtin_trap();
  } catch (const digitnet::serve::BadRequest&) {
  }
  return 0;
}
