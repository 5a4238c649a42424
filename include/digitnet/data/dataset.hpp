// A labelled set of grey images, stored compactly as bytes (0 = background, 255 = ink); they are
// scaled to [0, 1] floats only when a batch is formed (batch.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace digitnet {

inline constexpr std::size_t digit_classes = 10;

struct Dataset {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::uint8_t> pixels;  // image i is pixels[i*rows*cols, (i+1)*rows*cols), row-major
  std::vector<std::uint8_t> labels;  // digit 0-9 of image i

  std::size_t size() const { return labels.size(); }
  std::size_t image_size() const { return rows * cols; }
  std::span<const std::uint8_t> image(std::size_t i) const {
    return {pixels.data() + i * image_size(), image_size()};
  }
};

// Loads an images file (3-dimensional IDX: count, rows, cols) and a labels file (1-dimensional:
// count, each 0-9). Throws digitnet::Error on a count mismatch or a label outside 0-9.
Dataset load_dataset(const std::filesystem::path& images, const std::filesystem::path& labels);

// The seeds' split of MNIST: training = the first 50,000 training images, validation = the last
// 10,000, test = the 10,000 t10k images. Other datasets: see default_validation_size.
struct MnistSplit {
  Dataset training;
  Dataset validation;
  Dataset test;
};

// The files in `dir`, each found as NAME or NAME.gz (NAME as in the MNIST distribution, e.g.
// train-images-idx3-ubyte); a pair that is absent is left empty.
struct MnistFiles {
  std::filesystem::path train_images, train_labels, test_images, test_labels;
  bool has_training() const { return !train_images.empty() && !train_labels.empty(); }
  bool has_test() const { return !test_images.empty() && !test_labels.empty(); }
};
// Throws digitnet::Error when `dir` is no folder, or holds one file of a pair without the
// other, or neither pair.
MnistFiles find_mnist_files(const std::filesystem::path& dir);

// The validation images set aside from a training file of `training_images` images when none is
// asked for: the seeds' 10,000 once the file holds more than 20,000 (MNIST's 60,000 give the
// seeds' 50,000 / 10,000), else a sixth of it (MNIST's proportion, rounded down: 1,300 → 216),
// so that most images are always left to train on.
std::size_t default_validation_size(std::size_t training_images);

// What a command needs of a data folder.
struct MnistRequest {
  std::optional<std::size_t> validation_size;  // images set aside; nullopt: the default above
  bool training = true;  // the training pair (training and validation images)
  bool test = true;      // the test pair
};
// Loads what `request` asks for; a part not asked for may be absent from the folder and is then
// empty. Throws digitnet::Error naming the file when an asked-for pair is missing or damaged,
// when validation_size leaves no training image, or when the two pairs' images differ in size.
MnistSplit load_mnist(const std::filesystem::path& dir, const MnistRequest& request = {});

// Images [first, first+count) of `data`.
Dataset slice(const Dataset& data, std::size_t first, std::size_t count);
// Only the images whose label is one of `digits`, in their original order.
Dataset keep_digits(const Dataset& data, std::span<const int> digits);

}  // namespace digitnet
