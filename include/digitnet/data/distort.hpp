// Random distortions of training images, drawn afresh each time they are asked for: an affine
// map (rotation, scaling, shearing, translation, as Ciresan et al. 2010 used on MNIST) and an
// elastic distortion (Simard, Steinkraus & Platt 2003), sampled in one pass. Where
// augment.hpp's shifts make a fixed, five times larger training set, these make a new variant
// of every image whenever called (e.g. once per epoch), from a seed, the same on every platform
// and for every number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "digitnet/core/option_range.hpp"
#include "digitnet/core/random.hpp"
#include "digitnet/data/dataset.hpp"

namespace digitnet {

// How strongly to distort; every field 0 (the default) leaves the images as they are. Each
// random quantity is drawn uniformly, independently per image.
struct DistortSettings {
  double rotation = 0;     // degrees: the angle uniform in [-rotation, rotation]
  double scale = 0;        // fraction: the width's and the height's factors each uniform in
                           // [1 - scale, 1 + scale], drawn independently (per axis)
  double shear = 0;        // horizontal shear x += k * y (y from the centre, downwards), k
                           // uniform in [-shear, shear]: the tangent of the shear angle
  double translation = 0;  // pixels: the shift uniform in [-translation, translation], per axis
  // Elastic distortion: one random displacement per pixel and axis, uniform in [-1, 1],
  // smoothed by a Gaussian of standard deviation elastic_sigma (pixels; the kernel sums to 1)
  // and multiplied by elastic_alpha (pixels). 0 = none. Simard et al. use sigma 4 and alpha
  // 34 on MNIST, which moves pixels by about 1.4 pixels (the root mean square per axis).
  double elastic_alpha = 0;
  double elastic_sigma = 0;

  // Whether any distortion is asked for.
  bool any() const;
};

// Why `settings` cannot be used, one line per bad field, each naming the field as
// option_problem.hpp's messages do ("rotation 200: give a number with 0 <= value <= 180 (...)"),
// or "" when they can. Checked: every field finite and >= 0; rotation <= 180; scale < 1 (a
// factor must stay positive); shear <= 1 (45 degrees); translation and elastic_alpha <= 1e6;
// elastic_sigma <= 100, and > 0 when elastic_alpha > 0.
std::string distort_settings_problem(const DistortSettings& settings);
// The first of those problems, or none: what train_options_problem reports.
OptionProblem first_distort_problem(const DistortSettings& settings);
// The fields' ranges that distort_settings_problem checks, by field name (a front end reads text
// with parse_option_value against them); elastic_sigma's > 0 with elastic_alpha is apart.
std::span<const OptionRange> distort_option_ranges();

// An affine map from an output pixel to the point of the input it samples ("source map"), in
// pixel coordinates: x is the column, y the row, pixel (r, c) has its centre at (x, y) = (c, r).
// Output pixel (x, y) takes the input at (xx * x + xy * y + x0, yx * x + yy * y + y0). The
// identity is {1, 0, 0, 0, 1, 0}; {1, 0, -2, 0, 1, 0} moves the image 2 pixels right.
struct Affine {
  double xx = 1, xy = 0, x0 = 0;
  double yx = 0, yy = 1, y0 = 0;
};

// `image` (rows x cols bytes, row-major, 0 = background) mapped by `source` into `out` (the
// same size): each output pixel is the input interpolated bilinearly at its source point, the
// pixels outside the image counting as 0, rounded to the nearest byte (halves up). A source
// point on a pixel centre gives that pixel's byte exactly, so whole-pixel shifts and quarter
// turns given exactly here are exact.
void affine_image(std::span<const std::uint8_t> image, std::size_t rows, std::size_t cols,
                  const Affine& source, std::span<std::uint8_t> out);

// Buffers distort_image works in (the elastic fields and the smoothing kernel), sized on first
// use and then reused: a loop that keeps one per thread allocates nothing per image. Holds no
// state between calls that changes a result.
struct DistortScratch {
  std::vector<double> field_x, field_y;  // rows x cols displacements (pixels), row-major
  std::vector<double> pass;              // rows x cols, the field between the two 1-D passes
  std::vector<double> padded;            // one row with radius zeros on each side
  std::vector<double> kernel;            // Gaussian taps, offsets -radius .. radius, summing to 1
};

// The elastic distortion's smoothing, in place: `field` (rows x cols, row-major) convolved
// with a Gaussian of standard deviation `sigma` pixels (taps exp(-j^2 / 2 sigma^2) for
// |j| <= ceil(3 sigma), normalised to sum to 1), along rows and then along columns, the
// values beyond the border 0, then multiplied by `alpha`. Each output sums its taps from the
// most negative offset up, each step one fused multiply-add. Requires sigma > 0 and
// field.size() == rows * cols.
void smooth_field(std::span<double> field, std::size_t rows, std::size_t cols, double sigma,
                  double alpha, DistortScratch& scratch);

// One random distortion of `image` (rows x cols bytes, row-major) into `out` (the same size).
// Output pixel p samples the input, as affine_image does, at A(p + alpha * field(p)): the
// elastic displacement first, in the output's coordinates, then A, the source map of
//   translation after rotation after shear after scaling, about the image's centre
// ((cols - 1) / 2, (rows - 1) / 2). So the image is moved by the affine map and then distorted
// elastically, in a single interpolation.
// Draws from `rng`, in this order, whatever the settings (so that changing one field leaves
// the others' draws alone): the angle, the x and y scale factors, the shear, the x and y
// shifts, each from one uniform(); then, only when elastic_alpha > 0, the x field and then the
// y field, row-major, one uniform() per pixel. The fields are smoothed with zero padding (the
// displacement fades towards the border; scipy's gaussian_filter with mode "constant", which
// the common Python implementation of Simard's method uses), over taps |j| <= ceil(3 sigma).
// All arithmetic in double; the same rng state gives the same bytes.
// Requires: distort_settings_problem(settings) empty, image.size() == out.size() == rows * cols.
void distort_image(std::span<const std::uint8_t> image, std::size_t rows, std::size_t cols,
                   const DistortSettings& settings, Rng& rng, std::span<std::uint8_t> out,
                   DistortScratch& scratch);

// The Rng streams distort_dataset uses: image i draws from Rng(seed, distort_first_stream + i),
// far above the small streams the trainer takes from its seed (initialisation 0, shuffling 1,
// dropout 2), so that the training seed may be passed here too.
inline constexpr std::uint64_t distort_first_stream = std::uint64_t{1} << 32;

// A distorted copy of every image of `data` (distort_image), labels and order kept, image i
// drawn from its own Rng(seed, distort_first_stream + i): the result depends on the seed and
// the image's index only, not on `threads`. For new distortions each epoch, pass a different
// seed each epoch. Computed on `threads` threads, each a contiguous band of the images
// (run_team; threads <= 1: the caller's thread alone).
// Requires: distort_settings_problem(settings) empty.
Dataset distort_dataset(const Dataset& data, const DistortSettings& settings, std::uint64_t seed,
                        int threads);

}  // namespace digitnet
