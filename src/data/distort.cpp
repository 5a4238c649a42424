// Random affine and elastic distortions of images, sampled bilinearly.
#include "digitnet/data/distort.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <iterator>
#include <numbers>

#include "digitnet/core/option_range.hpp"
#include "digitnet/kernels/team.hpp"

namespace digitnet {
namespace {

// elastic_sigma's range when elastic_alpha > 0 (else distort_option_ranges' entry).
constexpr std::size_t sigma_index = 5;
constexpr OptionRange sigma_needed_range{
    "elastic_sigma", false, 0, 100, false, true, "pixels; Simard et al. use 4"};

// Uniform in [-limit, limit), from one draw.
double symmetric(Rng& rng, double limit) { return limit * (2.0 * rng.uniform() - 1.0); }

// The source map of one random affine distortion (see distort_image's contract): the forward
// map is p -> R S_h S (p - c) + c + t (R turns clockwise on screen for a positive angle, as y
// points down), so the source of q is S^-1 S_h^-1 R^-1 (q - c - t) + c.
Affine draw_affine(const DistortSettings& settings, std::size_t rows, std::size_t cols, Rng& rng) {
  const double angle = symmetric(rng, settings.rotation) * (std::numbers::pi / 180.0);
  const double scale_x = 1.0 + symmetric(rng, settings.scale);
  const double scale_y = 1.0 + symmetric(rng, settings.scale);
  const double shear = symmetric(rng, settings.shear);
  const double shift_x = symmetric(rng, settings.translation);
  const double shift_y = symmetric(rng, settings.translation);
  const double cos_angle = std::cos(angle);
  const double sin_angle = std::sin(angle);
  // R^-1 = [cos sin; -sin cos], S_h^-1 = [1 -shear; 0 1], S^-1 = diag(1/scale_x, 1/scale_y).
  Affine a;
  a.xx = (cos_angle + shear * sin_angle) / scale_x;
  a.xy = (sin_angle - shear * cos_angle) / scale_x;
  a.yx = -sin_angle / scale_y;
  a.yy = cos_angle / scale_y;
  const double centre_x = (static_cast<double>(cols) - 1.0) / 2.0;
  const double centre_y = (static_cast<double>(rows) - 1.0) / 2.0;
  const double from_x = centre_x + shift_x;
  const double from_y = centre_y + shift_y;
  a.x0 = centre_x - (a.xx * from_x + a.xy * from_y);
  a.y0 = centre_y - (a.yx * from_x + a.yy * from_y);
  return a;
}

// The input at source point (x, y), bilinearly, pixels outside the image 0, as a byte.
std::uint8_t sample(std::span<const std::uint8_t> image, std::size_t rows, std::size_t cols,
                    double x, double y) {
  const auto width = static_cast<double>(cols);
  const auto height = static_cast<double>(rows);
  // Beyond one pixel outside, all four neighbours are outside (and NaN fails here too); this
  // also keeps the conversions below in range.
  if (!(x > -1.0 && x < width && y > -1.0 && y < height)) return 0;
  const double floor_x = std::floor(x);
  const double floor_y = std::floor(y);
  const double fx = x - floor_x;
  const double fy = y - floor_y;
  const auto c0 = static_cast<std::ptrdiff_t>(floor_x);
  const auto r0 = static_cast<std::ptrdiff_t>(floor_y);
  const auto c_count = static_cast<std::ptrdiff_t>(cols);
  const auto r_count = static_cast<std::ptrdiff_t>(rows);
  auto pixel = [&](std::ptrdiff_t r, std::ptrdiff_t c) -> double {
    if (r < 0 || r >= r_count || c < 0 || c >= c_count) return 0.0;
    return image[static_cast<std::size_t>(r * c_count + c)];
  };
  const double top = pixel(r0, c0) * (1.0 - fx) + pixel(r0, c0 + 1) * fx;
  const double bottom = pixel(r0 + 1, c0) * (1.0 - fx) + pixel(r0 + 1, c0 + 1) * fx;
  const double value = top * (1.0 - fy) + bottom * fy;  // a weighted mean: >= 0
  return static_cast<std::uint8_t>(std::min(value + 0.5, 255.0));
}

// The normalised Gaussian's taps for offsets -ceil(3 sigma) .. ceil(3 sigma) into `kernel`.
void gaussian_kernel(double sigma, std::vector<double>& kernel) {
  const auto radius = static_cast<std::size_t>(std::ceil(3.0 * sigma));
  kernel.resize(2 * radius + 1);
  double sum = 0;
  for (std::size_t j = 0; j <= radius; ++j) {
    const auto offset = static_cast<double>(j);
    kernel[radius + j] = std::exp(-offset * offset / (2.0 * sigma * sigma));
    sum += j == 0 ? kernel[radius] : 2.0 * kernel[radius + j];
  }
  for (std::size_t j = 0; j <= radius; ++j) kernel[radius - j] = kernel[radius + j] /= sum;
}

// sum[c] = Σ_t taps[t] · base[t · stride + c] for c < cols, t from 0 up, each step one
// std::fma: the same bits whatever vectors the compiler picks (left to GCC's contraction, the
// sums had come out fused in some pixels and not in others). The loop over c, innermost,
// vectorises: kernels_bench DistortImages/1 took 59.7 ms with a serial sum per pixel, 36.3
// with this.
void weighted_row(const double* base, std::size_t stride, const double* taps, std::size_t count,
                  std::size_t cols, double* sum) {
  std::fill_n(sum, cols, 0.0);
  for (std::size_t t = 0; t < count; ++t) {
    const double* in = base + t * stride;
    for (std::size_t c = 0; c < cols; ++c) sum[c] = std::fma(taps[t], in[c], sum[c]);
  }
}

// smooth_field with the taps already in scratch.kernel (gaussian_kernel's), so that the two
// fields of an image compute them once.
void smooth_with_kernel(std::span<double> field, std::size_t rows, std::size_t cols,
                        double alpha, DistortScratch& scratch) {
  const std::size_t radius = scratch.kernel.size() / 2;
  const double* taps = scratch.kernel.data();
  // Along rows: each row copied between radius zeros, every tap applied.
  scratch.pass.resize(field.size());
  scratch.padded.assign(cols + 2 * radius, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    std::copy_n(field.data() + r * cols, cols, scratch.padded.data() + radius);
    weighted_row(scratch.padded.data(), 1, taps, 2 * radius + 1, cols,
                 scratch.pass.data() + r * cols);
  }
  // Along columns: the taps whose rows are inside the image (the others would add zeros).
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t first = r < radius ? 0 : r - radius;
    const std::size_t last = std::min(rows - 1, r + radius);
    double* out = field.data() + r * cols;
    weighted_row(scratch.pass.data() + first * cols, cols, taps + (first + radius - r),
                 last - first + 1, cols, out);
    for (std::size_t c = 0; c < cols; ++c) out[c] *= alpha;
  }
}

}  // namespace

void smooth_field(std::span<double> field, std::size_t rows, std::size_t cols, double sigma,
                  double alpha, DistortScratch& scratch) {
  assert(field.size() == rows * cols && sigma > 0);
  gaussian_kernel(sigma, scratch.kernel);
  smooth_with_kernel(field, rows, cols, alpha, scratch);
}

bool DistortSettings::any() const {
  return rotation != 0 || scale != 0 || shear != 0 || translation != 0 || elastic_alpha != 0;
}

std::span<const OptionRange> distort_option_ranges() {
  // In DistortSettings' order.
  static constexpr OptionRange ranges[] = {
      {"rotation", false, 0, 180, true, true, "degrees either way; 10 to 15 suit digits"},
      {"scale", false, 0, 1, true, false, "a fraction either way; 0.1 to 0.2 suit digits"},
      {"shear", false, 0, 1, true, true, "tan of the largest angle; 0.1 to 0.3 suit digits"},
      {"translation", false, 0, 1e6, true, true, "pixels either way, per axis"},
      {"elastic_alpha", false, 0, 1e6, true, true, "pixels; 0 for none, Simard et al. use 34"},
      {"elastic_sigma", false, 0, 100, true, true, "pixels; Simard et al. use 4"},
  };
  return ranges;
}

namespace {

// Every field's problem, in DistortSettings' order (none: empty).
std::vector<OptionProblem> settings_problems(const DistortSettings& settings) {
  const auto ranges = distort_option_ranges();
  const double values[] = {settings.rotation,    settings.scale,         settings.shear,
                           settings.translation, settings.elastic_alpha, settings.elastic_sigma};
  assert(ranges.size() == std::size(values) && ranges[sigma_index].option == "elastic_sigma");
  std::vector<OptionProblem> problems;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const bool sigma_needed = i == sigma_index && settings.elastic_alpha > 0;
    if (OptionProblem problem =
            check_option_value(values[i], sigma_needed ? sigma_needed_range : ranges[i]))
      problems.push_back(std::move(problem));
  }
  return problems;
}

}  // namespace

std::string distort_settings_problem(const DistortSettings& settings) {
  std::string text;
  for (const OptionProblem& problem : settings_problems(settings)) {
    if (!text.empty()) text += '\n';
    text += problem.message();
  }
  return text;
}

OptionProblem first_distort_problem(const DistortSettings& settings) {
  const std::vector<OptionProblem> problems = settings_problems(settings);
  return problems.empty() ? OptionProblem{} : problems.front();
}

void affine_image(std::span<const std::uint8_t> image, std::size_t rows, std::size_t cols,
                  const Affine& source, std::span<std::uint8_t> out) {
  assert(image.size() == rows * cols && out.size() == image.size());
  for (std::size_t r = 0; r < rows; ++r) {
    const auto y = static_cast<double>(r);
    for (std::size_t c = 0; c < cols; ++c) {
      const auto x = static_cast<double>(c);
      out[r * cols + c] = sample(image, rows, cols, source.xx * x + source.xy * y + source.x0,
                                 source.yx * x + source.yy * y + source.y0);
    }
  }
}

void distort_image(std::span<const std::uint8_t> image, std::size_t rows, std::size_t cols,
                   const DistortSettings& settings, Rng& rng, std::span<std::uint8_t> out,
                   DistortScratch& scratch) {
  assert(distort_settings_problem(settings).empty());
  assert(image.size() == rows * cols && out.size() == image.size());
  const Affine source = draw_affine(settings, rows, cols, rng);
  if (settings.elastic_alpha == 0) {
    affine_image(image, rows, cols, source, out);
    return;
  }
  const std::size_t size = rows * cols;
  scratch.field_x.resize(size);
  scratch.field_y.resize(size);
  for (double& d : scratch.field_x) d = 2.0 * rng.uniform() - 1.0;
  for (double& d : scratch.field_y) d = 2.0 * rng.uniform() - 1.0;
  gaussian_kernel(settings.elastic_sigma, scratch.kernel);
  smooth_with_kernel(scratch.field_x, rows, cols, settings.elastic_alpha, scratch);
  smooth_with_kernel(scratch.field_y, rows, cols, settings.elastic_alpha, scratch);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = r * cols + c;
      const double x = static_cast<double>(c) + scratch.field_x[i];
      const double y = static_cast<double>(r) + scratch.field_y[i];
      out[i] = sample(image, rows, cols, source.xx * x + source.xy * y + source.x0,
                      source.yx * x + source.yy * y + source.y0);
    }
  }
}

Dataset distort_dataset(const Dataset& data, const DistortSettings& settings, std::uint64_t seed,
                        int threads) {
  assert(distort_settings_problem(settings).empty());
  Dataset distorted;
  distorted.rows = data.rows;
  distorted.cols = data.cols;
  distorted.labels = data.labels;
  distorted.pixels.resize(data.pixels.size());
  const std::size_t size = data.image_size();
  run_team(threads, [&](const Team& team) {
    const auto [first, count] = team.of(static_cast<Eigen::Index>(data.size()));
    DistortScratch scratch;
    for (auto i = static_cast<std::size_t>(first); i < static_cast<std::size_t>(first + count);
         ++i) {
      Rng rng(seed, distort_first_stream + i);
      distort_image(data.image(i), data.rows, data.cols, settings, rng,
                    std::span<std::uint8_t>(distorted.pixels.data() + i * size, size), scratch);
    }
  });
  return distorted;
}

}  // namespace digitnet
