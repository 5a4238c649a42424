// The --data option and loading of the MNIST split for the commands.
#include <algorithm>
#include <cctype>
#include <iostream>
#include <vector>

#include "command.hpp"
#include "number_option.hpp"
#include "digitnet/core/error.hpp"
#include "digitnet/data/idx.hpp"

namespace digitnet::cli {
namespace {

[[noreturn]] void rethrow_with_flag(const Error& e, const std::string& data_dir) {
  throw Error(std::string(e.what()) + " (read from --data " + data_dir + ")");
}

}  // namespace

namespace {

// Where the bundled MNIST may be, in order: the current folder's data/mnist (the repository
// root), the installed copy beside the program (<prefix>/bin/digitnet → <prefix>/share/digitnet/
// mnist), and the source tree's copy above a build folder (build/release/digitnet → data/mnist).
// No path is compiled in, so an installed or moved program finds its data the same way.
std::vector<std::filesystem::path> data_search_path() {
  std::vector<std::filesystem::path> places = {"data/mnist"};
  std::error_code ec;
  const std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return places;
  std::filesystem::path prefix = program.parent_path();
  for (const auto& part : std::filesystem::path(DIGITNET_BIN_INSTALL_DIR)) {
    (void)part;
    prefix = prefix.parent_path();
  }
  places.push_back(prefix / DIGITNET_DATA_INSTALL_DIR);
  std::filesystem::path folder = program.parent_path();
  for (int up = 0; up < 4 && folder.has_relative_path(); ++up, folder = folder.parent_path())
    places.push_back(folder / "data" / "mnist");
  return places;
}

std::string data_search_description() {
  std::string text;
  for (const auto& place : data_search_path())
    text += (text.empty() ? "" : ", ") + place.string();
  return text;
}

}  // namespace

std::string default_data_dir() {
  for (const auto& place : data_search_path())
    if (std::filesystem::is_directory(place)) return place.string();
  return "";
}

void add_data_option(CLI::App& command, DataArgs& data) {
  data.dir = default_data_dir();
  command.add_option("--data", data.dir, "Folder with MNIST's IDX files (raw or .gz): a training pair and/or a test pair")
      ->capture_default_str();
  add_number(command, "--validation-size", data.validation_size,
             train_option_range("validation_size"),
             "Validation images set aside from the end of the training file (default: the "
             "seeds' 10,000 above 20,000 images, else a sixth; 0 for none)");
}

MnistRequest needs_split(const std::string& split) {
  MnistRequest request;
  request.training = split != "test";
  request.test = split == "test";
  return request;
}

// The bundled data was not found: say where it was looked for.
void check_found(const std::string& data_dir) {
  if (data_dir.empty())
    throw UsageError("no MNIST folder found (looked in " + data_search_description() +
                     "); give one with --data DIR");
}

MnistSplit load_data(const DataArgs& data, MnistRequest request) {
  check_found(data.dir);
  request.validation_size = data.validation_size;
  try {
    return load_mnist(data.dir, request);
  } catch (const Error& e) {
    rethrow_with_flag(e, data.dir);
  }
}

Shape data_image_shape(const std::string& data_dir) {
  check_found(data_dir);
  try {
    const MnistFiles files = find_mnist_files(data_dir);
    const auto dims =
        read_idx_dims(files.has_training() ? files.train_images : files.test_images);
    if (dims.size() != 3) return {0, 0, 0};  // load_data reports it properly
    return {1, dims[1], dims[2]};
  } catch (const Error& e) {
    rethrow_with_flag(e, data_dir);
  }
}

void check_output_name(const std::string& flag, const std::string& file,
                       const std::vector<std::string>& extensions) {
  std::string extension = std::filesystem::path(file).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (std::find(extensions.begin(), extensions.end(), extension) != extensions.end()) return;
  std::string names;
  for (const std::string& e : extensions) names += (names.empty() ? "" : ", ") + e;
  throw UsageError(flag + " " + file + ": this writes " + names.substr(1) +
                   " files; give a name ending in " + names);
}

const Dataset& pick_split(const MnistSplit& split, const std::string& name) {
  if (name == "test") return split.test;
  if (name == "validation") return split.validation;
  return split.training;
}

}  // namespace digitnet::cli
