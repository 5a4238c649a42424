// The body of POST /api/predict, read strictly: a picture file (PNG or JPEG, as its content
// type says) or JSON {"pixels": [784 numbers 0-255, 0 paper to 255 ink, row by row]}. Nothing
// here touches the network or the socket, so that the fuzzer (fuzz/predict_body_fuzz.cpp) can
// throw any bytes at it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "digitnet/core/error.hpp"
#include "digitnet/pictures/image_file.hpp"

namespace digitnet::serve {

inline constexpr std::size_t image_pixels = 28 * 28;

// A request that cannot be answered, with the HTTP status that says why (400, 415, ...).
class BadRequest : public Error {
 public:
  BadRequest(int status, const std::string& what) : Error(what), status(status) {}
  int status;
};

struct PredictBody {
  bool is_picture = false;
  Picture picture;                                // is_picture: grey (load_grey_picture's)
  std::array<std::uint8_t, image_pixels> pixels{};  // else: the 28 x 28 image as given
};

// `content_type` is the request's Content-Type header (parameters such as "; charset=utf-8"
// allowed). Throws BadRequest: 415 for another type, 400 for an empty body, JSON that is not
// exactly {"pixels": [...]} with 784 numbers from 0 to 255 (the message names the first bad
// one), or a picture that does not decode (decode_grey_picture's message).
PredictBody parse_predict_body(std::string_view content_type, std::string_view body);

// The media type of a Content-Type header: lower case, without parameters or spaces.
std::string media_type(std::string_view content_type);

}  // namespace digitnet::serve
