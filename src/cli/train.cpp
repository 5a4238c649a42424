// digitnet train: the seeds' SGD run, printing "Epoch j: c / n" after each epoch.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "command.hpp"
#include "digitnet/model_file.hpp"
#include "digitnet/trainer.hpp"

namespace digitnet::cli {
namespace {

struct TrainArgs {
  std::vector<std::size_t> sizes = {784, 30, 10};
  TrainOptions options;
  std::uint64_t seed = 1;
  std::string data_dir;
  std::string save;
  bool no_test = false;
  std::size_t train_size = 0;  // 0: all
  std::size_t test_size = 0;   // 0: all
  std::vector<int> digits;
};

std::string join(const std::vector<std::size_t>& sizes) {
  std::string text;
  for (std::size_t size : sizes) text += (text.empty() ? "" : ",") + std::to_string(size);
  return text;
}

// Everything that can be checked without the data, so that a bad flag fails before any work.
void validate(const TrainArgs& args) {
  if (args.sizes.size() < 2)
    throw UsageError("--sizes " + join(args.sizes) +
                     ": give at least two layer sizes, input to output, e.g. 784,30,10");
  for (std::size_t size : args.sizes)
    if (size < 1 || size > model_max_layer_size)
      throw UsageError("--sizes " + join(args.sizes) + ": every layer size must be 1 to " +
                       std::to_string(model_max_layer_size));
  if (args.sizes.back() != digit_classes)
    throw UsageError("--sizes " + join(args.sizes) + ": the last size must be " +
                     std::to_string(digit_classes) + ", one output per digit");
  if (args.options.epochs < 1) throw UsageError("--epochs 0: train for at least 1 epoch");
  if (args.options.mini_batch_size < 1)
    throw UsageError("--batch 0: the mini-batch size must be at least 1 (the seeds use 10)");
  if (!(args.options.eta > 0) || !std::isfinite(args.options.eta))
    throw UsageError("--eta " + (std::ostringstream() << args.options.eta).str() +
                     ": the learning rate must be a positive number (the seeds use 3.0)");
  if (args.options.threads < 0 || args.options.threads > 1024)
    throw UsageError("--threads " + std::to_string(args.options.threads) +
                     ": give 0 (all cores) or a number of threads from 1 to 1024");
  for (int digit : args.digits)
    if (digit < 0 || digit > 9)
      throw UsageError("--digits: " + std::to_string(digit) + " is not a digit 0-9");
  if (!args.save.empty()) {
    const std::filesystem::path path(args.save);
    const auto folder = path.has_parent_path() ? path.parent_path() : ".";
    if (!std::filesystem::is_directory(folder))
      throw UsageError("--save " + args.save + ": folder " + folder.string() +
                       " does not exist; create it first");
  }
}

void run(const TrainArgs& args) {
  validate(args);
  const std::size_t image_size = data_image_size(args.data_dir);
  if (args.sizes.front() != image_size)
    throw UsageError("--sizes " + join(args.sizes) + ": the first size must be the image size, " +
                     std::to_string(image_size) + " for the images in " + args.data_dir);

  MnistSplit data = load_data(args.data_dir);
  if (!args.digits.empty()) {
    data.training = keep_digits(data.training, args.digits);
    data.test = keep_digits(data.test, args.digits);
  }
  if (args.train_size > 0) data.training = slice(data.training, 0, args.train_size);
  if (args.test_size > 0) data.test = slice(data.test, 0, args.test_size);
  if (data.training.size() == 0) throw UsageError("--digits: no training images are left");

  Network net(args.sizes, args.seed);
  TrainOptions options = args.options;
  options.seed = args.seed;

  std::optional<EpochResult> best;
  const auto start = std::chrono::steady_clock::now();
  const auto results = sgd(
      net, data.training, options, args.no_test ? nullptr : &data.test, [&](const EpochResult& r) {
        if (r.correct) {
          std::cout << "Epoch " << r.epoch << ": " << *r.correct << " / " << r.total << std::endl;
          if (!best || *r.correct > *best->correct) best = r;
        } else {
          std::cout << "Epoch " << r.epoch << " complete" << std::endl;
        }
      });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (best) {
    std::printf("Best epoch: %zu (%zu / %zu, %.2f%%)\n", best->epoch, *best->correct, best->total,
                100.0 * static_cast<double>(*best->correct) / static_cast<double>(best->total));
  }
  std::printf("Trained %zu epochs on %zu images in %.1f s\n", results.size(), data.training.size(),
              seconds);
  if (!args.save.empty()) {
    save_model(net, args.save);
    std::cout << "Saved the final network to " << args.save << std::endl;
  }
}

}  // namespace

Command add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "train", "Train a network on MNIST by mini-batch SGD (defaults: the seeds' canonical run)");
  cmd->add_option("--sizes", args->sizes, "Neurons per layer, input to output")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--epochs", args->options.epochs, "Passes over the training data")
      ->capture_default_str();
  cmd->add_option("--batch", args->options.mini_batch_size, "Mini-batch size")
      ->capture_default_str();
  cmd->add_option("--eta", args->options.eta, "Learning rate")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed for the initial weights and the shuffling")
      ->capture_default_str();
  cmd->add_option("--threads", args->options.threads,
                  "Threads to use; 0 = all cores (small networks use one: it is faster)")
      ->capture_default_str();
  add_data_option(*cmd, args->data_dir);
  cmd->add_option("--save", args->save, "Write the trained network to this model file");
  cmd->add_flag("--no-test", args->no_test,
                "Do not evaluate on the test set after each epoch (prints 'Epoch j complete')");
  cmd->add_option("--train-size", args->train_size,
                  "Train on only the first N training images (default: all 50,000)");
  cmd->add_option("--test-size", args->test_size,
                  "Evaluate on only the first N test images (default: all 10,000)");
  cmd->add_option("--digits", args->digits, "Keep only these digits, e.g. 0,1")->delimiter(',');
  return {cmd, [args] { run(*args); }};
}

}  // namespace digitnet::cli
