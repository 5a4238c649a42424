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

// {"pixels": [784 numbers]} read by nlohmann's SAX interface, straight into the bytes: no
// document of 784 values built and freed per request (that was a fifth of the server's time).
// Anything else is refused at the first event that does not fit.
class PixelsReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::array<std::uint8_t, image_pixels> pixels{};
  std::string problem;  // why the body is refused, or ""
  std::size_t count = 0;

  // `text` makes the number's text for a message (only then: not once per pixel).
  template <typename Text>
  bool number(double value, Text&& text) {
    if (state_ != State::in_array) return shape("a number");
    if (count >= image_pixels) return wrong_count();
    if (!(value >= 0 && value <= 255))
      return refuse("\"pixels\"[" + std::to_string(count) + "] is " + std::string(text()).substr(0, 40) +
                    ": give a number from 0 (paper) to 255 (ink)");
    pixels[count++] = static_cast<std::uint8_t>(std::lround(value));
    return true;
  }
  bool null() override { return value("null"); }
  bool boolean(bool v) override { return value(v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override {
    return number(static_cast<double>(v), [v] { return std::to_string(v); });
  }
  bool number_unsigned(number_unsigned_t v) override {
    return number(static_cast<double>(v), [v] { return std::to_string(v); });
  }
  bool number_float(number_float_t v, const string_t& text) override {
    return number(v, [&text] { return text; });
  }
  bool string(string_t& v) override {
    std::string shown = "\"";
    shown.append(v, 0, 30);
    return value(shown += '"');
  }
  bool binary(binary_t&) override { return value("binary"); }
  bool start_object(std::size_t) override {
    if (state_ != State::start) return value("an object");
    state_ = State::in_object;
    return true;
  }
  bool key(string_t& k) override {
    if (state_ != State::in_object || k != "pixels")
      return refuse(std::string("the JSON must be an object with one key, \"pixels\"; ") + json_hint);
    state_ = State::key;
    return true;
  }
  bool end_object() override {
    if (state_ != State::after_array) return shape("an object without \"pixels\"");
    state_ = State::done;
    return true;
  }
  bool start_array(std::size_t) override {
    if (state_ != State::key) return value("an array");
    state_ = State::in_array;
    return true;
  }
  bool end_array() override {
    if (state_ != State::in_array) return shape("an array");
    if (count != image_pixels) return wrong_count();
    state_ = State::after_array;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    if (problem.empty()) problem = std::string("the body is not valid JSON; ") + json_hint;
    return false;
  }

 private:
  enum class State { start, in_object, key, in_array, after_array, done };
  State state_ = State::start;

  bool refuse(std::string why) {
    problem = std::move(why);
    return false;
  }
  // A value where none belongs: inside the array it is a bad pixel, elsewhere a bad shape.
  bool value(const std::string& what) {
    if (state_ == State::in_array)
      return refuse("\"pixels\"[" + std::to_string(count) + "] is " + what +
                    ": give a number from 0 (paper) to 255 (ink)");
    if (state_ == State::key)
      return refuse("\"pixels\" must be an array of 784 numbers (28 x 28), not " + what + "; " + json_hint);
    return shape(what);
  }
  bool shape(const std::string&) {
    return refuse(std::string("the JSON must be an object with one key, \"pixels\"; ") + json_hint);
  }
  bool wrong_count() {
    // Count the rest for the message, at most to the end of the array.
    return refuse("\"pixels\" must be an array of 784 numbers (28 x 28), not " +
                  (count >= image_pixels ? std::string("more") : std::to_string(count)) + " values; " + json_hint);
  }
};

std::array<std::uint8_t, image_pixels> parse_pixels(std::string_view body) {
  PixelsReader reader;
  const bool ok = nlohmann::json::sax_parse(body, &reader, nlohmann::json::input_format_t::json, true);
  if (!ok || !reader.problem.empty())
    throw BadRequest(400, reader.problem.empty() ? std::string("the body is not valid JSON; ") + json_hint
                                                 : reader.problem);
  return reader.pixels;
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
