// The --data option and loading of the MNIST split for the commands.
#include <iostream>

#include "command.hpp"
#include "digitnet/error.hpp"
#include "digitnet/idx.hpp"

namespace digitnet::cli {
namespace {

[[noreturn]] void rethrow_with_flag(const Error& e, const std::string& data_dir) {
  throw Error(std::string(e.what()) + " (read from --data " + data_dir + ")");
}

}  // namespace

std::string default_data_dir() {
  // The bundled copy: from the repository root, or from anywhere in a build tree of it.
  if (std::filesystem::is_directory("data/mnist")) return "data/mnist";
  return DIGITNET_SOURCE_DATA_DIR;
}

void add_data_option(CLI::App& command, std::string& data_dir) {
  data_dir = default_data_dir();
  command.add_option("--data", data_dir, "Folder with the four MNIST IDX files (raw or .gz)")
      ->capture_default_str();
}

MnistSplit load_data(const std::string& data_dir) {
  try {
    return load_mnist(data_dir);
  } catch (const Error& e) {
    rethrow_with_flag(e, data_dir);
  }
}

std::size_t data_image_size(const std::string& data_dir) {
  try {
    const auto dims = read_idx_dims(find_mnist_files(data_dir).train_images);
    if (dims.size() != 3) return 0;  // load_data reports it properly
    return std::size_t{dims[1]} * dims[2];
  } catch (const Error& e) {
    rethrow_with_flag(e, data_dir);
  }
}

const Dataset& pick_split(const MnistSplit& split, const std::string& name) {
  if (name == "test") return split.test;
  if (name == "validation") return split.validation;
  return split.training;
}

}  // namespace digitnet::cli
