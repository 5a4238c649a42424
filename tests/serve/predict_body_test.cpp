// POST /api/predict's body: JSON pixels or a picture, anything else refused with its status.
#include "serve/predict_body.hpp"

#include <gtest/gtest.h>

#include <string>

#include "digitnet/pictures/image_file.hpp"

namespace digitnet::serve {
namespace {

std::string pixels_json(int count, const std::string& value = "0") {
  std::string s = R"({"pixels": [)";
  for (int i = 0; i < count; ++i) s += (i ? "," : "") + value;
  return s + "]}";
}

// The status and the message of what parse_predict_body throws, or {0, ""}.
std::pair<int, std::string> refusal(const std::string& type, const std::string& body) {
  try {
    parse_predict_body(type, body);
  } catch (const BadRequest& e) {
    return {e.status, e.what()};
  }
  return {0, ""};
}

std::string png_bytes(const Picture& p) {
  const auto bytes = encode_png(p);
  return std::string(bytes.begin(), bytes.end());
}

TEST(PredictBody, ReadsJsonPixelsRoundingToBytes) {
  std::string body = R"({"pixels": [255, 0.4, 127.6)";
  for (int i = 3; i < 784; ++i) body += ",1";
  body += "]}";
  const PredictBody b = parse_predict_body("application/json; charset=utf-8", body);
  EXPECT_FALSE(b.is_picture);
  EXPECT_EQ(b.pixels[0], 255);
  EXPECT_EQ(b.pixels[1], 0);
  EXPECT_EQ(b.pixels[2], 128);
  EXPECT_EQ(b.pixels[783], 1);
}

TEST(PredictBody, ReadsAPngAsAGreyPicture) {
  Picture p;
  p.width = 40;
  p.height = 30;
  p.samples.assign(40 * 30, 255);
  p.at(20, 15) = 0;
  const PredictBody b = parse_predict_body("image/png", png_bytes(p));
  ASSERT_TRUE(b.is_picture);
  EXPECT_EQ(b.picture.width, 40u);
  EXPECT_EQ(b.picture.height, 30u);
  EXPECT_EQ(b.picture.at(20, 15), 0);
  EXPECT_EQ(b.picture.at(0, 0), 255);
}

TEST(PredictBody, RefusesWhatIsNotExactlyThePixelsOrAPicture) {
  Picture p;
  p.width = p.height = 8;
  p.samples.assign(64, 200);
  const std::string png = png_bytes(p);
  const struct {
    std::string type, body;
    int status;
    std::string says;
  } cases[] = {
      {"text/plain", pixels_json(784), 415, "Content-Type text/plain: send image/png"},
      {"", pixels_json(784), 415, "Content-Type missing"},
      {"application/json", "", 400, "the body is empty"},
      {"application/json", "{\"pixels\": [1, 2", 400, "not valid JSON"},
      {"application/json", "[1, 2, 3]", 400, "an object with one key"},
      {"application/json", R"({"extra": 1})", 400, "an object with one key"},
      {"application/json", pixels_json(784).insert(pixels_json(784).size() - 1, R"(, "extra": 1)"), 400,
       "an object with one key"},
      {"application/json", pixels_json(783), 400, "784 numbers (28 x 28), not 783 values"},
      {"application/json", R"({"pixels": "abc"})", 400, "784 numbers (28 x 28), not \"abc\""},
      {"application/json", pixels_json(785), 400, "not more values"},
      {"application/json", pixels_json(784, "256"), 400, "\"pixels\"[0] is 256: give a number from 0"},
      {"application/json", pixels_json(784, "-1"), 400, "\"pixels\"[0] is -1"},
      {"application/json", pixels_json(784, "\"7\""), 400, "\"pixels\"[0] is \"7\""},
      {"application/json", pixels_json(784, "null"), 400, "\"pixels\"[0] is null"},
      {"image/jpeg", png, 400, "the body is not a JPEG file (Content-Type image/jpeg)"},
      {"image/png", "\x89PNG\r\n\x1a\n garbage after the magic", 400,
       "the body: byte 8: the PNG is cut short: this chunk claims"},
      {"image/png", png.substr(0, png.size() / 2), 400, "the body: cannot"},
  };
  for (const auto& c : cases) {
    const auto [status, message] = refusal(c.type, c.body);
    EXPECT_EQ(status, c.status) << c.type << " " << c.body.substr(0, 40);
    EXPECT_NE(message.find(c.says), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
  }
}

TEST(PredictBody, MediaTypeIgnoresCaseParametersAndSpaces) {
  EXPECT_EQ(media_type(" Application/JSON ; charset=UTF-8"), "application/json");
  EXPECT_EQ(media_type("image/png"), "image/png");
  EXPECT_EQ(media_type(""), "");
}

}  // namespace
}  // namespace digitnet::serve
