// Tests of the random affine and elastic distortions: exact maps through affine_image, the
// elastic field's smoothing, the documented draws, the settings' checks, and a dataset that
// depends on the seed alone.
#include "digitnet/data/distort.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <numeric>
#include <utility>

#include "digitnet/data/augment.hpp"
#include "test_support.hpp"

namespace digitnet {
namespace {

constexpr std::size_t side = 28;

// A synthetic digit: a ring (an "0") about the centre, `thickness` pixels wide with edges
// shaded over one pixel, as MNIST's strokes are.
std::vector<std::uint8_t> ring(std::size_t rows, std::size_t cols, double radius,
                               double thickness) {
  std::vector<std::uint8_t> image(rows * cols);
  const double cy = (static_cast<double>(rows) - 1) / 2, cx = (static_cast<double>(cols) - 1) / 2;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      const double d = std::hypot(static_cast<double>(r) - cy, static_cast<double>(c) - cx);
      const double ink = std::clamp(thickness / 2 + 0.5 - std::abs(d - radius), 0.0, 1.0);
      image[r * cols + c] = static_cast<std::uint8_t>(std::lround(255 * ink));
    }
  return image;
}

std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::uint8_t> bytes(n);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng.below(256));
  return bytes;
}

long ink(std::span<const std::uint8_t> image) {
  return std::accumulate(image.begin(), image.end(), 0L);
}

int largest_difference(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  int largest = 0;
  for (std::size_t i = 0; i < a.size(); ++i) largest = std::max(largest, std::abs(a[i] - b[i]));
  return largest;
}

// Twelve rings of different sizes, labelled 0-9, 0, 1.
Dataset rings() {
  Dataset data;
  data.rows = side;
  data.cols = side;
  for (std::uint8_t i = 0; i < 12; ++i) {
    const auto image = ring(side, side, 5.0 + 0.5 * i, 2.0 + 0.25 * i);
    data.pixels.insert(data.pixels.end(), image.begin(), image.end());
    data.labels.push_back(i % 10);
  }
  return data;
}

// Strong settings: every kind of distortion at once (Ciresan et al.'s and Simard et al.'s).
DistortSettings all_kinds() {
  DistortSettings s;
  s.rotation = 15;
  s.scale = 0.15;
  s.shear = 0.2;
  s.translation = 2;
  s.elastic_alpha = 34;
  s.elastic_sigma = 4;
  return s;
}

TEST(DistortImage, AllZeroSettingsGiveTheImageBackExactly) {
  const auto image = random_bytes(side * side, 5);
  DistortSettings settings;
  EXPECT_FALSE(settings.any());
  settings.elastic_sigma = 4;  // no effect without elastic_alpha
  EXPECT_FALSE(settings.any());
  std::vector<std::uint8_t> out(image.size(), 7);
  DistortScratch scratch;
  Rng rng(1);
  distort_image(image, side, side, settings, rng, out, scratch);
  EXPECT_EQ(out, image);
}

TEST(AffineImage, IdentityGivesTheImageBackExactly) {
  const auto image = random_bytes(5 * 7, 6);
  std::vector<std::uint8_t> out(image.size());
  affine_image(image, 5, 7, Affine{}, out);
  EXPECT_EQ(out, image);
}

TEST(AffineImage, WholePixelShiftMovesBytesExactlyAndFillsZeros) {
  // 2 x 3: moved right by one pixel and down by one.
  const std::vector<std::uint8_t> image = {1, 2, 3, 4, 5, 6};
  std::vector<std::uint8_t> out(6, 99);
  affine_image(image, 2, 3, Affine{1, 0, -1, 0, 1, -1}, out);
  EXPECT_EQ(out, (std::vector<std::uint8_t>{0, 0, 0, 0, 1, 2}));
}

TEST(AffineImage, WholePixelShiftsMatchShiftImage) {
  const auto image = ring(side, side, 8, 3);
  std::vector<std::uint8_t> expected(image.size()), out(image.size());
  constexpr std::array<std::pair<int, int>, 4> shifts = {{{0, 2}, {-3, 0}, {4, -1}, {-2, -5}}};
  for (const auto& [dy, dx] : shifts) {
    shift_image(image, side, side, dy, dx, expected);
    affine_image(image, side, side, Affine{1, 0, double(-dx), 0, 1, double(-dy)}, out);
    EXPECT_EQ(out, expected) << "dy " << dy << ", dx " << dx;
  }
}

TEST(AffineImage, QuarterTurnIsExact) {
  // Clockwise on screen: output (r, c) = input (n - 1 - c, r); source x = y, y = n - 1 - x.
  constexpr std::size_t n = 6;
  const auto image = random_bytes(n * n, 7);
  std::vector<std::uint8_t> expected(n * n), out(n * n);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t c = 0; c < n; ++c) expected[r * n + c] = image[(n - 1 - c) * n + r];
  affine_image(image, n, n, Affine{0, 1, 0, -1, 0, double(n - 1)}, out);
  EXPECT_EQ(out, expected);
}

TEST(AffineImage, HalfPixelShiftInterpolatesAndRoundsHalvesUp) {
  // Source x + 0.5: the mean of each pixel and its right neighbour (0 past the edge).
  const std::vector<std::uint8_t> image = {0, 3, 1, 255};
  std::vector<std::uint8_t> out(4);
  affine_image(image, 1, 4, Affine{1, 0, 0.5, 0, 1, 0}, out);
  EXPECT_EQ(out, (std::vector<std::uint8_t>{2, 2, 128, 128}));  // 1.5, 2, 128, 127.5
}

TEST(AffineImage, FarAwaySourcesGiveBackground) {
  const auto image = random_bytes(4 * 4, 8);
  std::vector<std::uint8_t> out(16, 1);
  affine_image(image, 4, 4, Affine{1, 0, 1e300, 0, 1, 0}, out);
  EXPECT_EQ(ink(out), 0);
  affine_image(image, 4, 4, Affine{1, 0, -4, 0, 1, 0}, out);
  EXPECT_EQ(ink(out), 0);
}

TEST(DistortImage, TranslationDrawsItsShiftsFifthAndSixth) {
  // The draws: angle, scale x, scale y, shear, shift x, shift y. A positive shift moves right
  // (down), so the source is at minus the shift.
  DistortSettings settings;
  settings.translation = 3;
  const auto image = ring(side, side, 7, 3);
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    Rng draws(seed);
    for (int skip = 0; skip < 4; ++skip) draws.uniform();
    const double shift_x = 3 * (2 * draws.uniform() - 1);
    const double shift_y = 3 * (2 * draws.uniform() - 1);
    std::vector<std::uint8_t> expected(image.size()), out(image.size());
    affine_image(image, side, side, Affine{1, 0, -shift_x, 0, 1, -shift_y}, expected);
    Rng rng(seed);
    DistortScratch scratch;
    distort_image(image, side, side, settings, rng, out, scratch);
    // The implementation computes the offset about the centre, so it may round differently in
    // the last bit: a byte may then differ by 1 at most.
    EXPECT_LE(largest_difference(out, expected), 1) << "seed " << seed;
    EXPECT_NE(out, image);
  }
}

TEST(DistortImage, RotationScaleAndShearKeepTheImageCentreInPlace) {
  // A ring's ink is centred on the image's centre, and a linear map about the centre keeps it
  // there; about any other point the ring would move.
  DistortSettings settings = all_kinds();
  settings.translation = 0;
  settings.elastic_alpha = 0;
  const auto image = ring(side, side, 6, 3);
  DistortScratch scratch;
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    Rng rng(seed);
    std::vector<std::uint8_t> out(image.size());
    distort_image(image, side, side, settings, rng, out, scratch);
    double total = 0, sum_x = 0, sum_y = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      total += out[i];
      sum_x += out[i] * static_cast<double>(i % side);
      sum_y += out[i] * static_cast<double>(i / side);
    }
    ASSERT_GT(total, 0);
    EXPECT_NEAR(sum_x / total, 13.5, 0.25) << "seed " << seed;
    EXPECT_NEAR(sum_y / total, 13.5, 0.25) << "seed " << seed;
    EXPECT_NE(out, image);
  }
}

TEST(DistortImage, ElasticWithASmallAlphaKeepsTheInkAndChangesTheImage) {
  // Alpha 10 with sigma 4 moves pixels by about 0.4 pixels (root mean square); the ink then
  // changes by under 10% on these rings (Simard et al.'s alpha 34 changes it by up to 30%: the
  // field squeezes and stretches strokes).
  DistortSettings settings;
  settings.elastic_alpha = 10;
  settings.elastic_sigma = 4;
  ASSERT_EQ(distort_settings_problem(settings), "");
  const auto image = ring(side, side, 8, 3);
  const long original = ink(image);
  DistortScratch scratch;
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    Rng rng(seed);
    std::vector<std::uint8_t> out(image.size());
    distort_image(image, side, side, settings, rng, out, scratch);
    const long kept = ink(out);
    EXPECT_NEAR(static_cast<double>(kept), static_cast<double>(original), 0.15 * original)
        << "seed " << seed;
    const auto changed = std::inner_product(image.begin(), image.end(), out.begin(), 0L,
                                            std::plus<>(), std::not_equal_to<>());
    EXPECT_GE(changed, 20) << "seed " << seed;
  }
}

TEST(DistortImage, LargerAlphaMovesInkFurther) {
  const auto image = ring(side, side, 8, 3);
  auto moved = [&](double alpha) {
    DistortSettings settings;
    settings.elastic_alpha = alpha;
    settings.elastic_sigma = 4;
    long total = 0;
    DistortScratch scratch;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      Rng rng(seed);
      std::vector<std::uint8_t> out(image.size());
      distort_image(image, side, side, settings, rng, out, scratch);
      for (std::size_t i = 0; i < image.size(); ++i) total += std::abs(out[i] - image[i]);
    }
    return total;
  };
  const long small = moved(10), large = moved(60);
  EXPECT_GT(small, 0);
  EXPECT_GT(large, 2 * small);
}

TEST(DistortImage, SameRngStateGivesTheSameBytesWhateverTheScratchHeld) {
  const auto image = ring(side, side, 9, 4);
  std::vector<std::uint8_t> first(image.size()), second(image.size()), other(image.size());
  DistortScratch used;
  {  // leave the scratch sized and filled for other images and settings
    DistortSettings small = all_kinds();
    small.elastic_sigma = 1;
    std::vector<std::uint8_t> tiny(3 * 5), tiny_out(3 * 5);
    Rng rng(99);
    distort_image(tiny, 3, 5, small, rng, tiny_out, used);
  }
  Rng rng_a(3), rng_b(3), rng_c(4);
  DistortScratch fresh;
  distort_image(image, side, side, all_kinds(), rng_a, first, fresh);
  distort_image(image, side, side, all_kinds(), rng_b, second, used);
  distort_image(image, side, side, all_kinds(), rng_c, other, fresh);
  EXPECT_EQ(first, second);
  EXPECT_NE(first, other);
  EXPECT_EQ(rng_a.bits(), rng_b.bits());  // the same number of draws
}

// The Gaussian smooth_field documents, sigma 2: taps for |j| <= 6, summing to 1.
double tap(int j) {
  double sum = 0;
  for (int k = -6; k <= 6; ++k) sum += std::exp(-k * k / 8.0);
  return std::abs(j) > 6 ? 0.0 : std::exp(-j * j / 8.0) / sum;
}

TEST(SmoothField, AnImpulseBecomesTheScaledSeparableGaussian) {
  constexpr std::size_t rows = 29, cols = 31;  // the impulse at (14, 15), 6 taps from any edge
  std::vector<double> field(rows * cols, 0.0);
  field[14 * cols + 15] = 1.0;
  DistortScratch scratch;
  smooth_field(field, rows, cols, 2.0, 3.0, scratch);
  double largest = 0;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      const double expected = 3.0 * tap(static_cast<int>(r) - 14) * tap(static_cast<int>(c) - 15);
      largest = std::max(largest, std::abs(field[r * cols + c] - expected));
    }
  EXPECT_LT(largest, 1e-15);
  EXPECT_GT(field[14 * cols + 15], 0.1);  // 3 / (2 pi sigma^2) = 0.119
}

TEST(SmoothField, ZerosBeyondTheBorderThinAConstantFieldThere) {
  constexpr std::size_t rows = 20, cols = 24;
  std::vector<double> field(rows * cols, 1.0);
  DistortScratch scratch;
  // Any earlier use of the scratch, with another sigma and size, changes nothing.
  std::vector<double> other(5 * 3, 2.0);
  smooth_field(other, 5, 3, 4.5, 1.0, scratch);
  smooth_field(field, rows, cols, 2.0, 1.0, scratch);
  double half = 0;  // the taps that reach a border pixel from inside: offsets 0 .. 6
  for (int j = 0; j <= 6; ++j) half += tap(j);
  EXPECT_NEAR(field[10 * cols + 12], 1.0, 1e-14);  // all taps inside
  EXPECT_NEAR(field[10 * cols + 0], half, 1e-14);  // the left edge: one side's taps
  EXPECT_NEAR(field[0], half * half, 1e-14);       // a corner: a quarter of the taps
  EXPECT_NEAR(field[(rows - 1) * cols + cols - 1], half * half, 1e-14);
  EXPECT_NEAR(field[3 * cols + 12], half + tap(-1) + tap(-2) + tap(-3), 1e-14);  // 3 rows in
}

TEST(DistortSettingsProblem, AcceptsDefaultsAndUsualSettings) {
  EXPECT_EQ(distort_settings_problem({}), "");
  EXPECT_EQ(distort_settings_problem(all_kinds()), "");
  DistortSettings extremes;
  extremes.rotation = 180;
  extremes.shear = 1;
  extremes.scale = 0.99;
  EXPECT_EQ(distort_settings_problem(extremes), "");
}

TEST(DistortSettingsProblem, NamesTheFieldOfEachBadValue) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    double DistortSettings::*field;
    double value;
    const char* name;
  };
  const Case cases[] = {
      {&DistortSettings::rotation, -1, "rotation -1: "},
      {&DistortSettings::rotation, 181, "rotation 181: "},
      {&DistortSettings::rotation, nan, "rotation "},
      {&DistortSettings::scale, -0.1, "scale -0.1: "},
      {&DistortSettings::scale, 1, "scale 1: "},
      {&DistortSettings::shear, -0.5, "shear -0.5: "},
      {&DistortSettings::shear, 2, "shear 2: "},
      {&DistortSettings::translation, -2, "translation -2: "},
      {&DistortSettings::translation, inf, "translation "},
      {&DistortSettings::elastic_alpha, -34, "elastic_alpha -34: "},
      {&DistortSettings::elastic_sigma, -4, "elastic_sigma -4: "},
      {&DistortSettings::elastic_sigma, 101, "elastic_sigma 101: "},
  };
  for (const Case& c : cases) {
    DistortSettings settings;
    settings.*c.field = c.value;
    const std::string problem = distort_settings_problem(settings);
    EXPECT_EQ(problem.rfind(c.name, 0), 0u) << problem;
    EXPECT_EQ(problem.find('\n'), std::string::npos) << problem;
  }
}

TEST(DistortSettingsProblem, SigmaMustBePositiveOnlyWithAlpha) {
  DistortSettings settings;
  settings.elastic_alpha = 34;
  EXPECT_EQ(distort_settings_problem(settings),
            "elastic_sigma 0: give a number with 0 < value <= 100 (pixels; Simard et al. use 4)");
  settings.elastic_alpha = 0;
  EXPECT_EQ(distort_settings_problem(settings), "");
}

TEST(DistortSettingsProblem, GivesOneLinePerBadField) {
  DistortSettings settings;
  settings.rotation = 200;
  settings.scale = 1.5;
  EXPECT_EQ(distort_settings_problem(settings),
            "rotation 200: give a number with 0 <= value <= 180 (degrees either way; 10 to 15 "
            "suit digits)\n"
            "scale 1.5: give a number with 0 <= value < 1 (a fraction either way; 0.1 to 0.2 "
            "suit digits)");
}

TEST(DistortOptionRanges, NameEveryFieldInOrderAndReadText) {
  const auto ranges = distort_option_ranges();
  std::vector<std::string> names;
  for (const OptionRange& range : ranges) names.emplace_back(range.option);
  EXPECT_EQ(names, (std::vector<std::string>{"rotation", "scale", "shear", "translation",
                                             "elastic_alpha", "elastic_sigma"}));
  double value = 0;
  EXPECT_FALSE(parse_option_value("12.5", ranges[0], &value));
  EXPECT_EQ(value, 12.5);
  EXPECT_EQ(parse_option_value("1", ranges[1], &value).message(),
            "scale 1: give a number with 0 <= value < 1 (a fraction either way; 0.1 to 0.2 suit "
            "digits)");
}

TEST(DistortDataset, KeepsLabelsOrderAndSize) {
  const Dataset data = rings();
  const Dataset distorted = distort_dataset(data, all_kinds(), 1, 1);
  EXPECT_EQ(distorted.rows, data.rows);
  EXPECT_EQ(distorted.cols, data.cols);
  EXPECT_EQ(distorted.labels, data.labels);
  EXPECT_EQ(distorted.pixels.size(), data.pixels.size());
  EXPECT_NE(distorted.pixels, data.pixels);
}

TEST(DistortDataset, ImageIDrawsFromItsOwnStream) {
  const Dataset data = rings();
  const Dataset distorted = distort_dataset(data, all_kinds(), 42, 1);
  DistortScratch scratch;
  for (const std::size_t i : {0u, 5u, 11u}) {
    Rng rng(42, distort_first_stream + i);
    std::vector<std::uint8_t> out(data.image_size());
    distort_image(data.image(i), side, side, all_kinds(), rng, out, scratch);
    EXPECT_TRUE(std::ranges::equal(out, distorted.image(i))) << "image " << i;
  }
}

TEST(DistortDataset, DependsOnTheSeedAloneNotOnThreads) {
  const Dataset data = rings();
  const Dataset one = distort_dataset(data, all_kinds(), 7, 1);
  EXPECT_EQ(distort_dataset(data, all_kinds(), 7, 1).pixels, one.pixels);
  EXPECT_EQ(distort_dataset(data, all_kinds(), 7, 2).pixels, one.pixels);
  EXPECT_EQ(distort_dataset(data, all_kinds(), 7, 5).pixels, one.pixels);
  const Dataset other = distort_dataset(data, all_kinds(), 8, 2);
  for (std::size_t i = 0; i < data.size(); ++i)
    EXPECT_FALSE(std::ranges::equal(other.image(i), one.image(i))) << "image " << i;
}

TEST(DistortDataset, EmptyDatasetGivesEmpty) {
  Dataset data;
  data.rows = side;
  data.cols = side;
  const Dataset distorted = distort_dataset(data, all_kinds(), 1, 2);
  EXPECT_EQ(distorted.size(), 0u);
  EXPECT_EQ(distorted.rows, side);
}

}  // namespace
}  // namespace digitnet
