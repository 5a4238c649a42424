// Tests of picture files and of the MNIST-style preprocessing of digit pictures.
#include "digitnet/pictures/preprocess.hpp"

#include <cmath>
#include <fstream>

#include "test_support.hpp"

namespace digitnet {
namespace {

Picture blank(std::size_t width, std::size_t height, std::uint8_t paper) {
  Picture p;
  p.width = width;
  p.height = height;
  p.samples.assign(width * height, paper);
  return p;
}

// A filled ellipse of `ink` centred at (cx, cy) with radii (rx, ry).
void ellipse(Picture& p, double cx, double cy, double rx, double ry, std::uint8_t ink) {
  for (std::size_t y = 0; y < p.height; ++y)
    for (std::size_t x = 0; x < p.width; ++x) {
      const double u = (static_cast<double>(x) + 0.5 - cx) / rx;
      const double v = (static_cast<double>(y) + 0.5 - cy) / ry;
      if (u * u + v * v <= 1) p.at(x, y) = ink;
    }
}

// The bounding box (width, height) of the nonzero pixels of a 28 x 28 image.
std::pair<std::size_t, std::size_t> ink_extent(const PreparedDigit& d) {
  std::size_t x0 = 28, y0 = 28, x1 = 0, y1 = 0;
  for (std::size_t y = 0; y < 28; ++y)
    for (std::size_t x = 0; x < 28; ++x)
      if (d.pixels[y * 28 + x] > 0) {
        x0 = std::min(x0, x);
        y0 = std::min(y0, y);
        x1 = std::max(x1, x);
        y1 = std::max(y1, y);
      }
  return {x1 - x0 + 1, y1 - y0 + 1};
}

TEST(Preprocess, DarkInkOffCentreIsInvertedCroppedScaledAndCentred) {
  // An "L" of dark ink on grey-white paper, far off centre in a 300 x 300 picture: 60 x 120,
  // its centre of mass low and left of its box's centre.
  Picture p = blank(300, 300, 235);
  for (std::size_t y = 140; y < 260; ++y)
    for (std::size_t x = 40; x < 100; ++x)
      if (x < 55 || y >= 245) p.at(x, y) = 20;
  const PreparedDigit d = prepare_digit(p);
  EXPECT_TRUE(d.inverted);
  EXPECT_EQ(d.box_x, 40u);
  EXPECT_EQ(d.box_y, 140u);
  EXPECT_EQ(d.box_height, 120u);
  // Aspect kept: 60 x 120 becomes 10 x 20 (±1 for anti-aliased edges).
  const auto [w, h] = ink_extent(d);
  EXPECT_LE(h, 21u);
  EXPECT_GE(h, 19u);
  EXPECT_NEAR(static_cast<double>(w), 10.0, 1.0);
  const auto [cx, cy] = centre_of_mass(d.pixels.data(), 28, 28);
  EXPECT_LE(std::abs(cx - 14.0), 0.5);
  EXPECT_LE(std::abs(cy - 14.0), 0.5);
  // So the box is not centred: it moved up and right of the middle.
  std::size_t top = 28, left = 28;
  for (std::size_t i = 0; i < 28 * 28; ++i)
    if (d.pixels[i] > 0) {
      top = std::min(top, i / 28);
      left = std::min(left, i % 28);
    }
  EXPECT_LT(top, 3u);
  EXPECT_GT(left, 10u);
  // Ink is bright, paper black, as in MNIST.
  EXPECT_EQ(d.pixels[0], 0);
  EXPECT_EQ(*std::max_element(d.pixels.begin(), d.pixels.end()), 255);
}

TEST(Preprocess, LightInkOnDarkPaperIsNotInverted) {
  Picture p = blank(50, 80, 10);
  ellipse(p, 30, 30, 8, 20, 250);
  const PreparedDigit d = prepare_digit(p);
  EXPECT_FALSE(d.inverted);
  const auto [w, h] = ink_extent(d);
  EXPECT_GE(h, 19u);
  EXPECT_LE(h, 21u);
  EXPECT_NEAR(static_cast<double>(w), 8.0, 1.0);
}

TEST(Preprocess, WideDigitsAreScaledByTheirWidth) {
  Picture p = blank(400, 100, 255);
  ellipse(p, 200, 50, 150, 20, 0);
  const auto [w, h] = ink_extent(prepare_digit(p));
  EXPECT_GE(w, 19u);
  EXPECT_LE(w, 21u);
  EXPECT_NEAR(static_cast<double>(h), 20.0 * 40 / 300, 1.0);
}

TEST(Preprocess, BlankAndUniformPicturesAreRefused) {
  EXPECT_ERROR_CONTAINS(prepare_digit(blank(30, 30, 255)), "no ink");
  Picture faint = blank(30, 30, 200);
  ellipse(faint, 15, 15, 5, 5, 190);  // contrast 10 of 255
  EXPECT_ERROR_CONTAINS(prepare_digit(faint), "no ink");
}

// A ring (a "0") of dark ink drawn over paper whose level is paper(x, y).
template <typename Paper>
Picture ring_on(Paper paper) {
  Picture p = blank(200, 200, 0);
  for (std::size_t y = 0; y < 200; ++y)
    for (std::size_t x = 0; x < 200; ++x) p.at(x, y) = paper(x, y);
  for (std::size_t y = 0; y < 200; ++y)
    for (std::size_t x = 0; x < 200; ++x) {
      const double u = (x + 0.5 - 100) / 40, v = (y + 0.5 - 95) / 60;
      const double r = u * u + v * v;
      if (r <= 1 && r >= 0.55) p.at(x, y) = static_cast<std::uint8_t>(p.at(x, y) / 8);
    }
  return p;
}

// Uneven light, ruled lines and the sheet's edge are paper, not ink: the digit is found where
// it is on flat paper.
TEST(Preprocess, LightingShadowsRuledLinesAndTheSheetsEdgeAreNotInk) {
  const PreparedDigit flat = prepare_digit(ring_on([](std::size_t, std::size_t) { return 220; }));
  EXPECT_EQ(flat.box_x, 60u);
  EXPECT_EQ(flat.box_width, 80u);
  const std::vector<std::pair<const char*, Picture>> pictures = {
      {"gradient", ring_on([](std::size_t x, std::size_t) { return static_cast<int>(240 - 0.7 * x); })},
      {"shadow", ring_on([](std::size_t x, std::size_t) {  // soft-edged, as shadows are
         return static_cast<int>(225 - 115 / (1 + std::exp((static_cast<double>(x) - 120) / 10)));
       })},
      {"ruled", ring_on([](std::size_t, std::size_t y) { return y % 25 < 2 ? 140 : 225; })},
      {"edge", ring_on([](std::size_t x, std::size_t) { return x < 20 ? 50 : 220; })},
  };
  for (const auto& [name, picture] : pictures) {
    const PreparedDigit d = prepare_digit(picture);
    EXPECT_TRUE(d.inverted) << name;
    EXPECT_NEAR(static_cast<double>(d.box_x), 60, 3) << name;
    EXPECT_NEAR(static_cast<double>(d.box_width), 80, 6) << name;
    EXPECT_NEAR(static_cast<double>(d.box_y), 35, 3) << name;
    EXPECT_NEAR(static_cast<double>(d.box_height), 120, 6) << name;
    EXPECT_EQ(d.blobs, 1u) << name;
  }
}

class PictureFileTest : public testing::TempDirTest {};

TEST_F(PictureFileTest, PngRoundTripsAndColourBecomesGrey) {
  Picture rgb;
  rgb.width = 3;
  rgb.height = 2;
  rgb.channels = 3;
  rgb.samples = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128, 128, 128};
  save_png(rgb, path("c.png"));
  const Picture grey = load_grey_picture(path("c.png"));
  ASSERT_EQ(grey.width, 3u);
  ASSERT_EQ(grey.height, 2u);
  EXPECT_EQ(grey.channels, 1);
  // stb's luma: (77 r + 150 g + 29 b) >> 8.
  EXPECT_EQ(grey.at(0, 0), (77 * 255) >> 8);
  EXPECT_EQ(grey.at(1, 0), (150 * 255) >> 8);
  EXPECT_EQ(grey.at(2, 0), (29 * 255) >> 8);
  EXPECT_EQ(grey.at(0, 1), 255);
  EXPECT_EQ(grey.at(1, 1), 0);
  EXPECT_EQ(grey.at(2, 1), 128);
}

TEST_F(PictureFileTest, ADrawingOnATransparentCanvasIsReadByItsAlpha) {
  // White ink on a fully transparent canvas (as drawing widgets export it): painted on white
  // it would vanish; read by its alpha it is dark ink on white, whatever its colour.
  Picture canvas;
  canvas.width = 40;
  canvas.height = 40;
  canvas.channels = 4;
  canvas.samples.assign(40 * 40 * 4, 0);
  for (std::size_t y = 8; y < 32; ++y)
    for (std::size_t x = 18; x < 23; ++x) {
      std::uint8_t* p = &canvas.samples[(y * 40 + x) * 4];
      p[0] = p[1] = p[2] = 255;  // white
      p[3] = 255;                // opaque
    }
  save_png(canvas, path("canvas.png"));
  const Picture grey = load_grey_picture(path("canvas.png"));
  EXPECT_EQ(grey.at(20, 20), 0);    // the stroke: ink
  EXPECT_EQ(grey.at(2, 2), 255);    // the transparent canvas: paper
  const PreparedDigit d = prepare_digit(grey);
  EXPECT_TRUE(d.inverted);
  EXPECT_EQ(d.box_x, 18u);
  EXPECT_EQ(d.box_width, 5u);
  // An opaque picture with alpha is read by its colours as before.
  for (std::size_t i = 0; i < 40 * 40; ++i) canvas.samples[i * 4 + 3] = 255;
  save_png(canvas, path("opaque.png"));
  EXPECT_EQ(load_grey_picture(path("opaque.png")).at(2, 2), 0);  // black paper, white ink
}

TEST_F(PictureFileTest, PgmIsRead) {
  std::ofstream(path("d.pgm"), std::ios::binary) << "P5\n2 2\n255\n" << std::string("\x00\x40\x80\xff", 4);
  const Picture p = load_grey_picture(path("d.pgm"));
  EXPECT_EQ(p.at(0, 0), 0);
  EXPECT_EQ(p.at(1, 0), 0x40);
  EXPECT_EQ(p.at(1, 1), 0xff);
}

TEST_F(PictureFileTest, BadPicturesAreRefusedWithTheirName) {
  EXPECT_ERROR_CONTAINS(load_grey_picture(path("missing.png")), "file not found");
  std::ofstream(path("text.png")) << "this is not a picture";
  EXPECT_ERROR_CONTAINS(load_grey_picture(path("text.png")), "text.png: cannot read the picture");
  // A header claiming 10,000 x 10,000 pixels is refused before anything is decoded.
  std::ofstream(path("huge.pgm"), std::ios::binary) << "P5\n10000 10000\n255\n" << std::string(16, 'x');
  EXPECT_ERROR_CONTAINS(load_grey_picture(path("huge.pgm")), "too large");
  // A truncated picture is refused, not read as garbage.
  Picture p = blank(64, 64, 200);
  ellipse(p, 32, 32, 10, 20, 0);
  save_png(p, path("ok.png"));
  std::ifstream in(path("ok.png"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(path("cut.png"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_ERROR_CONTAINS(load_grey_picture(path("cut.png")), "cut.png");
}

TEST(CountBlobs, CountsSeparateInkOfSimilarSizeOnly) {
  // Two 3 x 3 squares apart, a 1-pixel speck, and a diagonal touching one square (8-connected).
  const std::size_t w = 12, h = 5;
  std::vector<std::uint8_t> mask(w * h, 0);
  for (std::size_t y = 1; y < 4; ++y)
    for (std::size_t x = 1; x < 4; ++x) mask[y * w + x] = mask[y * w + x + 6] = 1;
  mask[4 * w + 11] = 1;  // speck: far smaller than the squares
  EXPECT_EQ(count_blobs(mask, w, h), 2u);
  mask[4 * w + 4] = 1;   // touches the first square at a corner: part of it
  EXPECT_EQ(count_blobs(mask, w, h), 2u);
  for (std::size_t y = 1; y < 4; ++y)
    for (std::size_t x = 7; x < 10; ++x) mask[y * w + x] = 0;
  EXPECT_EQ(count_blobs(mask, w, h), 1u);
}

}  // namespace
}  // namespace digitnet
