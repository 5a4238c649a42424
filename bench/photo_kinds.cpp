// How a model reads MNIST test digits drawn as the pictures people actually make: photos in
// uneven light, on ruled or coloured paper, with the sheet's edge in view, as JPEG, rotated,
// with thick or thin strokes, drawings exported from a transparent canvas, chalk on a board.
// Each kind renders the first N test digits (seeded), saves each as a file, reads it back
// through `digitnet predict`'s path (load_grey_picture, prepare_digit) and counts how often the
// answer equals the model's answer on the original 28 x 28 image.
//   ./build/release/bench/photo_kinds --model MODEL [--count 300] [--keep DIR]
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>

#include "digitnet/core/random.hpp"
#include "digitnet/data/dataset.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/inference/evaluation.hpp"
#include "digitnet/pictures/preprocess.hpp"

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <stb/stb_image_resize.h>
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace {

constexpr std::size_t side = 300;

// The digit enlarged to `size` pixels (0 paper .. 1 ink), optionally rotated by `degrees`
// about its centre and its strokes made thicker (> 0) or thinner (< 0) by `stroke` pixels.
std::vector<double> enlarged(std::span<const std::uint8_t> digit, std::size_t size, double degrees,
                             int stroke) {
  std::vector<std::uint8_t> big(size * size);
  stbir_resize_uint8_generic(digit.data(), 28, 28, 28, big.data(), static_cast<int>(size),
                             static_cast<int>(size), static_cast<int>(size), 1,
                             STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_ZERO, STBIR_FILTER_TRIANGLE,
                             STBIR_COLORSPACE_LINEAR, nullptr);
  std::vector<double> ink(size * size);
  const double c = static_cast<double>(size) / 2, r = degrees * M_PI / 180;
  for (std::size_t y = 0; y < size; ++y)
    for (std::size_t x = 0; x < size; ++x) {
      // Nearest sample of the rotated source.
      const double dx = static_cast<double>(x) - c, dy = static_cast<double>(y) - c;
      const long sx = std::lround(c + dx * std::cos(r) + dy * std::sin(r));
      const long sy = std::lround(c - dx * std::sin(r) + dy * std::cos(r));
      if (sx >= 0 && sy >= 0 && sx < static_cast<long>(size) && sy < static_cast<long>(size))
        ink[y * size + x] = big[static_cast<std::size_t>(sy) * size + static_cast<std::size_t>(sx)] / 255.0;
    }
  for (int pass = 0; pass < std::abs(stroke); ++pass) {  // grey-level dilation or erosion
    std::vector<double> next = ink;
    for (std::size_t y = 1; y + 1 < size; ++y)
      for (std::size_t x = 1; x + 1 < size; ++x) {
        double v = ink[y * size + x];
        for (std::size_t n : {y * size + x - 1, y * size + x + 1, (y - 1) * size + x, (y + 1) * size + x})
          v = stroke > 0 ? std::max(v, ink[n]) : std::min(v, ink[n]);
        next[y * size + x] = v;
      }
    ink = std::move(next);
  }
  return ink;
}

struct Scene {
  std::vector<double> ink;  // side x side, 0..1
};

Scene place(std::span<const std::uint8_t> digit, digitnet::Rng& rng, double degrees = 0,
            int stroke = 0) {
  const auto size = static_cast<std::size_t>(28 * (5 + 3 * rng.uniform()));  // 140-224 pixels
  const std::vector<double> big = enlarged(digit, size, degrees, stroke);
  const std::size_t margin = 20;
  const auto x0 = margin + static_cast<std::size_t>(rng.below(side - size - 2 * margin + 1));
  const auto y0 = margin + static_cast<std::size_t>(rng.below(side - size - 2 * margin + 1));
  Scene s;
  s.ink.assign(side * side, 0);
  for (std::size_t y = 0; y < size; ++y)
    for (std::size_t x = 0; x < size; ++x) s.ink[(y0 + y) * side + x0 + x] = big[y * size + x];
  return s;
}

std::uint8_t byte(double v) { return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }

// A grey photo: paper(x, y) with ink of level `ink_level` over it, plus sensor noise.
digitnet::Picture grey_photo(const Scene& s, digitnet::Rng& rng,
                             const std::function<double(std::size_t, std::size_t)>& paper,
                             double ink_level) {
  digitnet::Picture p;
  p.width = p.height = side;
  p.samples.resize(side * side);
  for (std::size_t y = 0; y < side; ++y)
    for (std::size_t x = 0; x < side; ++x) {
      const double light = paper(x, y), a = s.ink[y * side + x];
      p.samples[y * side + x] = byte(light - (light - ink_level * light / 230) * a + 4 * rng.normal());
    }
  return p;
}

using Render = std::function<std::string(std::span<const std::uint8_t>, digitnet::Rng&,
                                         const std::filesystem::path&)>;

void save(const digitnet::Picture& p, const std::filesystem::path& file) { digitnet::save_png(p, file); }

std::vector<std::pair<std::string, Render>> kinds() {
  const auto flat = [](double base) { return [base](std::size_t, std::size_t) { return base; }; };
  return {
      {"flat paper", [=](auto digit, auto& rng, const auto& file) {
         save(grey_photo(place(digit, rng), rng, flat(200 + 45 * rng.uniform()), 10 + 40 * rng.uniform()), file);
         return ".png"; }},
      {"lighting gradient", [](auto digit, auto& rng, const auto& file) {
         // One side in the light, the other in the dark: 240 down to 90 across the picture.
         const double angle = 2 * M_PI * rng.uniform();
         const double cx = std::cos(angle), cy = std::sin(angle);
         const auto paper = [=](std::size_t x, std::size_t y) {
           const double t = ((x - 150.0) * cx + (y - 150.0) * cy) / 212 / 2 + 0.5;
           return 240 - 150 * t;
         };
         save(grey_photo(place(digit, rng), rng, paper, 15), file);
         return ".png"; }},
      {"shadow", [](auto digit, auto& rng, const auto& file) {
         // A soft-edged shadow (a hand, a phone) over a third of the picture.
         const double edge = 100 + 100 * rng.uniform();
         const bool vertical = rng.uniform() < 0.5;
         const auto paper = [=](std::size_t x, std::size_t y) {
           const double d = (vertical ? static_cast<double>(x) : static_cast<double>(y)) - edge;
           return 225 - 110 / (1 + std::exp(d / 12));
         };
         save(grey_photo(place(digit, rng), rng, paper, 15), file);
         return ".png"; }},
      {"ruled paper", [](auto digit, auto& rng, const auto& file) {
         const double offset = 30 * rng.uniform();
         const auto paper = [=](std::size_t, std::size_t y) {
           const double phase = std::fmod(static_cast<double>(y) + offset, 30.0);
           return phase < 2 ? 150.0 : 228.0;  // a grey-blue line every 30 pixels
         };
         save(grey_photo(place(digit, rng), rng, paper, 20), file);
         return ".png"; }},
      {"sheet edge", [](auto digit, auto& rng, const auto& file) {
         // The desk shows beyond the sheet's edge on one side.
         const std::size_t width = 15 + static_cast<std::size_t>(rng.below(20));
         const int which = static_cast<int>(rng.below(4));
         const auto paper = [=](std::size_t x, std::size_t y) {
           const std::size_t d = which == 0 ? x : which == 1 ? side - 1 - x : which == 2 ? y : side - 1 - y;
           return d < width ? 60.0 : 220.0;
         };
         save(grey_photo(place(digit, rng), rng, paper, 15), file);
         return ".png"; }},
      {"colour paper", [](auto digit, auto& rng, const auto& file) {
         const Scene s = place(digit, rng);
         const double paper[3] = {240 - 60 * rng.uniform(), 230 - 40 * rng.uniform(), 120 + 100 * rng.uniform()};
         const double ink[3] = {20, 30, 110 * rng.uniform()};  // dark blue or black
         digitnet::Picture p;
         p.width = p.height = side;
         p.channels = 3;
         p.samples.resize(side * side * 3);
         for (std::size_t i = 0; i < side * side; ++i)
           for (int c = 0; c < 3; ++c)
             p.samples[i * 3 + c] = byte(paper[c] - (paper[c] - ink[c]) * s.ink[i] + 4 * rng.normal());
         save(p, file);
         return ".png"; }},
      {"JPEG, quality 50", [](auto digit, auto& rng, const auto& file) {
         const digitnet::Picture p = grey_photo(place(digit, rng), rng, [](std::size_t, std::size_t) { return 215.0; }, 25);
         stbi_write_jpg(file.c_str(), side, side, 1, p.samples.data(), 50);
         return ".jpg"; }},
      {"rotated 10-20 degrees", [](auto digit, auto& rng, const auto& file) {
         const double degrees = (rng.uniform() < 0.5 ? -1 : 1) * (10 + 10 * rng.uniform());
         save(grey_photo(place(digit, rng, degrees), rng, [](std::size_t, std::size_t) { return 220.0; }, 15), file);
         return ".png"; }},
      {"thick strokes", [](auto digit, auto& rng, const auto& file) {
         save(grey_photo(place(digit, rng, 0, 6), rng, [](std::size_t, std::size_t) { return 220.0; }, 15), file);
         return ".png"; }},
      {"thin strokes", [](auto digit, auto& rng, const auto& file) {
         save(grey_photo(place(digit, rng, 0, -3), rng, [](std::size_t, std::size_t) { return 220.0; }, 15), file);
         return ".png"; }},
      {"transparent canvas", [](auto digit, auto& rng, const auto& file) {
         // White ink on nothing, as a drawing widget exports it.
         const Scene s = place(digit, rng);
         digitnet::Picture p;
         p.width = p.height = side;
         p.channels = 4;
         p.samples.assign(side * side * 4, 255);
         for (std::size_t i = 0; i < side * side; ++i) p.samples[i * 4 + 3] = byte(255 * s.ink[i]);
         save(p, file);
         return ".png"; }},
      {"chalk on a board", [](auto digit, auto& rng, const auto& file) {
         const Scene s = place(digit, rng);
         digitnet::Picture p;
         p.width = p.height = side;
         p.samples.resize(side * side);
         const double board = 40 + 30 * rng.uniform();
         for (std::size_t i = 0; i < side * side; ++i)
           p.samples[i] = byte(board + (220 - board) * s.ink[i] + 8 * rng.normal());
         save(p, file);
         return ".png"; }},
  };
}

}  // namespace

int main(int argc, char** argv) {
  std::string model, data = "data/mnist", keep;
  std::size_t count = 300;
  CLI::App app{"MNIST test digits as the pictures people make: agreement with the originals"};
  app.add_option("--model", model)->required();
  app.add_option("--data", data);
  app.add_option("--count", count, "Digits per kind");
  app.add_option("--keep", keep, "Also leave the first picture of each kind in this folder");
  CLI11_PARSE(app, argc, argv);

  const digitnet::Network net = digitnet::load_model(model);
  digitnet::MnistRequest request;
  request.training = false;
  const digitnet::Dataset test = digitnet::load_mnist(data, request).test;
  count = std::min(count, test.size());
  const auto folder = std::filesystem::temp_directory_path() / "digitnet-photo-kinds";
  std::filesystem::create_directories(folder);
  std::printf("| kind | read as the original | correct (original / picture) |\n| --- | --- | --- |\n");
  int k = 0;
  for (const auto& [name, render] : kinds()) {
    digitnet::Rng rng(2026, static_cast<std::uint64_t>(++k));
    std::size_t same = 0, original_correct = 0, picture_correct = 0, unreadable = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const auto image = test.image(i);
      const std::filesystem::path stem = folder / ("kind-" + std::to_string(k) + "-" + std::to_string(i));
      const std::filesystem::path file = stem.string() + render(image, rng, stem.string() + ".tmp");
      std::filesystem::rename(stem.string() + ".tmp", file);
      const int original = digitnet::predict(net, image);
      int read = -1;
      try {
        read = digitnet::predict(net, digitnet::prepare_digit(digitnet::load_grey_picture(file)).pixels);
      } catch (const digitnet::Error&) {
        ++unreadable;
      }
      same += read == original;
      original_correct += original == test.labels[i];
      picture_correct += read == test.labels[i];
      if (!keep.empty() && i == 0)
        std::filesystem::copy_file(file, std::filesystem::path(keep) / ("kind-" + std::to_string(k) + file.extension().string()),
                                   std::filesystem::copy_options::overwrite_existing);
      std::filesystem::remove(file);
    }
    const double n = static_cast<double>(count);
    std::printf("| %s | %.1f%%%s | %.1f%% / %.1f%% |\n", name.c_str(), 100.0 * static_cast<double>(same) / n,
                unreadable > 0 ? (" (" + std::to_string(unreadable) + " refused)").c_str() : "",
                100.0 * static_cast<double>(original_correct) / n,
                100.0 * static_cast<double>(picture_correct) / n);
    std::fflush(stdout);
  }
}
