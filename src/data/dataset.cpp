// Loading MNIST-style datasets from IDX files, and the seeds' training/validation/test split.
#include "digitnet/data/dataset.hpp"

#include <algorithm>
#include <array>

#include "digitnet/core/error.hpp"
#include "digitnet/data/idx.hpp"

namespace digitnet {

Dataset load_dataset(const std::filesystem::path& images, const std::filesystem::path& labels) {
  // Headers first: a count mismatch is found before the large file is read.
  const auto image_dims = read_idx_dims(images);
  if (image_dims.size() != 3)
    throw file_error(images, 3,
                     "an images file has 3 dimensions (count, rows, cols), this one has " +
                         std::to_string(image_dims.size()),
                     "is this a labels file?");
  const auto label_dims = read_idx_dims(labels);
  if (label_dims.size() != 1)
    throw file_error(
        labels, 3,
        "a labels file has 1 dimension (count), this one has " + std::to_string(label_dims.size()),
        "is this an images file?");
  if (image_dims[0] != label_dims[0])
    throw file_error(labels, 4,
                     "holds " + std::to_string(label_dims[0]) + " labels but " +
                         images.filename().string() + " holds " + std::to_string(image_dims[0]) +
                         " images",
                     "the two files must belong together");

  Dataset data;
  data.rows = image_dims[1];
  data.cols = image_dims[2];
  data.labels = read_idx(labels).data;
  for (std::size_t i = 0; i < data.labels.size(); ++i)
    if (data.labels[i] >= digit_classes)
      throw file_error(labels, 8 + i,
                       "label " + std::to_string(data.labels[i]) + " is not a digit 0-9",
                       "expected MNIST digit labels");
  data.pixels = read_idx(images).data;
  return data;
}

MnistFiles find_mnist_files(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw file_error(dir, "data folder not found",
                     "it should hold MNIST's IDX files (train-images-idx3-ubyte.gz, ...)");
  const auto find = [&](const std::string& name) -> std::filesystem::path {
    for (const auto& candidate : {dir / (name + ".gz"), dir / name})
      if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
    return {};
  };
  MnistFiles files{find("train-images-idx3-ubyte"), find("train-labels-idx1-ubyte"),
                   find("t10k-images-idx3-ubyte"), find("t10k-labels-idx1-ubyte")};
  const auto check_pair = [&](const std::filesystem::path& images, const std::string& images_name,
                              const std::filesystem::path& labels, const std::string& labels_name) {
    if (images.empty() != labels.empty())
      throw file_error(dir / ((images.empty() ? images_name : labels_name) + ".gz"),
                       "file not found (nor without .gz), though " +
                           (images.empty() ? labels : images).filename().string() + " is there",
                       "a pair of images and labels files belongs together");
  };
  check_pair(files.train_images, "train-images-idx3-ubyte", files.train_labels,
             "train-labels-idx1-ubyte");
  check_pair(files.test_images, "t10k-images-idx3-ubyte", files.test_labels,
             "t10k-labels-idx1-ubyte");
  if (!files.has_training() && !files.has_test())
    throw file_error(dir / "train-images-idx3-ubyte.gz", "file not found (nor without .gz)",
                     "the data folder must hold MNIST's IDX files: a training pair "
                     "(train-images/labels) and/or a test pair (t10k-images/labels)");
  return files;
}

std::size_t default_validation_size(std::size_t training_images) {
  return training_images > 20000 ? 10000 : training_images / 6;
}

MnistSplit load_mnist(const std::filesystem::path& dir, const MnistRequest& request) {
  const MnistFiles files = find_mnist_files(dir);
  const auto missing = [&](const char* images, const char* what) {
    return file_error(dir / (std::string(images) + ".gz"), "file not found (nor without .gz)",
                      std::string("this needs the ") + what + " pair of MNIST's IDX files");
  };
  MnistSplit split;
  if (request.training) {
    if (!files.has_training()) throw missing("train-images-idx3-ubyte", "training");
    Dataset all_training = load_dataset(files.train_images, files.train_labels);
    const std::size_t validation_size =
        request.validation_size.value_or(default_validation_size(all_training.size()));
    if (validation_size >= all_training.size())
      throw file_error(files.train_images,
                       "holds " + std::to_string(all_training.size()) +
                           " images, too few to set aside " + std::to_string(validation_size) +
                           " for validation and train on the rest",
                       "set aside fewer (0 for none)");
    const std::size_t training_size = all_training.size() - validation_size;
    split.validation = slice(all_training, training_size, validation_size);
    all_training.pixels.resize(training_size * all_training.image_size());
    all_training.labels.resize(training_size);
    all_training.pixels.shrink_to_fit();
    all_training.labels.shrink_to_fit();
    split.training = std::move(all_training);
  }
  if (request.test) {
    if (!files.has_test()) throw missing("t10k-images-idx3-ubyte", "test");
    split.test = load_dataset(files.test_images, files.test_labels);
    if (request.training && (split.test.rows != split.training.rows ||
                             split.test.cols != split.training.cols))
      throw file_error(files.test_images,
                       "its images are " + std::to_string(split.test.rows) + " x " +
                           std::to_string(split.test.cols) + ", the training images " +
                           std::to_string(split.training.rows) + " x " +
                           std::to_string(split.training.cols),
                       "the two pairs must hold images of one size");
  }
  return split;
}

Dataset slice(const Dataset& data, std::size_t first, std::size_t count) {
  first = std::min(first, data.size());
  count = std::min(count, data.size() - first);
  Dataset part;
  part.rows = data.rows;
  part.cols = data.cols;
  const auto n = data.image_size();
  part.pixels.assign(data.pixels.begin() + static_cast<std::ptrdiff_t>(first * n),
                     data.pixels.begin() + static_cast<std::ptrdiff_t>((first + count) * n));
  part.labels.assign(data.labels.begin() + static_cast<std::ptrdiff_t>(first),
                     data.labels.begin() + static_cast<std::ptrdiff_t>(first + count));
  return part;
}

Dataset keep_digits(const Dataset& data, std::span<const int> digits) {
  std::array<bool, digit_classes> keep{};
  for (int digit : digits)
    if (digit >= 0 && digit < static_cast<int>(digit_classes))
      keep[static_cast<std::size_t>(digit)] = true;
  Dataset kept;
  kept.rows = data.rows;
  kept.cols = data.cols;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (!keep[data.labels[i]]) continue;
    const auto image = data.image(i);
    kept.pixels.insert(kept.pixels.end(), image.begin(), image.end());
    kept.labels.push_back(data.labels[i]);
  }
  return kept;
}

}  // namespace digitnet
