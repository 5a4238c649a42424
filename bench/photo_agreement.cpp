// How often a model reads a digit drawn as a photo-like picture the same as the MNIST original:
// each of the first N test images is enlarged 6-9x (bilinear), drawn as dark ink on grey-white
// paper at a random place of a 300 x 300 picture with noise, saved as PNG, read back and
// preprocessed exactly as `digitnet predict IMAGE` does, and classified.
//   ./build/release/bench/photo_agreement --model MODEL [--count 1000] [--keep DIR]
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "digitnet/data/dataset.hpp"
#include "digitnet/inference/evaluation.hpp"
#include "digitnet/files/model_file.hpp"
#include "digitnet/pictures/preprocess.hpp"
#include "digitnet/core/random.hpp"

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#endif
#include <stb/stb_image_resize.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace {

digitnet::Picture photo_of(std::span<const std::uint8_t> digit, digitnet::Rng& rng) {
  constexpr std::size_t side = 300;
  const auto size = static_cast<std::size_t>(28 * (6 + 3 * rng.uniform()));  // 168-252 pixels
  std::vector<std::uint8_t> big(size * size);
  stbir_resize_uint8_generic(digit.data(), 28, 28, 28, big.data(), static_cast<int>(size),
                             static_cast<int>(size), static_cast<int>(size), 1,
                             STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_ZERO, STBIR_FILTER_TRIANGLE,
                             STBIR_COLORSPACE_LINEAR, nullptr);
  const auto x0 = static_cast<std::size_t>(rng.below(side - size + 1));
  const auto y0 = static_cast<std::size_t>(rng.below(side - size + 1));
  const double paper = 200 + 45 * rng.uniform();
  const double ink = 10 + 40 * rng.uniform();
  digitnet::Picture photo;
  photo.width = photo.height = side;
  photo.samples.resize(side * side);
  for (std::size_t y = 0; y < side; ++y)
    for (std::size_t x = 0; x < side; ++x) {
      double v = paper;
      if (x >= x0 && y >= y0 && x < x0 + size && y < y0 + size)
        v = paper - (paper - ink) * big[(y - y0) * size + (x - x0)] / 255.0;
      v += 4 * rng.normal();  // sensor noise
      photo.samples[y * side + x] = static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
    }
  return photo;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model, data = "data/mnist", keep;
  std::size_t count = 1000;
  CLI::App app{"Photo-like pictures of MNIST test digits: agreement with the originals"};
  app.add_option("--model", model)->required();
  app.add_option("--data", data);
  app.add_option("--count", count);
  app.add_option("--keep", keep, "Also leave the first 20 pictures in this folder");
  CLI11_PARSE(app, argc, argv);

  const digitnet::Network net = digitnet::load_model(model);
  const digitnet::MnistSplit mnist = digitnet::load_mnist(data);
  count = std::min(count, mnist.test.size());
  const auto folder = std::filesystem::temp_directory_path() / "digitnet-photo-agreement";
  std::filesystem::create_directories(folder);
  digitnet::Rng rng(2026);
  std::size_t same = 0, original_correct = 0, photo_correct = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const auto image = mnist.test.image(i);
    const auto file = folder / ("digit-" + std::to_string(i) + ".png");
    digitnet::save_png(photo_of(image, rng), file);
    const digitnet::PreparedDigit seen = digitnet::prepare_digit(digitnet::load_grey_picture(file));
    const int original = digitnet::predict(net, image);
    const int photo = digitnet::predict(net, seen.pixels);
    same += original == photo;
    original_correct += original == mnist.test.labels[i];
    photo_correct += photo == mnist.test.labels[i];
    if (!keep.empty() && i < 20) std::filesystem::copy_file(file, std::filesystem::path(keep) / file.filename(),
                                                           std::filesystem::copy_options::overwrite_existing);
    std::filesystem::remove(file);
  }
  const double total = static_cast<double>(count);
  std::printf("model %s: %.2f%% on all 10,000 test images\n", model.c_str(),
              100.0 * static_cast<double>(digitnet::evaluate(net, mnist.test, 0)) / 10000.0);
  std::printf("%zu photo-like pictures: read the same as the original: %zu (%.2f%%)\n", count, same,
              100.0 * static_cast<double>(same) / total);
  std::printf("correct: originals %.2f%%, pictures %.2f%%\n",
              100.0 * static_cast<double>(original_correct) / total,
              100.0 * static_cast<double>(photo_correct) / total);
}
