#include "serve/predict_body.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <span>

namespace digitnet::serve {

std::string media_type(std::string_view content_type) {
  const std::string_view type = content_type.substr(0, content_type.find(';'));
  std::string out;
  for (const char c : type)
    if (!std::isspace(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

namespace {

const char* const json_hint = R"(send {"pixels": [784 numbers from 0 (paper) to 255 (ink), row by row]})";

std::array<std::uint8_t, image_pixels> parse_pixels(std::string_view body) {
  // No exceptions from the parser for bad JSON (discarded instead), a depth it cannot exceed
  // (the body limit bounds it), and no duplicate keys read silently: "pixels" only.
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) throw BadRequest(400, std::string("the body is not valid JSON; ") + json_hint);
  if (!json.is_object() || json.size() != 1 || !json.contains("pixels"))
    throw BadRequest(400, std::string("the JSON must be an object with one key, \"pixels\"; ") + json_hint);
  const nlohmann::json& pixels = json["pixels"];
  if (!pixels.is_array() || pixels.size() != image_pixels)
    throw BadRequest(400, "\"pixels\" must be an array of 784 numbers (28 x 28), not " +
                              (pixels.is_array() ? std::to_string(pixels.size()) + " values"
                                                 : std::string(pixels.type_name())) +
                              "; " + json_hint);
  std::array<std::uint8_t, image_pixels> out{};
  for (std::size_t i = 0; i < image_pixels; ++i) {
    const nlohmann::json& v = pixels[i];
    const double value = v.is_number() ? v.get<double>() : -1;
    if (!v.is_number() || !(value >= 0 && value <= 255))
      throw BadRequest(400, "\"pixels\"[" + std::to_string(i) + "] is " + v.dump().substr(0, 40) +
                                ": give a number from 0 (paper) to 255 (ink)");
    out[i] = static_cast<std::uint8_t>(std::lround(value));
  }
  return out;
}

}  // namespace

PredictBody parse_predict_body(std::string_view content_type, std::string_view body) {
  const std::string type = media_type(content_type);
  const bool json = type == "application/json";
  const bool picture = type == "image/png" || type == "image/jpeg";
  if (!json && !picture)
    throw BadRequest(415, "Content-Type " + (type.empty() ? std::string("missing") : type.substr(0, 60)) +
                              ": send image/png, image/jpeg or application/json");
  if (body.empty()) throw BadRequest(400, "the body is empty; send a picture or JSON pixels");
  PredictBody out;
  if (json) {
    out.pixels = parse_pixels(body);
    return out;
  }
  // The type must be what the bytes are, so that a body is read as what it claims.
  const bool png = body.starts_with("\x89PNG\r\n\x1a\n");
  const bool jpeg = body.starts_with("\xff\xd8\xff");
  if ((type == "image/png" && !png) || (type == "image/jpeg" && !jpeg))
    throw BadRequest(400, "the body is not a " + std::string(type == "image/png" ? "PNG" : "JPEG") +
                              " file (Content-Type " + type + "); send the picture's own bytes "
                              "with its type");
  out.is_picture = true;
  try {
    out.picture = decode_grey_picture(
        std::span(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()), "the body");
  } catch (const Error& e) {
    throw BadRequest(400, e.what());
  }
  return out;
}

}  // namespace digitnet::serve
